import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import { rgbaToRgbFloat } from '../../preprocess/pixels';
import { useWasmBackend } from '../../test/tf-node';
import {
  createClassifier,
  inputSizeOf,
  numClassesOf,
  fitsSide,
  PRIME_SIDE,
  warmUpSide,
  type Classifier,
} from './classifier';
import type { ResolvedLabels } from './labels';

const NAMES = ['apple', 'banana', 'cherry', 'date'];

const ENTRY: ModelEntry = {
  id: 'tiny',
  name: 'Tiny net',
  url: 'https://example.test/tiny/model.json',
  inputSize: null,
  inputRange: [-1, 1],
  labels: { kind: 'list', labels: NAMES },
  labelOffset: 0,
};

const LABELS: ResolvedLabels = { labels: NAMES, offset: 0, source: 'list' };

/** Every model built here; the ones not owned by a classifier are disposed in afterAll. */
const models: tf.LayersModel[] = [];

/** Deterministic, varied weights: a fixed function of the position in each tensor. */
function setDeterministicWeights(model: tf.LayersModel): void {
  const values = model.weights.map((w, k) => {
    const size = w.shape.reduce<number>((n, d) => n * (d ?? 1), 1);
    const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + k * 1.3) * 0.5);
    return tf.tensor(data, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** input [8, 8, 3] → conv → global average pooling → dense 4 (softmax or linear). */
function tinyModel(activation: 'softmax' | 'linear' = 'softmax'): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation }),
    ],
  });
  setDeterministicWeights(model);
  return model;
}

/** A model with the given input shape and a [batch, 2] output, for inputSizeOf checks. */
function modelWithInput(shape: (number | null)[]): tf.LayersModel {
  const input = tf.input({ shape });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  models.push(model);
  return model;
}

/** Deterministic `width × height` RGBA bytes with varied colours. */
function image(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = (i * 29) % 256;
    rgba[i * 4 + 1] = (i * 53 + 17) % 256;
    rgba[i * 4 + 2] = (255 - i * 7) & 255;
    rgba[i * 4 + 3] = i % 2 ? 255 : 0; // alpha must not matter
  }
  return rgba;
}

/** What the model gives for the same preprocessing, computed by hand. */
async function manualScores(
  model: tf.LayersModel,
  rgba: Uint8Array,
  width: number,
  height: number,
): Promise<number[]> {
  const out = tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(rgbaToRgbFloat(rgba, [-1, 1]), [1, height, width, 3]);
    if (width !== 8 || height !== 8) x = tf.image.resizeBilinear(x, [8, 8]);
    return model.predict(x) as tf.Tensor;
  });
  const values = Array.from(await out.data());
  out.dispose();
  return values;
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

let softmaxModel: tf.Sequential;
let classifier: Classifier;

beforeAll(async () => {
  await useWasmBackend();
  softmaxModel = tinyModel('softmax');
  classifier = createClassifier(softmaxModel, ENTRY, LABELS);
});

afterAll(() => {
  classifier?.dispose();
  for (const model of models) model.dispose();
});

describe('createClassifier', () => {
  test('describes the model', () => {
    expect(classifier.info).toEqual({
      id: 'tiny',
      name: 'Tiny net',
      url: ENTRY.url,
      inputSize: 8,
      inputRange: [-1, 1],
      numClasses: 4,
      labelSource: 'list',
      params: softmaxModel.countParams(),
    });
    // conv 3·3·3·6 + 6, dense 6·4 + 4
    expect(classifier.info.params).toBe(162 + 6 + 24 + 4);
  });

  test('classify returns the top 3, sorted, labelled from the list', async () => {
    const predictions = await classifier.classify(image(8, 8), 8, 8, 3);
    expect(predictions).toHaveLength(3);
    const probabilities = predictions.map((p) => p.probability);
    expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
    for (const p of predictions) {
      expect(p.label).toBe(NAMES[p.index]);
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThan(1);
    }
    expect(new Set(predictions.map((p) => p.index)).size).toBe(3);
  });

  test('the probabilities over all classes sum to 1', async () => {
    const all = await classifier.classify(image(8, 8), 8, 8, 4);
    expect(all.map((p) => p.index).sort()).toEqual([0, 1, 2, 3]);
    expect(all.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
  });

  test('equals a manual model.predict on the same preprocessed input', async () => {
    const rgba = image(8, 8);
    const expected = await manualScores(softmaxModel, rgba, 8, 8);
    // The fixture must discriminate: scores are not all equal.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1e-3);
    const all = await classifier.classify(rgba, 8, 8, 4);
    for (const p of all) expect(p.probability).toBeCloseTo(expected[p.index] as number, 6);
    const best = expected.indexOf(Math.max(...expected));
    expect(all[0]?.index).toBe(best);
  });

  test('different images give different scores', async () => {
    const a = await classifier.classify(image(8, 8), 8, 8, 4);
    const b = await classifier.classify(new Uint8Array(8 * 8 * 4).fill(255), 8, 8, 4);
    const byIndex = (ps: typeof a) => ps.slice().sort((x, y) => x.index - y.index);
    expect(byIndex(a).map((p) => p.probability)).not.toEqual(byIndex(b).map((p) => p.probability));
  });

  test('an input of another size (16×16, 12×9) is resized to the model input', async () => {
    for (const [w, h] of [
      [16, 16],
      [12, 9],
    ] as const) {
      const rgba = image(w, h);
      const expected = await manualScores(softmaxModel, rgba, w, h);
      const all = await classifier.classify(rgba, w, h, 4);
      expect(all).toHaveLength(4);
      for (const p of all) expect(p.probability).toBeCloseTo(expected[p.index] as number, 6);
    }
  });

  test('a wrong byte length throws before running the model', async () => {
    const before = tf.memory().numTensors;
    await expect(classifier.classify(new Uint8Array(8 * 8 * 4 - 4), 8, 8, 3)).rejects.toThrow(
      'expected 8×8 RGBA pixels, got 252 bytes',
    );
    await expect(classifier.classify(image(8, 8), 16, 16, 3)).rejects.toThrow(/16×16/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('classify and warmUp leave no tensors behind', async () => {
    await classifier.classify(image(8, 8), 8, 8, 3); // first call may initialise kernels
    const before = tf.memory().numTensors;
    await classifier.classify(image(8, 8), 8, 8, 3);
    await classifier.classify(image(16, 16), 16, 16, 2);
    expect(tf.memory().numTensors).toBe(before);
    const ms = await classifier.warmUp();
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(ms)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a model ending in logits gets softmaxed probabilities', async () => {
    const logitModel = tinyModel('linear');
    const logits = createClassifier(logitModel, ENTRY, LABELS);
    try {
      const rgba = image(8, 8);
      const raw = await manualScores(logitModel, rgba, 8, 8);
      // The fixture must really be logits, not already a distribution.
      expect(raw.some((v) => v < 0) || Math.abs(raw.reduce((a, b) => a + b, 0) - 1) > 0.01).toBe(
        true,
      );
      const expected = softmax(raw);
      const all = await logits.classify(rgba, 8, 8, 4);
      expect(all.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
      for (const p of all) expect(p.probability).toBeCloseTo(expected[p.index] as number, 5);
      expect(all[0]?.index).toBe(raw.indexOf(Math.max(...raw)));
    } finally {
      logits.dispose();
    }
  });

  test('labels honour an offset ("background" for output 0)', async () => {
    const model = tinyModel('softmax');
    const withBackground = createClassifier(
      model,
      { ...ENTRY, labels: { kind: 'list', labels: NAMES.slice(1) }, labelOffset: 1 },
      { labels: NAMES.slice(1), offset: 1, source: 'list' },
    );
    try {
      const all = await withBackground.classify(image(8, 8), 8, 8, 4);
      for (const p of all) {
        expect(p.label).toBe(p.index === 0 ? 'background' : NAMES[p.index]);
      }
    } finally {
      withBackground.dispose();
    }
  });

  test('dispose releases the model weights', () => {
    const model = tinyModel('softmax');
    const c = createClassifier(model, ENTRY, LABELS);
    const before = tf.memory().numTensors;
    c.dispose();
    expect(tf.memory().numTensors).toBe(before - model.weights.length);
  });
});

describe('createClassifier with an inference model (the fast path)', () => {
  test('classify and warm-up run the inference model; `model` stays the original; both disposed', async () => {
    const original = tinyModel('softmax');
    const fast = tinyModel('softmax');
    // Different weights, so which model ran shows in the scores.
    const flipped = fast.getWeights().map((w) => tf.mul(w, -1));
    fast.setWeights(flipped);
    tf.dispose(flipped);
    const before = tf.memory().numTensors;
    const c = createClassifier(original, ENTRY, LABELS, { inferenceModel: fast });
    expect(await c.original!()).toBe(original);
    const rgba = image(8, 8);
    const got = await c.classify(rgba, 8, 8, 4);
    const want = await manualScores(fast, rgba, 8, 8);
    for (const p of got) expect(p.probability).toBeCloseTo(want[p.index] as number, 5);
    await c.warmUp();
    expect(tf.memory().numTensors).toBe(before);
    c.dispose();
    // LayerVariable keeps its tensor in a protected field; disposal shows there.
    const disposed = (m: tf.LayersModel): boolean =>
      m.weights.every((w) => (w as unknown as { val: tf.Tensor }).val.isDisposed);
    expect(disposed(original)).toBe(true);
    expect(disposed(fast)).toBe(true);
  });
});

describe("the priming warm-up (a load's first, on WebAssembly)", () => {
  test("warmUpSide: small on WebAssembly and the CPU; the model's own size on GPUs", () => {
    const model = tinyModel();
    models.push(model);
    const big = sized(299, [tf.layers.globalAveragePooling2d({})]).model;
    models.push(big);
    expect(warmUpSide(299, 'wasm', big)).toBe(PRIME_SIDE);
    expect(warmUpSide(299, 'cpu', big)).toBe(PRIME_SIDE);
    expect(warmUpSide(8, 'wasm', model)).toBe(8); // never larger than the model's own
    expect(warmUpSide(299, 'webgl', big)).toBe(299);
    expect(warmUpSide(299, 'webgpu', big)).toBe(299);
  });

  test('fitsSide: worked out from the layers, none empty, no Flatten or Reshape', () => {
    const pooled = sized(96, [tf.layers.globalAveragePooling2d({})]).model;
    const flat = sized(96, [tf.layers.flatten({})]).model;
    const reshaped = sized(96, [tf.layers.reshape({ targetShape: [47 * 47 * 4] })]).model;
    // a 90-pixel kernel (no padding) cannot slide over a 75-pixel input
    const bigKernel = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [96, 96, 3], filters: 2, kernelSize: 90 }),
        tf.layers.globalAveragePooling2d({}),
      ],
    });
    // a functional model with a branch and a merge (InceptionV3's shape of graph)
    const input = tf.input({ shape: [96, 96, 3] });
    const left = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input);
    const right = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(input);
    const merged = tf.layers.concatenate().apply([left, right] as tf.SymbolicTensor[]);
    const deep = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, strides: 2 })
      .apply(merged) as tf.SymbolicTensor;
    const branched = tf.model({
      inputs: input,
      outputs: tf.layers.globalAveragePooling2d({}).apply(deep) as tf.SymbolicTensor,
    });
    models.push(pooled, flat, reshaped, bigKernel, branched);
    expect(fitsSide(pooled, 75)).toBe(true);
    expect(fitsSide(branched, 75)).toBe(true);
    expect(fitsSide(branched, 2)).toBe(false); // the strided conv's output would be empty
    expect(fitsSide(flat, 75)).toBe(false);
    expect(fitsSide(reshaped, 75)).toBe(false);
    expect(fitsSide(bigKernel, 75)).toBe(false);
    expect(fitsSide(bigKernel, 96)).toBe(true);
  });
  /** Records the input side of every run of `model` (its `execute`), in order. */
  function sidesRun(model: tf.LayersModel): number[] {
    const ran: number[] = [];
    const execute = model.execute.bind(model);
    model.execute = (inputs, outputs) => {
      ran.push((inputs as tf.Tensor).shape[1] as number);
      return execute(inputs, outputs);
    };
    return ran;
  }

  /** A model on a `side`-pixel input, with the sides of each input it was executed on. */
  function sized(
    side: number,
    middle: tf.layers.Layer[],
  ): { model: tf.LayersModel; ran: number[] } {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [side, side, 3], filters: 4, kernelSize: 3, strides: 2 }),
        ...middle,
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    setDeterministicWeights(model);
    return { model, ran: sidesRun(model) };
  }

  test('a pooled model primes at the small side, then answers full-size photos as before', async () => {
    const { model, ran } = sized(96, [tf.layers.globalAveragePooling2d({})]);
    const c = createClassifier(model, { ...ENTRY, id: 'pooled' }, LABELS);
    try {
      const before = tf.memory().numTensors;
      await c.warmUp({ prime: true });
      expect(ran).toEqual([PRIME_SIDE]);
      await c.warmUp(); // not priming: the model's own size
      expect(ran).toEqual([PRIME_SIDE, 96]);
      expect(tf.memory().numTensors).toBe(before);
      const rgba = image(96, 96);
      const got = await c.classify(rgba, 96, 96, 4);
      const want = tf.tidy(() =>
        (
          model.predict(tf.tensor4d(rgbaToRgbFloat(rgba, [-1, 1]), [1, 96, 96, 3])) as tf.Tensor
        ).dataSync(),
      );
      for (const p of got) expect(p.probability).toBeCloseTo(want[p.index] as number, 5);
    } finally {
      c.dispose();
    }
  });

  test('a model with Flatten warms up at its own size', async () => {
    const { model, ran } = sized(96, [tf.layers.flatten({})]);
    const c = createClassifier(model, { ...ENTRY, id: 'flat' }, LABELS);
    try {
      await c.warmUp({ prime: true });
      expect(ran).toEqual([96]);
    } finally {
      c.dispose();
    }
  });

  test('a model the small input does not fit is warmed at its own size (the small run never starts)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [96, 96, 3], filters: 2, kernelSize: 90 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    setDeterministicWeights(model);
    const ran = sidesRun(model);
    const c = createClassifier(model, { ...ENTRY, id: 'big-kernel' }, LABELS);
    try {
      const before = tf.memory().numTensors;
      await c.warmUp({ prime: true });
      expect(ran).toEqual([96]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      c.dispose();
    }
  });
});

describe('inputSizeOf', () => {
  test('reads a square input size from the model', () => {
    expect(inputSizeOf(softmaxModel, ENTRY)).toBe(8);
    expect(inputSizeOf(modelWithInput([5, 5, 3]), ENTRY)).toBe(5);
  });

  test('a variable-size model needs the size from the entry', () => {
    const model = modelWithInput([null, null, 3]);
    expect(inputSizeOf(model, { ...ENTRY, inputSize: 32 })).toBe(32);
    expect(() => inputSizeOf(model, ENTRY)).toThrow('Tiny net does not say its input size');
  });

  test('rejects non-square inputs, naming the size', () => {
    expect(() => inputSizeOf(modelWithInput([8, 16, 3]), ENTRY)).toThrow(
      'Tiny net expects 16×8 images; only square inputs are supported',
    );
  });

  test('rejects 1-channel (and 4-channel) inputs, naming the shape', () => {
    expect(() => inputSizeOf(modelWithInput([8, 8, 1]), ENTRY)).toThrow(
      'Tiny net expects input shape [, 8, 8, 1]; an image classifier takes [batch, height, width, 3]',
    );
    expect(() => inputSizeOf(modelWithInput([8, 8, 4]), ENTRY)).toThrow(
      /\[batch, height, width, 3\]/,
    );
  });

  test('rejects inputs that are not images', () => {
    const input = tf.input({ shape: [10] });
    const output = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const flat = tf.model({ inputs: input, outputs: output });
    models.push(flat);
    expect(() => inputSizeOf(flat, ENTRY)).toThrow(/expects input shape \[, 10\]/);
    expect(() => createClassifier(flat, ENTRY, LABELS)).toThrow(/\[batch, height, width, 3\]/);
  });
});

describe('numClassesOf', () => {
  test('reads the class count from a [batch, classes] output', () => {
    expect(numClassesOf(softmaxModel, ENTRY)).toBe(4);
  });

  test('rejects a [batch, h, w, c] output', () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 5, kernelSize: 3 })],
    });
    models.push(model);
    expect(() => numClassesOf(model, ENTRY)).toThrow(
      'Tiny net outputs shape [, 6, 6, 5], not [batch, classes]',
    );
    expect(() => createClassifier(model, ENTRY, LABELS)).toThrow(/not \[batch, classes\]/);
  });
});

describe('classifyWithFeatures (pooled features for similar photos)', () => {
  test('returns the same top-k as classify and the pooled layer, quantised, leaving no tensors', async () => {
    const model = tinyModel('softmax');
    const c = createClassifier(model, ENTRY, LABELS);
    const rgba = image(8, 8);
    const plain = await c.classify(rgba, 8, 8, 4);
    const before = tf.memory().numTensors;
    const got = await c.classifyWithFeatures!(rgba, 8, 8, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.predictions.map((p) => p.index)).toEqual(plain.map((p) => p.index));
    for (let i = 0; i < plain.length; i++) {
      expect(got.predictions[i]!.probability).toBeCloseTo(plain[i]!.probability, 6);
    }
    // The pooled layer by hand: conv → global average pooling, 6 values.
    const pooled = tf.tidy(() => {
      const x = tf.tensor4d(rgbaToRgbFloat(rgba, ENTRY.inputRange), [1, 8, 8, 3]);
      const conv = model.layers[0]!.apply(x) as tf.Tensor;
      return model.layers[1]!.apply(conv) as tf.Tensor;
    });
    const want = (await pooled.data()) as Float32Array;
    pooled.dispose();
    expectInt8Features(got.features, want);
    c.dispose();
  });
});

/** `features` is `want` scaled to ±127 by its largest magnitude and rounded (int8 features). */
function expectInt8Features(
  features: ArrayLike<number> | null | undefined,
  want: Float32Array,
): void {
  expect(features).toHaveLength(want.length);
  const max = Math.max(...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(features![i]! - (want[i]! / max) * 127)).toBeLessThanOrEqual(0.5001);
  }
}

describe('classifyWithFeatures on a VGG16-shaped model (no global pooling)', () => {
  test('the features are block5_pool averaged over space (5 channels), not fc2', async () => {
    // VGG16's top in miniature: two blocks, Flatten, fc1, fc2 (8 units), predictions.
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          name: 'block1_conv1',
        }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }),
        tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'block5_conv1' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'block5_pool' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 8, activation: 'relu', name: 'fc1' }),
        tf.layers.dense({ units: 8, activation: 'relu', name: 'fc2' }),
        tf.layers.dense({ units: 4, activation: 'softmax', name: 'predictions' }),
      ],
    });
    setDeterministicWeights(model);
    const c = createClassifier(model, ENTRY, LABELS);
    const rgba = image(8, 8);
    const before = tf.memory().numTensors;
    const got = await c.classifyWithFeatures!(rgba, 8, 8, 4);
    expect(tf.memory().numTensors).toBe(before);
    const want = tf.tidy(() => {
      let x: tf.Tensor = tf.tensor4d(rgbaToRgbFloat(rgba, ENTRY.inputRange), [1, 8, 8, 3]);
      for (let i = 0; i < 4; i++) x = model.layers[i]!.apply(x) as tf.Tensor;
      return x.mean([1, 2]);
    });
    const pooled = (await want.data()) as Float32Array;
    want.dispose();
    expectInt8Features(got.features, pooled);
    c.dispose();
  });
});

describe('the engine seam (another engine runs the photos)', () => {
  /** A fake engine answering fixed probabilities and features, or failing on purpose. */
  function fakeEngine(fail = false) {
    const engine = {
      name: 'litert' as const,
      detail: 'fake',
      threads: 1,
      runs: [] as number[],
      disposed: false,
      run(input: Float32Array) {
        engine.runs.push(input.length);
        if (fail) return Promise.reject(new Error('wasm trap'));
        return Promise.resolve({
          probs: new Float32Array([0.1, 0.2, 0.3, 0.4]),
          features: new Float32Array([1, 0, 0, 0, 0, -1]),
        });
      },
      dispose() {
        engine.disposed = true;
      },
    };
    return engine;
  }

  test('photos at the input size go to the engine, with features; other sizes to TF.js', async () => {
    const classifier = createClassifier(tinyModel(), ENTRY, LABELS);
    const host = classifier.engineHost!;
    expect(host.inputSize).toBe(8);
    expect(host.featuresLayer).toMatch(/global_average_pooling2d/);
    const engine = fakeEngine();
    host.use(engine);
    const { predictions, features } = await classifier.classifyWithFeatures!(image(8, 8), 8, 8, 2);
    expect(engine.runs).toEqual([8 * 8 * 3]);
    expect(predictions.map((p) => p.label)).toEqual(['date', 'cherry']);
    expect(Array.from(features!)).toEqual([127, 0, 0, 0, 0, -127]);
    // 16×16 needs resizing, which only TF.js does: not sent to the engine.
    const resized = await classifier.classify(image(16, 16), 16, 16, 4);
    expect(engine.runs).toHaveLength(1);
    expect(resized.map((p) => p.probability)).not.toEqual([0.4, 0.3, 0.2, 0.1]);
    classifier.dispose();
    expect(engine.disposed).toBe(true);
  });

  test('an engine failure hands this photo and the next back to TF.js for good', async () => {
    const classifier = createClassifier(tinyModel(), ENTRY, LABELS);
    const want = await classifier.classify(image(8, 8), 8, 8, 4);
    const engine = fakeEngine(true);
    classifier.engineHost!.use(engine);
    expect(await classifier.classify(image(8, 8), 8, 8, 4)).toEqual(want);
    expect(engine.disposed).toBe(true);
    expect(await classifier.classify(image(8, 8), 8, 8, 4)).toEqual(want);
    expect(engine.runs).toHaveLength(1);
    classifier.dispose();
  });

  test('infer runs TF.js on a ready input and leaves no tensors', async () => {
    const classifier = createClassifier(tinyModel(), ENTRY, LABELS);
    const host = classifier.engineHost!;
    const before = tf.memory().numTensors;
    const out = await host.infer(host.input(image(8, 8)));
    expect(out.probs).toHaveLength(4);
    expect(out.features).toHaveLength(6);
    expect(tf.memory().numTensors).toBe(before);
    const shown = await classifier.classify(image(8, 8), 8, 8, 1);
    expect(shown[0]!.probability).toBeCloseTo(Math.max(...out.probs), 6);
    classifier.dispose();
  });
});
