import type * as tfTypes from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decode as decodeJpeg } from 'jpeg-js';
import { beforeAll, describe, expect, test } from 'vitest';
import { inceptionV3 } from '../../models/zoo/inception-v3';
import { zooEntry } from '../../models/zoo/zoo';
import { ensureTrainingKernels } from '../train/kernels';
import { runFrom } from '../train/model';
import { sharedPath, skipWithoutShared } from '../../test/shared-fixtures';
import { useWasmBackend } from '../../test/tf-node';
import { withSeededRandom } from '../../test/seeded';
import {
  blockLayers,
  camLayers,
  convInputGradient,
  defaultCamLayer,
  depthwiseAsConvKernel,
  gradCam,
  GradCamStopped,
} from './grad-cam';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const SIZE = 8;
const BN_EPSILON = 1e-3;
const BN_VARIANCE = [3, 5];
const RED = 0;
const GREEN = 1;

/**
 * A tiny conv net whose answer is known: `features` has a red detector (relu(R − G)) and a
 * green detector (relu(G − R)); two branches (a 1×1 identity conv and a pass-through) are
 * concatenated, averaged over the image, and `classes` adds each detector into its class.
 */
function colourNet(finalSoftmax: 'dense' | 'layer'): tfTypes.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  const features = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'features' })
    .apply(input) as tfTypes.SymbolicTensor;
  let branchA = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, name: 'branch_a' })
    .apply(features) as tfTypes.SymbolicTensor;
  // Keras' conv blocks normalise without a scale (as InceptionV3 does).
  branchA = tf.layers
    .batchNormalization({ scale: false, epsilon: BN_EPSILON, name: 'branch_a_bn' })
    .apply(branchA) as tfTypes.SymbolicTensor;
  const branchB = tf.layers
    .activation({ activation: 'linear', name: 'branch_b' })
    .apply(features) as tfTypes.SymbolicTensor;
  const merged = tf.layers
    .concatenate({ name: 'merge' })
    .apply([branchA, branchB]) as tfTypes.SymbolicTensor;
  const pooled = tf.layers
    .globalAveragePooling2d({ name: 'pool' })
    .apply(merged) as tfTypes.SymbolicTensor;
  let out = tf.layers
    .dense({
      units: 2,
      activation: finalSoftmax === 'dense' ? 'softmax' : 'linear',
      name: 'classes',
    })
    .apply(pooled) as tfTypes.SymbolicTensor;
  if (finalSoftmax === 'layer') {
    out = tf.layers
      .activation({ activation: 'softmax', name: 'probabilities' })
      .apply(out) as tfTypes.SymbolicTensor;
  }
  const model = tf.model({ inputs: input, outputs: out, name: 'colour_net' });
  tf.tidy(() => {
    // conv kernels [1, 1, in, out]
    model
      .getLayer('features')
      .setWeights([tf.tensor4d([1, -1, -1, 1, 0, 0], [1, 1, 3, 2]), tf.zeros([2])]);
    model.getLayer('branch_a').setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]), tf.zeros([2])]);
    // beta, moving mean, moving variance
    model
      .getLayer('branch_a_bn')
      .setWeights([tf.tensor1d([0.5, -0.5]), tf.tensor1d([0.2, 0.1]), tf.tensor1d(BN_VARIANCE)]);
    // merged channels: red, green (branch_a), red, green (branch_b)
    model
      .getLayer('classes')
      .setWeights([tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]), tf.zeros([2])]);
  });
  return model;
}

/** Random RGB intensities: red inside one quadrant, green everywhere else. */
function quadrantImage(quadrant: 'top-left' | 'bottom-right', seed = 7): Float32Array {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return 0.5 + (state / 0x1_0000_0000) * 0.5;
  };
  const half = SIZE / 2;
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = quadrant === 'top-left' ? y < half && x < half : y >= half && x >= half;
      data[(y * SIZE + x) * 3 + (inside ? 0 : 1)] = next();
    }
  }
  return data;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function quadrantOf(index: number, width: number, height: number): string {
  const y = Math.floor(index / width);
  const x = index % width;
  return `${y < height / 2 ? 'top' : 'bottom'}-${x < width / 2 ? 'left' : 'right'}`;
}

describe('Grad-CAM on a net whose answer is known', () => {
  test.each(['dense', 'layer'] as const)(
    'red is explained by the red quadrant, green by the rest (softmax in %s)',
    async (finalSoftmax) => {
      const model = colourNet(finalSoftmax);
      const before = tf.memory().numTensors;
      for (const quadrant of ['top-left', 'bottom-right'] as const) {
        const pixels = quadrantImage(quadrant);
        const input = tf.tensor4d(pixels, [1, SIZE, SIZE, 3]);
        const red = await gradCam(model, input, RED, 'features');
        const green = await gradCam(model, input, GREEN, 'features');
        input.dispose();

        expect([red.width, red.height]).toEqual([SIZE, SIZE]);
        expect(quadrantOf(argmax(red.grid), SIZE, SIZE)).toBe(quadrant);
        // Exactly the red detector's map, normalised: its weight is the sum over the two paths
        // (the normalised one scaled by 1/√(var + ε)) of 1/64 (the 8×8 average).
        const weight = (1 + 1 / Math.sqrt(BN_VARIANCE[0]! + BN_EPSILON)) / 64;
        const redness = Array.from({ length: SIZE * SIZE }, (_, i) => pixels[i * 3]!);
        const maxRed = Math.max(...redness);
        red.grid.forEach((v, i) => expect(v).toBeCloseTo(redness[i]! / maxRed, 5));
        // The score is the logit, not the probability: the raw maximum has no softmax factor.
        expect(red.rawMax).toBeCloseTo(weight * maxRed, 6);
        // Green: nothing inside the red quadrant.
        green.grid.forEach((v, i) => {
          if (quadrantOf(i, SIZE, SIZE) === quadrant) expect(v).toBe(0);
        });
        expect(Math.max(...green.grid)).toBeCloseTo(1, 6);

        // The probability is the model's own.
        const probs = tf.tidy(() =>
          (model.predict(tf.tensor4d(pixels, [1, SIZE, SIZE, 3])) as tfTypes.Tensor).dataSync(),
        );
        expect(red.probability).toBeCloseTo(probs[RED]!, 5);
        expect(green.probability).toBeCloseTo(probs[GREEN]!, 5);
      }
      // Deeper, after the branches joined: the same answer.
      const input = tf.tensor4d(quadrantImage('top-left'), [1, SIZE, SIZE, 3]);
      const merged = await gradCam(model, input, RED, 'merge');
      expect(quadrantOf(argmax(merged.grid), SIZE, SIZE)).toBe('top-left');
      input.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    },
  );

  test('the softmax swap is undone and the model still predicts the same', async () => {
    const model = colourNet('dense');
    const x = tf.tensor4d(quadrantImage('top-left'), [1, SIZE, SIZE, 3]);
    const before = (model.predict(x) as tfTypes.Tensor).arraySync();
    await gradCam(model, x, RED, 'features');
    const after = (model.predict(x) as tfTypes.Tensor).arraySync();
    expect(after).toEqual(before);
    expect(model.getLayer('classes').getConfig()['activation']).toBe('softmax');
    tf.dispose(x);
    model.dispose();
  });

  test('an image without any red gives an all-zero map for red, not NaNs', async () => {
    const model = colourNet('dense');
    const pixels = new Float32Array(SIZE * SIZE * 3);
    for (let i = 0; i < SIZE * SIZE; i++) pixels[i * 3 + 1] = 1;
    const x = tf.tensor4d(pixels, [1, SIZE, SIZE, 3]);
    const red = await gradCam(model, x, RED, 'features');
    expect(red.rawMax).toBe(0);
    expect([...red.grid].every((v) => v === 0)).toBe(true);
    x.dispose();
    model.dispose();
  });

  test('bad requests are refused with a clear reason, leaving no tensors', async () => {
    const model = colourNet('dense');
    const x = tf.tensor4d(quadrantImage('top-left'), [1, SIZE, SIZE, 3]);
    const before = tf.memory().numTensors;
    await expect(gradCam(model, x, RED, 'nope')).rejects.toThrow("no layer named 'nope'");
    await expect(gradCam(model, x, RED, 'pool')).rejects.toThrow('spatial (4-D) output');
    await expect(gradCam(model, x, RED, 'image')).rejects.toThrow('spatial (4-D) output');
    await expect(gradCam(model, x, 2, 'features')).rejects.toThrow('outside the model');
    await expect(gradCam(model, x, -1, 'features')).rejects.toThrow('outside the model');
    const two = tf.concat<tfTypes.Tensor4D>([x, x]);
    await expect(gradCam(model, two, RED, 'features')).rejects.toThrow('one image at a time');
    two.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('a stop between the stages leaves nothing behind', async () => {
    const model = colourNet('dense');
    const x = tf.tensor4d(quadrantImage('top-left'), [1, SIZE, SIZE, 3]);
    const before = tf.memory().numTensors;
    const stages: string[] = [];
    await expect(
      gradCam(model, x, RED, 'features', {
        onStage: (s) => stages.push(s),
        shouldStop: () => true,
      }),
    ).rejects.toBeInstanceOf(GradCamStopped);
    expect(stages).toEqual(['forward']);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('a Sequential model works too', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [SIZE, SIZE, 3],
          filters: 2,
          kernelSize: 1,
          activation: 'relu',
          name: 'features',
        }),
        tf.layers.globalAveragePooling2d({ name: 'pool' }),
        tf.layers.dense({ units: 2, activation: 'softmax', name: 'classes' }),
      ],
    });
    tf.tidy(() => {
      model
        .getLayer('features')
        .setWeights([tf.tensor4d([1, -1, -1, 1, 0, 0], [1, 1, 3, 2]), tf.zeros([2])]);
      model.getLayer('classes').setWeights([tf.tensor2d([1, 0, 0, 1], [2, 2]), tf.zeros([2])]);
    });
    expect(camLayers(model).map((l) => l.name)).toEqual(['features']);
    expect(defaultCamLayer(model)).toBe('features');
    const x = tf.tensor4d(quadrantImage('bottom-right'), [1, SIZE, SIZE, 3]);
    const red = await gradCam(model, x, RED, 'features');
    expect(quadrantOf(argmax(red.grid), SIZE, SIZE)).toBe('bottom-right');
    x.dispose();
    model.dispose();
  });
});

test('a depthwise kernel as a block-diagonal conv kernel computes the same', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.randomUniform<tfTypes.Rank.R4>([1, 9, 9, 3], -1, 1, 'float32', 1);
    const kernel = tf.randomUniform<tfTypes.Rank.R4>([3, 3, 3, 2], -1, 1, 'float32', 2);
    const full = depthwiseAsConvKernel(kernel);
    expect(full.shape).toEqual([3, 3, 3, 6]);
    for (const [strides, pad] of [
      [1, 'same'],
      [2, 'valid'],
    ] as const) {
      const a = tf.depthwiseConv2d(x, kernel, strides, pad);
      const b = tf.conv2d(x, full, strides, pad);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    }
  });
  expect(tf.memory().numTensors).toBe(before);
});

test.each([
  { size: [9, 9], kernel: [3, 3], strides: [1, 1], padding: 'same' },
  { size: [9, 9], kernel: [3, 3], strides: [2, 2], padding: 'valid' },
  { size: [10, 8], kernel: [3, 3], strides: [2, 2], padding: 'same' },
  { size: [11, 11], kernel: [1, 7], strides: [1, 1], padding: 'same' },
  { size: [8, 8], kernel: [7, 1], strides: [1, 1], padding: 'same' },
  { size: [12, 12], kernel: [5, 5], strides: [3, 2], padding: 'valid' },
  { size: [6, 6], kernel: [1, 1], strides: [2, 2], padding: 'valid' },
] as const)(
  'the input gradient as a conv equals tfjs own ($kernel kernel, strides $strides, $padding)',
  ({ size, kernel, strides, padding }) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomUniform<tfTypes.Rank.R4>([1, size[0], size[1], 3], -1, 1, 'float32', 4);
      const k = tf.randomUniform<tfTypes.Rank.R4>(
        [kernel[0], kernel[1], 3, 5],
        -1,
        1,
        'float32',
        5,
      );
      const y = tf.conv2d(x, k, [...strides], padding);
      const dy = tf.randomUniform<tfTypes.Rank.R4>(y.shape, -1, 1, 'float32', 6);
      const ours = convInputGradient(dy, k, x.shape, strides, padding);
      const theirs = tf.conv2dTranspose(dy, k, x.shape, [...strides], padding);
      expect(ours.shape).toEqual(x.shape);
      expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  },
);

describe('Grad-CAM on InceptionV3', () => {
  test('mixed10 by default (8×8), any block selectable, same probability as predict', async () => {
    const model = inceptionV3();
    expect(defaultCamLayer(model)).toBe('mixed10');
    expect(blockLayers(model)).toEqual(Array.from({ length: 11 }, (_, i) => `mixed${i}`));
    const layers = camLayers(model);
    expect(layers[0]).toEqual({ name: 'conv2d_1', shape: [149, 149, 32] });
    expect(layers.find((l) => l.name === 'mixed10')).toEqual({
      name: 'mixed10',
      shape: [8, 8, 2048],
    });
    expect(layers.some((l) => l.name === 'avg_pool' || l.name === 'input_1')).toBe(false);

    const x = tf.randomUniform<tfTypes.Rank.R4>([1, 299, 299, 3], -1, 1, 'float32', 3);
    const probs = tf.tidy(() => (model.predict(x) as tfTypes.Tensor).dataSync());
    const before = tf.memory().numTensors;
    const top = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!)[0]!;
    const last = await gradCam(model, x, top, 'mixed10');
    expect([last.width, last.height]).toEqual([8, 8]);
    expect(last.probability).toBeCloseTo(probs[top]!, 5);
    const mid = await gradCam(model, x, top, 'mixed7');
    expect([mid.width, mid.height]).toEqual([17, 17]);
    expect(mid.probability).toBeCloseTo(probs[top]!, 5);
    for (const map of [last, mid]) {
      expect([...map.grid].every((v) => v >= 0 && v <= 1)).toBe(true);
      if (map.rawMax > 0) expect(Math.max(...map.grid)).toBeCloseTo(1, 6);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

const MOBILENET = sharedPath('models/mobilenet_v1_0.75_224/model.json');
const DOG = sharedPath('photos/dog.jpg');
const skipMobileNet = skipWithoutShared([MOBILENET, DOG], 'the Grad-CAM MobileNet test');

describe.skipIf(skipMobileNet)('Grad-CAM on the real MobileNet', () => {
  test('explains the dog photo at conv_pw_13_relu (7×7)', async () => {
    const json = JSON.parse(readFileSync(MOBILENET, 'utf8')) as tfTypes.io.ModelJSON;
    const dir = resolve(MOBILENET, '..');
    const artifacts = await tf.io.getModelArtifactsForJSON(json, (manifest) => {
      const specs = manifest.flatMap((g) => g.weights);
      const buffers = manifest
        .flatMap((g) => g.paths)
        .map((p) => new Uint8Array(readFileSync(resolve(dir, p))).buffer);
      return Promise.resolve([specs, tf.io.CompositeArrayBuffer.join(buffers)]);
    });
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(defaultCamLayer(model)).toBe('conv_pw_13_relu');
    const jpeg = decodeJpeg(readFileSync(DOG), { useTArray: true });
    const x = tf.tidy(() => {
      const rgb = tf
        .tensor3d(jpeg.data, [jpeg.height, jpeg.width, 4], 'int32')
        .slice([0, 0, 0], [-1, -1, 3]);
      const resized = tf.image.resizeBilinear(rgb.toFloat(), [224, 224]);
      return resized
        .div<tfTypes.Tensor3D>(127.5)
        .sub<tfTypes.Tensor3D>(1)
        .expandDims<tfTypes.Tensor4D>(0);
    });
    const probs = tf.tidy(() => (model.predict(x) as tfTypes.Tensor).dataSync());
    const top = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!)[0]!;
    const before = tf.memory().numTensors;
    const map = await gradCam(model, x, top, defaultCamLayer(model));
    expect([map.width, map.height]).toEqual([7, 7]);
    expect(map.rawMax).toBeGreaterThan(0);
    expect(map.probability).toBeCloseTo(probs[top]!, 4);
    // Further back, through depthwise convolutions (no WASM kernel for their input gradient).
    const early = await gradCam(model, x, top, 'conv_pw_5_relu');
    expect([early.width, early.height]).toEqual([28, 28]);
    expect(early.rawMax).toBeGreaterThan(0);
    expect(early.probability).toBeCloseTo(probs[top]!, 4);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

test("EfficientNetB0: Grad-CAM at block6d_add equals tf.grad's through squeeze-and-excitation", async () => {
  // Random weights, 32 × 32 (block6d_add is 1 × 1 there: use 64 for a 2 × 2 map), logits out.
  // The weights are seeded: with unseeded ones, about one build in ten (seed 5 here) gives a map
  // that is zero everywhere for class 2, and the test failed at random (issue 19's flake hunt).
  const model = withSeededRandom(1, () =>
    zooEntry('efficientnetb0').build({
      inputShape: [64, 64, 3],
      classes: 5,
      classifierActivation: 'linear',
    }),
  );
  const x: tfTypes.Tensor4D = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 7);
  try {
    const layer = model.getLayer('block6d_add').output as tfTypes.SymbolicTensor;
    // The reference: tf.grad of the class logit with respect to the layer's output (the wasm
    // backend needs Teach's gradient kernels for that; Grad-CAM itself does without).
    ensureTrainingKernels();
    const want = tf.tidy(() => {
      const view = tf.model({ inputs: model.inputs, outputs: layer });
      const a = view.predict(x) as tfTypes.Tensor4D;
      const grad = tf.grad((t: tfTypes.Tensor) =>
        runFrom(model, layer, t, { training: false }).slice([0, 2], [1, 1]).sum(),
      )(a);
      const weights = grad.mean([1, 2], true);
      return tf.relu(tf.sum(tf.mul(a, weights), -1)).flatten();
    });
    const raw = Array.from(want.dataSync());
    want.dispose();
    const got = await gradCam(model, x, 2, 'block6d_add');
    expect([got.width, got.height]).toEqual([2, 2]);
    const max = Math.max(...raw);
    expect(max).toBeGreaterThan(0);
    // Relative: the raw maximum is ≈ 3.5e-5 here, below toBeCloseTo's absolute precision.
    expect(Math.abs(got.rawMax - max) / max).toBeLessThan(1e-3);
    raw.forEach((v, i) => expect(got.grid[i]).toBeCloseTo(v / max, 4));
  } finally {
    x.dispose();
    model.dispose();
  }
}, 120_000);
