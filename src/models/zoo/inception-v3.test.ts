import * as tf from '@tensorflow/tfjs';
import { decode as decodeJpeg } from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadNsfwjsInception } from '../../test/nsfwjs-inception';
import { sharedPath, skipWithoutShared } from '../../test/shared-fixtures';
import { useWasmBackend } from '../../test/tf-node';
import {
  copyWeightsInOrder,
  inceptionV3,
  INCEPTION_V3_BLOCKS,
  type InceptionV3Options,
  type NamedLayerWeights,
} from './inception-v3';

const PHOTO_PATH = sharedPath('photos/dog.jpg');

/** Every model built here, disposed in afterAll. */
const built: tf.LayersModel[] = [];
const build = (options?: InceptionV3Options): tf.LayersModel => {
  const model = inceptionV3(options);
  built.push(model);
  return model;
};

let nsfw: tf.LayersModel;
/** Ours without the top: the counterpart of nsfwjs' base (input_1 .. mixed10). */
let base: tf.LayersModel;
/** Ours with the standard 1000-class top. */
let withTop: tf.LayersModel;

beforeAll(async () => {
  await useWasmBackend();
  nsfw = await loadNsfwjsInception();
  base = build({ includeTop: false });
  withTop = build();
});

afterAll(() => {
  for (const model of built) model.dispose();
  // Only the full nsfwjs model is disposed: the intermediate model made from it shares its layers,
  // and disposing both would dispose those layers twice.
  nsfw?.dispose();
});

/** [height, width, 3] float32 image in [-1, 1]: the dog photo, or a synthetic one without it. */
function loadTestImage(): tf.Tensor4D {
  if (skipWithoutShared([PHOTO_PATH], 'the dog photo (a synthetic image stands in)')) {
    return tf.tidy(() => {
      const ys = tf.linspace(0, 1, 299).reshape([299, 1, 1]);
      const xs = tf.linspace(0, 1, 299).reshape([1, 299, 1]);
      const phase = tf.tensor1d([0, 2, 4]).reshape([1, 1, 3]);
      const img = tf
        .sin(xs.mul(17).add(ys.mul(9)).add(phase))
        .mul(tf.cos(ys.mul(5).sub(xs.mul(3))));
      return img.expandDims<tf.Tensor4D>(0);
    });
  }
  const { width, height, data } = decodeJpeg(readFileSync(PHOTO_PATH), { useTArray: true });
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = data[i * 4]!;
    rgb[i * 3 + 1] = data[i * 4 + 1]!;
    rgb[i * 3 + 2] = data[i * 4 + 2]!;
  }
  return tf.tidy(() => {
    const image = tf.tensor3d(rgb, [height, width, 3]);
    const resized = tf.image.resizeBilinear(image, [299, 299]);
    return resized.div(127.5).sub(1).expandDims<tf.Tensor4D>(0);
  });
}

describe('inceptionV3 builder', () => {
  test('parameter totals match Keras', () => {
    expect(withTop.name).toBe('inception_v3');
    expect(withTop.countParams()).toBe(23_851_784);
    const trainable = withTop.trainableWeights.reduce((n, w) => n + w.read().size, 0);
    const frozen = withTop.nonTrainableWeights.reduce((n, w) => n + w.read().size, 0);
    expect(trainable).toBe(23_817_352);
    expect(frozen).toBe(34_432);
    expect(withTop.outputs[0]!.shape).toEqual([null, 1000]);
    expect(withTop.layers.slice(-2).map((l) => l.name)).toEqual(['avg_pool', 'predictions']);

    expect(base.countParams()).toBe(21_802_784);
    expect(base.outputs[0]!.shape).toEqual([null, 8, 8, 2048]);
    expect(base.layers.at(-1)!.name).toBe('mixed10');
    expect(base.inputs[0]!.shape).toEqual([null, 299, 299, 3]);
    for (const block of INCEPTION_V3_BLOCKS) {
      expect(base.getLayer(block).getClassName()).toBe('Concatenate');
    }
    expect(INCEPTION_V3_BLOCKS).toHaveLength(11);
  });

  test('pooling, input size and classes options', () => {
    const avg = build({ includeTop: false, pooling: 'avg' });
    expect(avg.outputs[0]!.shape).toEqual([null, 2048]);
    expect(avg.layers.at(-1)!.getClassName()).toBe('GlobalAveragePooling2D');
    const max = build({ includeTop: false, pooling: 'max', inputShape: [75, 75, 3] });
    expect(max.outputs[0]!.shape).toEqual([null, 2048]);
    expect(max.layers.at(-1)!.getClassName()).toBe('GlobalMaxPooling2D');
    expect(max.getLayer('mixed10').outputShape).toEqual([null, 1, 1, 2048]);

    const five = build({ classes: 5, classifierActivation: 'linear' });
    expect(five.outputs[0]!.shape).toEqual([null, 5]);
    expect(five.countParams()).toBe(21_802_784 + 2048 * 5 + 5);
    const config = five.getLayer('predictions').getConfig();
    expect(config.activation).toBe('linear');
  });

  test('bad options throw clear errors', () => {
    expect(() => inceptionV3({ includeTop: false, inputShape: [74, 299, 3] })).toThrow(/75/);
    expect(() => inceptionV3({ includeTop: true, inputShape: [224, 224, 3] })).toThrow(
      /\[299,299,3\]/,
    );
    expect(() => inceptionV3({ includeTop: true, pooling: 'avg' })).toThrow(/includeTop: false/);
    expect(() => inceptionV3({ classes: 0 })).toThrow(/classes/);
    expect(() => inceptionV3({ classes: 2.5 })).toThrow(/classes/);
    expect(() => inceptionV3({ includeTop: false, pooling: 'min' as 'max' })).toThrow(/pooling/);
    expect(() => inceptionV3({ classifierActivation: 'relu' as 'linear' })).toThrow(
      /classifierActivation/,
    );
    expect(() =>
      inceptionV3({
        includeTop: false,
        inputShape: [299, 299] as unknown as [number, number, number],
      }),
    ).toThrow(/inputShape/);
  });
});

/** The structural facts compared between nsfwjs' Keras export and our build, per layer. */
function describeLayer(layer: tf.layers.Layer): Record<string, unknown> {
  const config = layer.getConfig();
  const rank = (layer.outputShape as (number | null)[]).length;
  const axis = config.axis as number | undefined;
  return {
    className: layer.getClassName(),
    kernelSize: config.kernelSize,
    strides: config.strides,
    padding: config.padding,
    filters: config.filters,
    units: config.units,
    poolSize: config.poolSize,
    activation: config.activation,
    useBias: config.useBias,
    epsilon: config.epsilon,
    momentum: config.momentum,
    center: config.center,
    scale: config.scale,
    // Keras wrote axis 3 for channels_last; ours says -1. Both mean the channel axis.
    axis: axis === undefined ? undefined : axis < 0 ? axis + rank : axis,
    outputShape: layer.outputShape,
    params: layer.countParams(),
    inbound: layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [],
  };
}

describe('matches the Keras InceptionV3 exported in nsfwjs', () => {
  test('architecture: same layers, order, names, configs and shapes up to mixed10', () => {
    const stop = nsfw.layers.findIndex((l) => l.name === 'mixed10');
    expect(stop).toBeGreaterThan(0);
    const theirs = nsfw.layers.slice(0, stop + 1);
    const ours = base.layers;
    expect(ours.length).toBe(theirs.length);
    expect(ours.length).toBe(311);

    ours.forEach((layer, i) => {
      const other = theirs[i]!;
      expect(layer.name, `layer #${i}`).toBe(other.name);
      expect(describeLayer(layer), `layer #${i} ${layer.name}`).toEqual(describeLayer(other));
    });

    // Spot-check Keras' auto-naming end points.
    const names = ours.map((l) => l.name);
    for (const name of ['input_1', 'conv2d_94', 'batch_normalization_94', 'activation_94']) {
      expect(names).toContain(name);
    }
    for (const name of ['max_pooling2d_4', 'average_pooling2d_9', 'concatenate_2', 'mixed9_1']) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('conv2d_95');
  });

  test('weights: copied nsfwjs weights give the same mixed10 activations', async () => {
    const before = tf.memory().numTensors;
    const copied = copyWeightsInOrder(nsfw, base, { stopAfter: 'mixed10' });
    expect(copied).toBe(188); // 94 Conv2D + 94 BatchNormalization
    expect(tf.memory().numTensors).toBe(before);

    const nsfwBase = tf.model({ inputs: nsfw.inputs, outputs: nsfw.getLayer('mixed10').output });
    const image = loadTestImage();
    try {
      expect(image.shape).toEqual([1, 299, 299, 3]);
      const ours = base.predict(image) as tf.Tensor;
      const theirs = nsfwBase.predict(image) as tf.Tensor;
      const [maxDiff, maxAbs] = await Promise.all([
        tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs)))).data(),
        tf.tidy(() => tf.max(tf.abs(theirs))).data(),
      ]);
      expect(ours.shape).toEqual([1, 8, 8, 2048]);
      tf.dispose([ours, theirs]);
      // Non-trivial activations, so the comparison is not vacuous.
      expect(maxAbs[0]!).toBeGreaterThan(0.1);
      expect(maxDiff[0]!).toBeLessThanOrEqual(1e-4);
    } finally {
      image.dispose();
    }
  });

  test('an ordered array source is accepted and checked', async () => {
    const entries: NamedLayerWeights[] = nsfw.layers
      .filter((l) => l.weights.length > 0)
      .map((l) => ({ name: l.name, className: l.getClassName(), weights: l.getWeights() }));
    const copied = copyWeightsInOrder(entries, withTop, { stopAfter: 'mixed10' });
    expect(copied).toBe(188);
    const [a, b] = await Promise.all([
      withTop.getLayer('conv2d_94').getWeights()[0]!.data(),
      nsfw.getLayer('conv2d_94').getWeights()[0]!.data(),
    ]);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Without stopAfter the nsfwjs head (3 Dense layers) cannot pair with `predictions`.
    expect(() => copyWeightsInOrder(entries, withTop)).toThrow(/stopAfter/);
  });
});

describe('copyWeightsInOrder mismatches', () => {
  const snapshot = (layers: tf.layers.Layer[]): Float32Array[] =>
    layers.flatMap((l) => l.getWeights().map((w) => w.dataSync().slice() as Float32Array));

  test('a different classes count is reported by layer and shape; target untouched', () => {
    const ten = build({ classes: 10 });
    const firstKernel = ten.getLayer('conv2d_1').getWeights()[0]!.dataSync().slice();
    const predictionsBefore = ten.getLayer('predictions').getWeights()[0]!.dataSync().slice();
    expect(() => copyWeightsInOrder(withTop, ten)).toThrow(
      'layer predictions: kernel shape [2048,10] does not match source predictions [2048,1000]',
    );
    // Nothing was written, not even the layers before the mismatch.
    expect(ten.getLayer('conv2d_1').getWeights()[0]!.dataSync()).toEqual(firstKernel);
    expect(ten.getLayer('predictions').getWeights()[0]!.dataSync()).toEqual(predictionsBefore);
  });

  test('a wrong-shape array source is reported by layer and shape; target untouched', () => {
    const weighted = base.layers.filter((l) => l.weights.length > 0).slice(0, 10);
    expect(weighted.map((l) => l.name).slice(8)).toEqual(['conv2d_5', 'batch_normalization_5']);
    const before = snapshot(weighted);
    const tensorsBefore = tf.memory().numTensors;
    const entries: NamedLayerWeights[] = weighted.map((layer) => ({
      name: layer.name,
      weights: layer.weights.map((w) =>
        layer.name === 'conv2d_5' ? tf.zeros([3, 3, 80, 191]) : tf.zeros(w.read().shape),
      ),
    }));
    try {
      expect(() => copyWeightsInOrder(entries, base, { stopAfter: 'activation_5' })).toThrow(
        'layer conv2d_5: kernel shape [3,3,80,192] does not match source conv2d_5 [3,3,80,191]',
      );
      const wrongClass = entries.map((e, i) => (i === 0 ? { ...e, className: 'Dense' } : e));
      expect(() => copyWeightsInOrder(wrongClass, base, { stopAfter: 'activation_5' })).toThrow(
        'layer conv2d_1: class Conv2D does not match source conv2d_1 class Dense',
      );
      expect(() => copyWeightsInOrder(entries, base, { stopAfter: 'no_such_layer' })).toThrow(
        /no layer named no_such_layer/,
      );
    } finally {
      for (const entry of entries) tf.dispose(entry.weights);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const after = snapshot(weighted);
    after.forEach((values, i) => expect(values).toEqual(before[i]));
  });
});

test('a predict wrapped in tidy leaks no tensors', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.randomUniform([1, 299, 299, 3], -1, 1, 'float32', 7);
    const y = withTop.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1000]);
  });
  expect(tf.memory().numTensors).toBe(before);
});
