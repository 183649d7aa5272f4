import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { inceptionV3 } from '../../models/zoo/inception-v3';
import { useWasmBackend } from '../../test/tf-node';
import {
  attachHead,
  blocksOf,
  cloneModel,
  featureLayerOf,
  fineTuneBoundary,
  freezeFor,
  planCounts,
  patchBatchNormForTraining,
  reportedCounts,
  runFrom,
  scratchModel,
} from './model';
import type { TrainStrategy } from './protocol';
import { loadSharedMobilenet, skipWithoutSharedMobilenet, tinyInceptionLike } from './test-kit';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

/** Builds the joined model a run would train, frozen for the strategy. */
async function built(
  base: tfTypes.LayersModel,
  strategy: Exclude<TrainStrategy, 'scratch'>,
  classes: number,
  blocks: number,
): Promise<tfTypes.LayersModel> {
  const feature = featureLayerOf(base);
  const joined = attachHead(await cloneModel(base, feature.name), classes, 'joined');
  const boundary =
    strategy === 'head' ? feature.name : fineTuneBoundary(blocksOf(base, feature), blocks);
  freezeFor(joined, strategy, boundary);
  return joined;
}

describe('on a small Inception-like model', () => {
  let base: tfTypes.LayersModel;
  beforeAll(() => {
    base = tinyInceptionLike();
  });
  afterAll(() => base.dispose());

  it('finds the feature layer and the blocks, top first', () => {
    const feature = featureLayerOf(base);
    expect(feature.name).toBe('avg_pool');
    expect(blocksOf(base, feature)).toEqual(['mixed2', 'mixed1', 'mixed0']);
    expect(fineTuneBoundary(['mixed2', 'mixed1', 'mixed0'], 1)).toBe('mixed1');
    expect(() => fineTuneBoundary(['mixed2', 'mixed1', 'mixed0'], 3)).toThrow(/1 to 2 blocks/);
    expect(() => fineTuneBoundary([], 1)).toThrow(/no known block structure/);
  });

  it.each([
    ['head', 0],
    ['fine-tune', 1],
    ['fine-tune', 2],
  ] as const)(
    'counts for %s (%i blocks) match what the built model reports',
    async (strategy, blocks) => {
      const start = tf.memory().numTensors;
      const plan = planCounts(base, strategy, 3, blocks);
      const joined = await built(base, strategy, 3, blocks);
      expect(reportedCounts(joined)).toEqual({ trainable: plan.trainable, frozen: plan.frozen });
      if (strategy === 'head') expect(plan.trainable).toBe(8 * 3 + 3);
      // the base itself is untouched: every layer still trainable
      expect(base.layers.filter((l) => l.weights.length > 0).every((l) => l.trainable)).toBe(true);
      joined.dispose();
      expect(tf.memory().numTensors).toBe(start);
    },
  );

  it('the new head is a softmax over the classes, named predictions', async () => {
    const start = tf.memory().numTensors;
    const joined = attachHead(await cloneModel(base, 'avg_pool'), 3, 'joined', 7);
    const head = joined.outputs[0]!.sourceLayer;
    expect(head.name).toBe('predictions');
    expect(head.getConfig()).toMatchObject({ units: 3, activation: 'softmax' });
    expect(joined.outputs[0]!.shape).toEqual([null, 3]);
    const x = tf.randomUniform([4, 16, 16, 3], -1, 1, 'float32', 5);
    const probs = joined.predict(x) as tfTypes.Tensor;
    expect(probs.shape).toEqual([4, 3]);
    const rows = (await probs.array()) as number[][];
    for (const row of rows) {
      expect(row.every((p) => p > 0 && p < 1)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    [x, probs].forEach((t) => t.dispose());
    joined.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('names the head so it does not clash with a layer of the base called predictions', () => {
    const start = tf.memory().numTensors;
    // a base whose feature vector comes out of a layer already named `predictions`
    const input = tf.input({ shape: [6], name: 'vector_in' });
    const features = tf.layers.dense({ units: 4, name: 'predictions' }).apply(input);
    const first = attachHead(
      tf.model({ inputs: input, outputs: features as tfTypes.SymbolicTensor }),
      2,
      'first',
    );
    const head = first.outputs[0]!.sourceLayer;
    expect(head.name).toBe('custom_predictions_1');
    expect(first.layers.map((l) => l.name)).toEqual(['vector_in', 'predictions', head.name]);
    // and again on top of that, where both names are taken
    const second = attachHead(
      tf.model({ inputs: first.inputs, outputs: first.outputs }),
      3,
      'second',
    );
    expect(second.outputs[0]!.sourceLayer.name).toBe('custom_predictions_2');
    expect(second.layers.map((l) => l.name)).toEqual([
      'vector_in',
      'predictions',
      'custom_predictions_1',
      'custom_predictions_2',
    ]);
    const x = tf.ones([1, 6]);
    const probs = second.predict(x) as tfTypes.Tensor;
    expect(probs.shape).toEqual([1, 3]);
    const total = probs.sum();
    expect(total.arraySync()).toBeCloseTo(1, 5);
    [x, probs, total].forEach((t) => t.dispose());
    second.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a copy owns its weights: changing or disposing it leaves the base as it was', async () => {
    const copy = await cloneModel(base, 'avg_pool');
    const before = base.getLayer('conv2d_1').getWeights()[0]!.dataSync().slice();
    copy
      .getLayer('conv2d_1')
      .setWeights([tf.zerosLike(copy.getLayer('conv2d_1').getWeights()[0]!)]);
    copy.dispose();
    expect(base.getLayer('conv2d_1').getWeights()[0]!.dataSync()).toEqual(before);
    expect(copy.outputs[0]!.shape).toEqual([null, 8]);
  });

  it('runFrom computes the part above a tensor exactly as the whole model does', () => {
    const x = tf.randomUniform([2, 16, 16, 3], -1, 1);
    const whole = base.predict(x) as tfTypes.Tensor;
    const fromInput = tf.tidy(() => runFrom(base, base.inputs[0]!, x, { training: false }));
    const boundary = base.getLayer('mixed1').output as tfTypes.SymbolicTensor;
    const below = tf.model({ inputs: base.inputs, outputs: boundary }).predict(x) as tfTypes.Tensor;
    const fromMiddle = tf.tidy(() => runFrom(base, boundary, below, { training: false }));
    expect(Array.from(fromInput.dataSync())).toEqual(Array.from(whole.dataSync()));
    const a = fromMiddle.dataSync();
    whole.dataSync().forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
    [x, whole, fromInput, below, fromMiddle].forEach((t) => t.dispose());
  });

  it('patches BatchNormalization without scale so it can train, and undoes it', () => {
    const bnModel = tf.sequential({
      layers: [tf.layers.batchNormalization({ scale: false, inputShape: [4] })],
    });
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [3, 6, 9, 12],
    ]);
    expect(() => bnModel.apply(x, { training: true })).toThrow();
    const undo = patchBatchNormForTraining(bnModel);
    const y = bnModel.apply(x, { training: true }) as tfTypes.Tensor;
    // batch statistics: each column becomes -1, +1 (up to epsilon)
    expect(Array.from(y.dataSync()).map((v) => Math.round(v))).toEqual([
      -1, -1, -1, -1, 1, 1, 1, 1,
    ]);
    const inference = bnModel.apply(x, { training: false }) as tfTypes.Tensor;
    undo();
    const again = bnModel.apply(x, { training: false }) as tfTypes.Tensor;
    expect(Array.from(again.dataSync())).toEqual(Array.from(inference.dataSync()));
    expect(() => bnModel.apply(x, { training: true })).toThrow();
    [x, y, inference, again].forEach((t) => t.dispose());
    bnModel.dispose();
  });
});

describe('on the real InceptionV3 structure', () => {
  let base: tfTypes.LayersModel;
  beforeAll(() => {
    base = inceptionV3();
  });
  afterAll(() => base.dispose());

  it('head only trains 2048 × n + n parameters on top of the frozen 21,802,784', () => {
    const plan = planCounts(base, 'head', 3, 0);
    expect(plan.featureLayer.name).toBe('avg_pool');
    expect(plan.blockNames[0]).toBe('mixed10');
    expect(plan.blockNames).toHaveLength(11);
    expect(plan).toMatchObject({ trainable: 2048 * 3 + 3, frozen: 21_802_784 });
  });

  it('fine-tuning mixed10 unfreezes exactly that block, as the built model reports', async () => {
    const start = tf.memory().numTensors;
    const plan = planCounts(base, 'fine-tune', 2, 1);
    expect(plan.boundary).toBe('mixed9');
    const joined = await built(base, 'fine-tune', 2, 1);
    expect(reportedCounts(joined)).toEqual({ trainable: plan.trainable, frozen: plan.frozen });
    const learning = joined.layers.filter((l) => l.trainable && l.weights.length > 0);
    // mixed10's nine convolutions, their nine BatchNorms, and the new head
    expect(learning.map((l) => l.getClassName()).sort()).toEqual(
      [
        ...Array<string>(9).fill('BatchNormalization'),
        ...Array<string>(9).fill('Conv2D'),
        'Dense',
      ].sort(),
    );
    expect(joined.getLayer('mixed9').trainable).toBe(false);
    expect(joined.getLayer('mixed9_1').trainable).toBe(true);
    expect(joined.getLayer('mixed9_0').trainable).toBe(false);
    joined.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('fine-tuning two blocks counts the same from the plan and from the model', async () => {
    const plan = planCounts(base, 'fine-tune', 2, 2);
    expect(plan.boundary).toBe('mixed8');
    const joined = await built(base, 'fine-tune', 2, 2);
    expect(reportedCounts(joined)).toEqual({ trainable: plan.trainable, frozen: plan.frozen });
    expect(plan.trainable).toBeGreaterThan(planCounts(base, 'fine-tune', 2, 1).trainable);
    joined.dispose();
  });

  it('from scratch trains everything but the BatchNorm moving statistics (Keras: 23,817,352)', async () => {
    const plan = planCounts(base, 'scratch', 1000, 0);
    expect(plan).toMatchObject({ trainable: 23_817_352, frozen: 34_432 });
    const model = await scratchModel(base, 1000, 'scratch');
    freezeFor(model, 'scratch', null);
    expect(reportedCounts(model)).toEqual({ trainable: 23_817_352, frozen: 34_432 });
    // fresh weights: the BatchNorm statistics start again at 0 and 1, the kernels differ
    const mean = (name: string, m: tfTypes.LayersModel) =>
      m.getLayer(name).getWeights()[1]!.dataSync()[0];
    expect(mean('batch_normalization_1', model)).toBe(0);
    const kernel = (m: tfTypes.LayersModel) =>
      Array.from(m.getLayer('conv2d_1').getWeights()[0]!.dataSync().slice(0, 8));
    expect(kernel(model)).not.toEqual(kernel(base));
    model.dispose();
  });
});

describe('on the shared ImageNet MobileNet', () => {
  it.skipIf(skipWithoutSharedMobilenet('the MobileNet counts'))(
    'cuts at its global average pool and fine-tunes by conv_pw blocks',
    async () => {
      const base = await loadSharedMobilenet();
      const head = planCounts(base, 'head', 2, 0);
      expect(head.featureLayer.name).toBe('global_average_pooling2d_1');
      expect(head.trainable).toBe(768 * 2 + 2);
      expect(head.blockNames.slice(0, 2)).toEqual(['conv_pw_13_relu', 'conv_pw_12_relu']);
      for (const [strategy, blocks] of [
        ['head', 0],
        ['fine-tune', 2],
      ] as const) {
        const plan = planCounts(base, strategy, 2, blocks);
        const joined = await built(base, strategy, 2, blocks);
        expect(reportedCounts(joined)).toEqual({ trainable: plan.trainable, frozen: plan.frozen });
        joined.dispose();
      }
      base.dispose();
    },
  );
});
