/**
 * Every zoo architecture as a Teach base: fine-tuning its top block (named as Keras names it)
 * leaves every layer below bitwise as it was and changes the unfrozen ones; from scratch rebuilds
 * the same architecture with fresh weights; a run too big for a browser is refused with a reason. Random weights at the smallest input each architecture accepts keep this quick.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { zooEntry, type ZooModelName } from '../../models/zoo/zoo';
import { withSeededRandom } from '../../test/seeded';
import { useWasmBackend } from '../../test/tf-node';
import { imagesToTensor, perChannelInput, pixelSpecOf } from './data';
import {
  ancestorsOf,
  blocksOf,
  checkTrainableBudget,
  featureLayerOf,
  fineTuneBoundary,
  MAX_TRAINABLE_PARAMS,
  planCounts,
} from './model';
import { defaultSettings, type TrainSettings } from './protocol';
import { trainClassifier, type RunHooks } from './run';
import { colourSet } from './test-kit';
import { preprocessInput } from '../../models/zoo/catalog';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const hooks: RunHooks = {
  onProgress: () => undefined,
  isCancelled: () => false,
  pause: () => Promise.resolve(),
  now: () => performance.now(),
};

function settings(overrides: Partial<TrainSettings>): TrainSettings {
  return {
    ...defaultSettings(overrides.strategy ?? 'fine-tune'),
    epochs: 1,
    batchSize: 4,
    learningRate: 0.05,
    validationSplit: 0,
    augment: { flip: false, crop: false, brightness: false },
    ...overrides,
  };
}

/** Each layer's weights by name, as raw bytes. */
function weightsByLayer(model: tfTypes.LayersModel): Map<string, Uint8Array[]> {
  return new Map(
    model.layers.map((l) => [
      l.name,
      l.getWeights().map((w) => new Uint8Array(w.dataSync().slice().buffer)),
    ]),
  );
}

/**
 * Gives a random-weight model the batch-normalisation statistics of a trained one: each
 * BatchNormalization's moving mean and variance become those of its input on `images`, input side
 * first. Without this, activations of a random MobileNet fall to 1e-19 by its last block (moving
 * statistics of 0 and 1 normalise nothing), and kernel updates vanish below float32's resolution.
 *
 * One pass through the layers in the model's (topological) order, each applied to the values of
 * its inputs, a BatchNormalization after its statistics are set: the same statistics as running
 * the model up to each one in turn, without building and running one partial model per
 * BatchNormalization (≈ 50–95 of them; the file went from 30.3 s to 23.6 s alone, issue 16
 * item 9).
 */
function calibrateBatchNorm(model: tfTypes.LayersModel, images: tfTypes.Tensor4D): void {
  const values = new Map<number, tfTypes.Tensor>([[model.inputs[0]!.id, images]]);
  const made: tfTypes.Tensor[] = [];
  try {
    for (const layer of model.layers) {
      const node = layer.inboundNodes[0]!;
      if (layer.getClassName() === 'InputLayer') continue;
      const inputs = node.inputTensors.map((t) => {
        const value = values.get(t.id);
        if (!value) throw new Error(`${layer.name}: input ${t.name} not computed yet`);
        return value;
      });
      if (layer.getClassName() === 'BatchNormalization') {
        const [mean, variance] = tf.tidy((): [tfTypes.Tensor, tfTypes.Tensor] => {
          const { mean, variance } = tf.moments(inputs[0]!, [0, 1, 2]);
          return [mean, variance];
        });
        const weights = layer.getWeights();
        const names = layer.weights.map((w) => w.originalName);
        weights[names.findIndex((n) => n.endsWith('moving_mean'))] = mean;
        weights[names.findIndex((n) => n.endsWith('moving_variance'))] = variance;
        layer.setWeights(weights);
        mean.dispose();
        variance.dispose();
      }
      const out = tf.tidy(
        () =>
          layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as
            tfTypes.Tensor | tfTypes.Tensor[],
      );
      const outs = Array.isArray(out) ? out : [out];
      made.push(...outs);
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]!));
    }
  } finally {
    tf.dispose(made);
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** name, smallest input Keras accepts, top block, layers that may learn besides the head */
const CASES: [ZooModelName, number, string, RegExp][] = [
  ['mobilenet-0.25', 32, 'conv_pw_13_relu', /^conv_(dw|pw)_13(_bn)?$/],
  ['mobilenetv2', 32, 'block_16_project_BN', /^(block_16_|Conv_1)/],
  ['efficientnetb0', 32, 'block7a_project_bn', /^(block7a_|top_)/],
  ['resnet50', 32, 'conv5_block3_out', /^conv5_block3_/],
  // Teach's VGG16 base is Keras' include_top=False, pooling='avg': fc1 and fc2 never learn.
  ['vgg16', 32, 'block5_pool', /^block5_conv/],
  ['xception', 71, 'block14_sepconv2_act', /^block14_/],
  ['inceptionv3', 75, 'mixed10', /^(conv2d|batch_normalization)_(8[6-9]|9[0-4])$/],
];

/**
 * The base: with the top (10 classes), except InceptionV3, whose top needs 299 × 299. Its random
 * weights are seeded (TF.js' initialisers draw their seeds from `Math.random`), so every run
 * checks the same networks and a failure reproduces (issue 19's flake hunt).
 */
function smallBase(name: ZooModelName, size: number): tfTypes.LayersModel {
  const inputShape: [number, number, number] = [size, size, 3];
  return withSeededRandom(1, () =>
    name === 'inceptionv3'
      ? zooEntry(name).build({ inputShape, includeTop: false, pooling: 'avg' })
      : zooEntry(name).build({ inputShape, classes: 10 }),
  );
}

describe('fine-tuning the top block of each zoo architecture', () => {
  test.each(CASES)(
    '%s: layers below %s stay bitwise, the unfrozen ones change',
    async (name, size, topBlock, unfrozen) => {
      const start = tf.memory().numTensors;
      const base = smallBase(name, size);
      const data = colourSet(2, size, 5);
      const spec = pixelSpecOf(zooEntry(name).preprocess, [-1, 1]);
      const images = imagesToTensor([...data.photos.values()], size, spec.range);
      const input = spec.perChannel ? perChannelInput(images, spec.perChannel) : images;
      calibrateBatchNorm(base, input);
      tf.dispose([images, input]);
      const feature = featureLayerOf(base);
      // the base's layers up to its features (its own top is cut off and replaced)
      const baseLayers = new Set([...ancestorsOf(feature)].map((l) => l.name));
      const before = weightsByLayer(base);
      const blocks = blocksOf(base, feature);
      expect(blocks[0]).toBe(topBlock);
      const boundary = fineTuneBoundary(blocks, 1);
      const frozen = new Set([...ancestorsOf(base.getLayer(boundary))].map((l) => l.name));
      let trained: tfTypes.LayersModel | null = null;
      try {
        const { model, report } = await trainClassifier(
          {
            base,
            baseName: name,
            inputRange: spec.range,
            ...(spec.perChannel ? { perChannel: spec.perChannel } : {}),
            photos: data.photos,
            examples: data.examples,
            classNames: ['warm', 'cool'],
            settings: settings({ strategy: 'fine-tune', blocks: 1 }),
            featureCache: new Map(),
          },
          hooks,
        );
        trained = model;
        expect(Number.isFinite(report.epochs[0]!.loss)).toBe(true);
        const after = weightsByLayer(model);
        const learnt: string[] = [];
        for (const [layer, weights] of before) {
          if (!baseLayers.has(layer)) continue; // the base's own top, cut off
          const now = after.get(layer)!;
          if (frozen.has(layer)) {
            weights.forEach((w, i) => expect(same(w, now[i]!), `${layer} ${i}`).toBe(true));
          } else if (weights.length > 0) {
            const trainable = model.getLayer(layer).trainableWeights.length;
            if (trainable > 0 && weights.some((w, i) => !same(w, now[i]!))) learnt.push(layer);
            expect(layer, 'only the top block learns').toMatch(unfrozen);
          }
        }
        // every layer with trainable weights above the boundary learnt something
        const expected = model.layers
          .filter((l) => baseLayers.has(l.name) && !frozen.has(l.name) && l.trainableWeights.length)
          .map((l) => l.name);
        expect(learnt.sort()).toEqual(expected.sort());
        expect(learnt.length).toBeGreaterThan(0);
      } finally {
        trained?.dispose();
        base.dispose();
      }
      expect(tf.memory().numTensors).toBe(start);
    },
    120_000,
  );
});

describe('from scratch on a zoo architecture', () => {
  test('MobileNetV2 is rebuilt with fresh weights, every layer learning', async () => {
    const start = tf.memory().numTensors;
    const base = withSeededRandom(1, () =>
      zooEntry('mobilenetv2').build({ inputShape: [32, 32, 3], classes: 10 }),
    );
    const before = weightsByLayer(base);
    const data = colourSet(2, 32, 8);
    try {
      const { model, report } = await trainClassifier(
        {
          base,
          baseName: 'MobileNetV2 (random weights)',
          inputRange: [-1, 1],
          photos: data.photos,
          examples: data.examples,
          classNames: ['warm', 'cool'],
          settings: settings({ strategy: 'scratch', learningRate: 0.001 }),
          featureCache: new Map(),
        },
        hooks,
      );
      try {
        expect(report.baseName).toBe('MobileNetV2 architecture (random weights)');
        const plan = planCounts(base, 'scratch', 2, 0);
        expect(report.trainableParams).toBe(plan.trainable);
        expect(report.frozenParams).toBe(plan.frozen);
        // the same layers up to the features, none sharing the base's weights
        const feature = featureLayerOf(base).name;
        expect(model.getLayer(feature).outputShape).toEqual(base.getLayer(feature).outputShape);
        const kernel = (m: tfTypes.LayersModel) => m.getLayer('Conv1').getWeights()[0]!;
        expect(
          same(new Uint8Array(kernel(model).dataSync().buffer), before.get('Conv1')![0]!),
        ).toBe(false);
        expect(model.layers.every((l) => l.trainable)).toBe(true);
      } finally {
        model.dispose();
      }
    } finally {
      base.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);
});

describe('what a browser cannot train', () => {
  test('a run over the limit is refused, naming the heaviest layers, the memory and what to do', () => {
    // A model of the user's with large dense layers below its features (what VGG16's own top,
    // fc1 and fc2 at 224 × 224, would be if Teach kept it; it does not)
    const learning = [
      { name: 'block5_conv1', params: 3 * 3 * 512 * 512 + 512 },
      { name: 'dense_a', params: 7 * 7 * 512 * 4096 + 4096 },
      { name: 'dense_b', params: 4096 * 4096 + 4096 },
    ];
    const trainable = learning.reduce((a, l) => a + l.params, 4096 * 2 + 2);
    expect(trainable).toBeGreaterThan(MAX_TRAINABLE_PARAMS);
    expect(() => checkTrainableBudget('fine-tune', trainable, learning)).toThrow(
      /dense_a \(102,764,544\) and dense_b \(16,781,312\).*about 1\.0 GB.*Train the head only.*unfreeze fewer blocks.*VGG16/,
    );
    expect(() => checkTrainableBudget('scratch', trainable, learning)).toThrow(
      /Training from scratch would train .*about 1\.5 GB/,
    );
    // InceptionV3 from scratch, as Keras counts it, fits
    expect(() => checkTrainableBudget('scratch', 23_817_352, [])).not.toThrow();
  });
});

describe("Keras' per-channel preprocessing for caffe and torch bases", () => {
  test.each(['caffe', 'torch'] as const)(
    '%s: the tensor version equals preprocessInput',
    (mode) => {
      const rgb = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 37) % 256);
      const x = tf.tensor4d(rgb, [1, 2, 3, 3]);
      const y = perChannelInput(x, mode);
      const want = preprocessInput(mode, rgb);
      const got = y.dataSync();
      want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
      x.dispose();
      y.dispose();
      expect(pixelSpecOf(mode, [0, 1])).toEqual({ range: [0, 255], perChannel: mode });
      expect(pixelSpecOf('tf', [-1, 1])).toEqual({ range: [-1, 1] });
    },
  );
});
