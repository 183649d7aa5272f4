import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { copyWeightsInOrder, inceptionV3 } from '../../models/zoo/inception-v3';
import { loadNsfwjsInception } from '../../test/nsfwjs-inception';
import { useWasmBackend } from '../../test/tf-node';
import { defaultSettings, type TrainProgress, type TrainSettings } from './protocol';
import {
  estimateTraining,
  trainClassifier,
  TrainCancelled,
  type RunHooks,
  type RunInputs,
} from './run';
import { attachHead, scratchModel } from './model';
import { colourSet, tinyInceptionLike } from './test-kit';

// The real functions by default; single tests swap in a small network or a failure.
vi.mock('./model', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./model')>();
  return {
    ...actual,
    attachHead: vi.fn(actual.attachHead),
    scratchModel: vi.fn(actual.scratchModel),
  };
});

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

function hooks(progress: TrainProgress[] = [], cancelAfter = Infinity): RunHooks {
  let steps = 0;
  return {
    onProgress: (p) => progress.push(p),
    isCancelled: () => ++steps > cancelAfter,
    pause: () => Promise.resolve(),
    now: () => performance.now(),
  };
}

function settings(overrides: Partial<TrainSettings>): TrainSettings {
  return { ...defaultSettings(overrides.strategy ?? 'head'), ...overrides };
}

/**
 * A small 16 × 16 network (conv, BatchNorm without scale, pooling, softmax) with a layer in the
 * middle that throws when called in training mode (`failWhenTraining`) or in inference mode.
 */
function tripwireNet(classes: number, failWhenTraining: boolean): tfTypes.LayersModel {
  class Tripwire extends tf.layers.Layer {
    static readonly className = 'Tripwire';
    override call(inputs: tfTypes.Tensor | tfTypes.Tensor[], kwargs: { training?: boolean }) {
      if ((kwargs.training === true) === failWhenTraining) throw new Error('tripwire');
      return inputs;
    }
  }
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input);
  x = tf.layers.batchNormalization({ scale: false }).apply(x);
  x = new Tripwire({}).apply(x);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const out = tf.layers.dense({ units: classes, activation: 'softmax' }).apply(x);
  return tf.model({ inputs: input, outputs: out as tfTypes.SymbolicTensor });
}

describe('training on a small base', () => {
  let base: tfTypes.LayersModel;
  const data = colourSet(12, 16, 11);
  beforeAll(() => {
    base = tinyInceptionLike();
  });
  afterAll(() => base.dispose());

  const inputs = (
    s: Partial<TrainSettings>,
    cache = new Map<string, Float32Array>(),
  ): RunInputs => ({
    base,
    baseName: 'tiny',
    inputRange: [-1, 1],
    photos: data.photos,
    examples: data.examples,
    classNames: ['warm', 'cool'],
    settings: settings(s),
    featureCache: cache,
  });

  it('head only learns warm vs cool, reports honestly, and leaves no tensors behind', async () => {
    const start = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const cache = new Map<string, Float32Array>();
    const { model, report } = await trainClassifier(
      inputs({ epochs: 40, batchSize: 8, learningRate: 0.05, validationSplit: 0.25 }, cache),
      hooks(progress),
    );
    expect(report.valCount).toBe(6);
    expect(report.trainCount).toBe(18);
    expect(report.evaluatedOn).toBe('validation');
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.epochs).toHaveLength(40);
    expect(report.epochs[39]!.loss).toBeLessThan(report.epochs[0]!.loss);
    expect(report.trainableParams).toBe(8 * 2 + 2);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
    expect(report.perClass.map((c) => c.total)).toEqual([3, 3]);
    expect(report.predictions.every((p) => p.probability > 0.5)).toBe(true);
    // features computed once per photo, with flip augmentation adding two variants per photo
    expect(cache.size).toBe(6 + 18 * 3);
    expect(progress.some((p) => p.phase === 'features')).toBe(true);
    expect(progress.filter((p) => p.log).map((p) => p.log!.epoch)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    // the trained model answers for new photos
    const fresh = colourSet(5, 16, 99);
    const x = tf.tidy(() =>
      tf.stack(
        [...fresh.photos.values()].map((p) =>
          tf
            .tensor3d(Array.from(p.pixels), [16, 16, 4])
            .slice([0, 0, 0], [16, 16, 3])
            .div(127.5)
            .sub(1),
        ),
      ),
    );
    const predicted = tf.tidy(() => (model.predict(x) as tfTypes.Tensor).argMax(1));
    const labels = Array.from(predicted.dataSync());
    const right = labels.filter((l, i) => l === fresh.examples[i]!.label).length;
    expect(right).toBeGreaterThanOrEqual(9);
    [x, predicted].forEach((t) => t.dispose());
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('reuses cached features on the next run', async () => {
    const cache = new Map<string, Float32Array>();
    const first = await trainClassifier(
      inputs({ epochs: 1, augment: { flip: false, crop: false, brightness: false } }, cache),
      hooks(),
    );
    first.model.dispose();
    const progress: TrainProgress[] = [];
    const second = await trainClassifier(
      inputs({ epochs: 1, augment: { flip: false, crop: false, brightness: false } }, cache),
      hooks(progress),
    );
    second.model.dispose();
    expect(cache.size).toBe(24);
    expect(progress.some((p) => p.phase === 'features')).toBe(false);
  });

  it('stops early when the validation loss stops improving, keeping the best epoch', async () => {
    const { model, report } = await trainClassifier(
      inputs({ epochs: 30, learningRate: 1e-9, patience: 2 }),
      hooks(),
    );
    expect(report.stoppedEarly).toBe(true);
    expect(report.epochs.length).toBeLessThan(30);
    expect(report.bestEpoch).toBeLessThan(report.epochs.length);
    model.dispose();
  });

  it('evaluates on the training photos, and says so, when nothing is kept aside', async () => {
    const { model, report } = await trainClassifier(
      inputs({ epochs: 2, validationSplit: 0 }),
      hooks(),
    );
    expect(report.evaluatedOn).toBe('training');
    expect(report.valCount).toBe(0);
    expect(report.predictions).toHaveLength(24);
    expect(report.epochs[0]!.valLoss).toBeNull();
    model.dispose();
  });

  it.each([
    ['head', 12],
    ['fine-tune', 12],
    ['scratch', 0],
  ] as const)('cancelling %s mid-training frees everything', async (strategy, after) => {
    const start = tf.memory().numTensors;
    const augment = { flip: true, crop: true, brightness: true };
    await expect(
      trainClassifier(
        inputs({ strategy, epochs: 50, batchSize: 4, augment, blocks: 2 }),
        hooks([], after),
      ),
    ).rejects.toBeInstanceOf(TrainCancelled);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('fine-tunes the top blocks only: frozen layers and the base keep their weights', async () => {
    const start = tf.memory().numTensors;
    const baseBefore = base.getWeights().map((w) => Array.from(w.dataSync()));
    const { model, report } = await trainClassifier(
      inputs({ strategy: 'fine-tune', blocks: 1, epochs: 3, learningRate: 0.05, batchSize: 4 }),
      hooks(),
    );
    expect(report.strategy).toBe('fine-tune');
    const same = (name: string) =>
      Array.from(model.getLayer(name).getWeights()[0]!.dataSync()).every(
        (v, i) => v === base.getLayer(name).getWeights()[0]!.dataSync()[i],
      );
    expect(same('conv2d_1')).toBe(true);
    expect(same('conv2d_b1')).toBe(true);
    expect(same('conv2d_b2')).toBe(false);
    expect(base.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(baseBefore);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('says plainly what is wrong with the examples', async () => {
    const bad = (over: Partial<RunInputs>) => trainClassifier({ ...inputs({}), ...over }, hooks());
    await expect(bad({ classNames: ['only'] })).rejects.toThrow('Teach at least two classes.');
    await expect(bad({ classNames: ['warm', 'cool', 'grey'] })).rejects.toThrow(
      'Add at least one photo to “grey”.',
    );
    await expect(bad({ photos: new Map() })).rejects.toThrow(/no longer in the worker/);
    await expect(bad({ settings: settings({ epochs: 0 }) })).rejects.toThrow(/Epochs/);
  });

  it('from scratch trains every layer of a small network, BatchNorm on batch statistics', async () => {
    const start = tf.memory().numTensors;
    let initial = new Map<string, number[][]>();
    vi.mocked(scratchModel).mockImplementationOnce((_base, classes) => {
      const model = tinyInceptionLike(16, classes);
      initial = new Map(
        model.layers.map((l) => [l.name, l.getWeights().map((w) => Array.from(w.dataSync()))]),
      );
      return Promise.resolve(model);
    });
    const { model, report } = await trainClassifier(
      inputs({ strategy: 'scratch', epochs: 2, batchSize: 8, learningRate: 0.01 }),
      hooks(),
    );
    expect(scratchModel).toHaveBeenLastCalledWith(base, 2, 'custom_classifier');
    expect(report.strategy).toBe('scratch');
    expect(report.epochs).toHaveLength(2);
    for (const log of report.epochs) {
      expect(Number.isFinite(log.loss)).toBe(true);
      expect(Number.isFinite(log.valLoss)).toBe(true);
    }
    // everything learns except the BatchNorm's moving mean and variance (4 channels each)
    expect(report.frozenParams).toBe(8);
    expect(report.trainableParams).toBe(model.countParams() - 8);
    const now = (layer: string, i: number) =>
      Array.from(model.getLayer(layer).getWeights()[i]!.dataSync());
    // gradients reach every trainable weight, the first convolution included
    expect(now('conv2d_1', 0)).not.toEqual(initial.get('conv2d_1')![0]);
    for (const layer of model.layers) {
      const trainable = new Set(layer.trainableWeights.map((w) => w.name));
      layer.weights.forEach((w, i) => {
        if (trainable.has(w.name))
          expect(now(layer.name, i)).not.toEqual(initial.get(layer.name)![i]);
      });
    }
    // training mode: the moving mean left its initial zeros
    const bn = model.getLayer('batch_normalization_1');
    const movingMean = bn.weights.findIndex((w) => w.name.includes('moving_mean'));
    expect(now(bn.name, movingMean).some((v) => v !== 0)).toBe(true);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('estimates a from-scratch run by timing a real step on the network', async () => {
    const start = tf.memory().numTensors;
    vi.mocked(scratchModel).mockImplementationOnce((_base, classes) =>
      Promise.resolve(tinyInceptionLike(16, classes)),
    );
    const estimate = await estimateTraining(
      inputs({ strategy: 'scratch', epochs: 3, batchSize: 8 }),
      hooks(),
    );
    expect(scratchModel).toHaveBeenLastCalledWith(base, 2, 'custom_classifier');
    expect(estimate.featurePhotos).toBe(0);
    expect(estimate.featureMs).toBe(0);
    expect(estimate.measuredBatch).toBe(1);
    // 20 training photos (2 per class kept aside) in batches of 8
    expect(estimate.steps).toBe(3 * 3);
    expect(estimate.stepMs).toBeGreaterThan(0);
    expect(Number.isFinite(estimate.stepMs)).toBe(true);
    expect(Number.isFinite(estimate.totalMs)).toBe(true);
    expect(estimate.totalMs).toBeGreaterThan(estimate.steps * estimate.stepMs);
    expect(estimate.counts.frozen).toBe(8);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('frees the copied base when the head cannot be attached', async () => {
    const start = tf.memory().numTensors;
    vi.mocked(attachHead).mockImplementationOnce(() => {
      throw new Error('no head');
    });
    await expect(trainClassifier(inputs({}), hooks())).rejects.toThrow('no head');
    expect(tf.memory().numTensors).toBe(start);
  });

  it.each([
    ['a training step', true],
    ['a validation pass', false],
  ])('frees everything when %s throws', async (_, failWhenTraining) => {
    const start = tf.memory().numTensors;
    vi.mocked(scratchModel).mockImplementationOnce((_base, classes) =>
      Promise.resolve(tripwireNet(classes, failWhenTraining)),
    );
    await expect(
      trainClassifier(inputs({ strategy: 'scratch', epochs: 1, batchSize: 8 }), hooks()),
    ).rejects.toThrow('tripwire');
    expect(tf.memory().numTensors).toBe(start);
  });

  it('frees everything when the measured step of an estimate throws', async () => {
    const start = tf.memory().numTensors;
    vi.mocked(scratchModel).mockImplementationOnce((_base, classes) =>
      Promise.resolve(tripwireNet(classes, true)),
    );
    await expect(
      estimateTraining(inputs({ strategy: 'scratch', epochs: 1, batchSize: 8 }), hooks()),
    ).rejects.toThrow('tripwire');
    expect(tf.memory().numTensors).toBe(start);
  });

  it('estimates the time of a run from one measured step', async () => {
    const start = tf.memory().numTensors;
    const estimate = await estimateTraining(inputs({ epochs: 10, batchSize: 6 }), hooks());
    // 12 photos per class: 2 kept aside each, the other 20 photos with two variants each
    expect(estimate.featurePhotos).toBe(4 + 20 * 3);
    expect(estimate.steps).toBe(10 * Math.ceil((20 * 3) / 6));
    expect(estimate.stepMs).toBeGreaterThan(0);
    expect(estimate.totalMs).toBeGreaterThan(estimate.steps * estimate.stepMs);
    expect(tf.memory().numTensors).toBe(start);
  });
});

/** Names of `name` and every layer it depends on, following inbound nodes back to the input. */
function layersFeeding(model: tfTypes.LayersModel, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [model.getLayer(name)];
  while (stack.length > 0) {
    const layer = stack.pop()!;
    if (seen.has(layer.name)) continue;
    seen.add(layer.name);
    for (const node of layer.inboundNodes) stack.push(...node.inboundLayers);
  }
  return seen;
}

/** True when two float32 tensors (or a tensor and saved values) hold the same bits. */
function sameBits(a: tfTypes.Tensor, b: tfTypes.Tensor | Float32Array): boolean {
  const x = new Uint32Array(new Float32Array(a.dataSync()).buffer);
  const y = new Uint32Array(new Float32Array(b instanceof Float32Array ? b : b.dataSync()).buffer);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('on the real InceptionV3 with trained (nsfwjs Keras) weights', () => {
  let base: tfTypes.LayersModel;
  beforeAll(async () => {
    const source = await loadNsfwjsInception();
    base = inceptionV3();
    copyWeightsInOrder(source, base, { stopAfter: 'mixed10' });
    source.dispose();
  });
  afterAll(() => base.dispose());

  it('fine-tunes mixed10 for one epoch on a few photos, touching nothing below it', async () => {
    const data = colourSet(2, 299, 5);
    const start = tf.memory().numTensors;
    const baseKernel = Array.from(
      base.getLayer('conv2d_1').getWeights()[0]!.dataSync().slice(0, 50),
    );
    const baseBefore = new Map(
      base.layers.flatMap((l) =>
        l.getWeights().map((w, i) => [`${l.name}/${i}`, new Float32Array(w.dataSync())] as const),
      ),
    );
    const progress: TrainProgress[] = [];
    const { model, report } = await trainClassifier(
      {
        base,
        baseName: 'InceptionV3',
        inputRange: [-1, 1],
        photos: data.photos,
        examples: data.examples,
        classNames: ['warm', 'cool'],
        settings: settings({
          strategy: 'fine-tune',
          blocks: 1,
          epochs: 1,
          batchSize: 2,
          validationSplit: 0,
          augment: { flip: true, crop: false, brightness: false },
        }),
        featureCache: new Map(),
      },
      hooks(progress),
    );
    expect(report.epochs).toHaveLength(1);
    expect(Number.isFinite(report.epochs[0]!.loss)).toBe(true);
    const weightsOf = (m: tfTypes.LayersModel, layer: string, i: number) =>
      Array.from(m.getLayer(layer).getWeights()[i]!.dataSync());
    const lastConv = model.layers.filter((l) => l.getClassName() === 'Conv2D').pop()!.name;
    // Every layer mixed9 depends on (the whole base below the unfrozen mixed10 block) keeps
    // every weight bit for bit, in the trained model and in the base it came from.
    const below = layersFeeding(base, 'mixed9');
    let compared = 0;
    for (const name of below) {
      const mine = model.getLayer(name).getWeights();
      const theirs = base.getLayer(name).getWeights();
      expect(mine.length, name).toBe(theirs.length);
      mine.forEach((w, i) => {
        expect(sameBits(w, theirs[i]!), `${name} weight ${i}`).toBe(true);
        expect(sameBits(theirs[i]!, baseBefore.get(`${name}/${i}`)!), `${name} (base)`).toBe(true);
      });
      if (mine.length > 0) compared += 1;
    }
    // 94 convolutions and 94 batch norms in all; mixed10's block holds 9 of each.
    expect(compared).toBe(2 * (94 - 9));
    expect(below.has('mixed9')).toBe(true);
    expect(below.has(lastConv)).toBe(false);
    expect(weightsOf(model, lastConv, 0)).not.toEqual(weightsOf(base, lastConv, 0));
    // BatchNorm stays in inference mode: moving statistics do not move
    const lastBn = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').pop()!
      .name;
    expect(weightsOf(model, lastBn, 1)).toEqual(weightsOf(base, lastBn, 1));
    expect(Array.from(base.getLayer('conv2d_1').getWeights()[0]!.dataSync().slice(0, 50))).toEqual(
      baseKernel,
    );
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
