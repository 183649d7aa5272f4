/**
 * The Keras `.h5` export: a Teach-shaped model (a zoo base without its top, pooled, plus a Dense
 * softmax head) and a model that is no Keras application are written, read back by the reader
 * model:fetch and the Models tab use, and compared weight for weight and prediction for
 * prediction; Debian's h5py then checks the layout is that of Keras' own weight files.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sharedRequired } from '../test/shared-fixtures';
import { useWasmBackend } from '../test/tf-node';
import { openH5, readKerasWeightFile } from './keras-h5';
import { planKerasExport, type KerasExportPlan } from './keras-h5-export';
import { kerasH5Bytes, type H5Writer } from './keras-h5-write';
import { buildForMatch, zooFromKerasWeights } from './keras-h5-zoo';
import { inceptionV3 } from './zoo/inception-v3';
import { mobileNet } from './zoo/mobilenet';
import { vgg16 } from './zoo/vgg16';
import { zooEntry } from './zoo/zoo';
import { attachHead, cloneModel, featureCutOf, poolFeatures } from '../inference/train/model';

let tf: typeof tfTypes;
let h5: typeof import('h5wasm/node');
let writer: H5Writer;
const scratch = mkdtempSync(join(tmpdir(), 'lens-h5-export-'));
const PYTHON = '/usr/bin/python3';
const STRUCTURE = resolve(import.meta.dirname, '../../scripts/h5py-structure.py');

beforeAll(async () => {
  tf = await useWasmBackend();
  h5 = await import('h5wasm/node');
  const { FS } = await h5.ready;
  writer = { File: h5.File, FS };
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Deterministic values in [-0.5, 0.5) (moving variances kept positive). */
function randomize(model: tfTypes.LayersModel, seed: number): void {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000 - 0.5;
  };
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
      const variance = w.originalName.endsWith('moving_variance');
      const data = Float32Array.from({ length: size }, () =>
        variance ? 0.5 + Math.abs(next()) : next() * 0.2,
      );
      return tf.tensor(data, w.shape as number[]);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** A model shaped as Teach builds it: `base` (pooled features) + Dense softmax `predictions`. */
function withHead(base: tfTypes.LayersModel, classes: number): tfTypes.LayersModel {
  const head = tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' });
  return tf.model({
    inputs: base.inputs,
    outputs: head.apply(base.outputs[0]!) as tfTypes.SymbolicTensor,
    name: 'warm_or_cool',
  });
}

function writePlan(plan: KerasExportPlan, name: string): string {
  const bytes = kerasH5Bytes(writer, plan.layers, plan.attributes, scratch);
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

/** Every weight of `a` equals the weight of the same-named layer of `b`, bit for bit. */
function expectSameWeights(a: tfTypes.LayersModel, b: tfTypes.LayersModel): number {
  let compared = 0;
  for (const layer of a.layers) {
    if (layer.weights.length === 0) continue;
    const other = b.getLayer(layer.name);
    layer.weights.forEach((w, i) => {
      const got = other.weights[i]!.read().dataSync();
      const want = w.read().dataSync();
      expect(got.length).toBe(want.length);
      // Buffer.equals, not toEqual: a deep-equal walk over InceptionV3's 87 MB takes minutes.
      const same = Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(
        Buffer.from(want.buffer, want.byteOffset, want.byteLength),
      );
      expect(same, `${layer.name} weight ${i} bit for bit`).toBe(true);
      compared++;
    });
  }
  return compared;
}

function maxPredictionDiff(
  a: tfTypes.LayersModel,
  b: tfTypes.LayersModel,
  size: number,
  range: [number, number] = [-1, 1],
): number {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, size, size, 3], range[0], range[1], 'float32', 5);
    const pa = a.predict(x) as tfTypes.Tensor;
    const pb = b.predict(x) as tfTypes.Tensor;
    return tf.max(tf.abs(tf.sub(pa, pb))).dataSync()[0]!;
  });
}

interface H5pyView {
  root_attrs: Record<string, { dtype: string; shape: number[]; type: string }>;
  layers: { name: string; weights: { name: string; shape: number[]; dtype: string }[] }[];
  problems: string[];
}

/** Runs scripts/h5py-structure.py on `path`; null (with the reason printed) without h5py. */
function h5pyView(path: string): H5pyView | null {
  const probe = spawnSync(PYTHON, ['-c', 'import h5py']);
  if (probe.status !== 0) {
    // The same switch as the shared fixtures: CI (LENS_REQUIRE_SHARED=1, or true) must not skip.
    if (sharedRequired()) throw new Error('python3-h5py is not installed');
    console.warn('skipping the h5py check: python3-h5py is not installed (apt python3-h5py)');
    return null;
  }
  const run = spawnSync(PYTHON, [STRUCTURE, path], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as H5pyView;
}

/** What h5py must see in any Keras weight file we write (Keras' own files have exactly this). */
function expectKerasLayout(
  view: H5pyView,
  model: tfTypes.LayersModel,
  extraAttrs: string[] = [],
): void {
  expect(view.problems).toEqual([]);
  expect(Object.keys(view.root_attrs).sort()).toEqual(
    ['backend', 'keras_version', 'layer_names', ...extraAttrs].sort(),
  );
  expect(view.root_attrs.layer_names!.dtype).toMatch(/^\|S\d+$/);
  expect(view.root_attrs.layer_names!.shape).toEqual([view.layers.length]);
  expect(view.root_attrs.backend).toMatchObject({ type: 'bytes_', shape: [] });
  expect(view.root_attrs.keras_version).toMatchObject({ type: 'bytes_', shape: [] });
  const weighted = view.layers.filter((l) => l.weights.length > 0);
  expect(weighted.length).toBe(model.layers.filter((l) => l.weights.length > 0).length);
  const all = view.layers.flatMap((l) => l.weights);
  expect(new Set(all.map((w) => w.dtype))).toEqual(new Set(['float32']));
  expect(all.length).toBe(model.weights.length);
}

describe('a zoo base with a Dense head (what Teach trains)', () => {
  test('MobileNet α 0.25: written as MobileNet(include_top=False, pooling="avg") + Dense, read back identical, h5py sees Keras\' layout', async () => {
    const trained = withHead(mobileNet({ alpha: 0.25, includeTop: false, pooling: 'avg' }), 3);
    randomize(trained, 11);
    const plan = await planKerasExport(trained, {
      fileName: 'warm-or-cool.h5',
      classNames: ['warm', 'cool', 'grey'],
    });
    expect(plan.kind).toBe('application');
    expect(plan.description).toBe(
      "MobileNet(alpha=0.25, include_top=False, pooling='avg') + Dense(3, softmax)",
    );
    expect(plan.python).toContain(
      'base = keras.applications.MobileNet(alpha=0.25, include_top=False, pooling="avg", weights=None, input_shape=(224, 224, 3))',
    );
    expect(plan.python).toContain(
      'keras.layers.Dense(3, activation="softmax", name="predictions")(base.output)',
    );
    expect(plan.python).toContain('model.load_weights("warm-or-cool.h5")');
    expect(plan.python).toContain('class_names = ["warm","cool","grey"]');
    // Keras' order: the builder's layers (weightless ones too), then the head.
    expect(plan.layers.at(-1)!.name).toBe('predictions');
    expect(plan.layers.map((l) => l.name).slice(0, 3)).toEqual(['input_1', 'conv1', 'conv1_bn']);

    const path = writePlan(plan, 'warm-or-cool.h5');
    const file = openH5(h5, path, 'warm-or-cool.h5');
    let back: tfTypes.LayersModel;
    try {
      const converted = await zooFromKerasWeights(
        readKerasWeightFile(file, 'warm-or-cool.h5'),
        'warm-or-cool.h5',
      );
      expect(converted.entry.name).toBe('mobilenet-0.25');
      expect(converted.head).toEqual({ name: 'predictions', units: 3 });
      back = converted.model;
    } finally {
      file.close();
    }
    try {
      expect(expectSameWeights(trained, back)).toBe(trained.weights.length);
      expect(maxPredictionDiff(trained, back, 224)).toBe(0);

      const view = h5pyView(path);
      if (view) {
        expectKerasLayout(view, trained);
        expect(view.layers[0]).toEqual({ name: 'input_1', weights: [] });
        expect(view.layers.find((l) => l.name === 'conv1_bn')!.weights).toEqual(
          ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => ({
            name: `conv1_bn/${w}:0`,
            shape: [8],
            dtype: 'float32',
          })),
        );
        expect(view.layers.at(-1)!.weights.map((w) => [w.name, w.shape])).toEqual([
          ['predictions/kernel:0', [256, 3]],
          ['predictions/bias:0', [3]],
        ]);
      }
    } finally {
      back.dispose();
      trained.dispose();
    }
  }, 120_000);

  test('InceptionV3 (the default base): InceptionV3(include_top=False, pooling="avg") + Dense, read back identical', async () => {
    const trained = withHead(inceptionV3({ includeTop: false, pooling: 'avg' }), 2);
    randomize(trained, 3);
    const plan = await planKerasExport(trained, { fileName: 'cats.h5', classNames: ['a', 'b'] });
    expect(plan.kind).toBe('application');
    expect(plan.description).toBe(
      "InceptionV3(include_top=False, pooling='avg') + Dense(2, softmax)",
    );
    expect(plan.python).toContain('keras.applications.inception_v3.preprocess_input');
    const path = writePlan(plan, 'cats.h5');
    const file = openH5(h5, path, 'cats.h5');
    let back: tfTypes.LayersModel;
    try {
      const converted = await zooFromKerasWeights(readKerasWeightFile(file, 'cats.h5'), 'cats.h5');
      expect(converted.entry.name).toBe('inceptionv3');
      back = converted.model;
    } finally {
      file.close();
    }
    try {
      // Every weight bitwise equal in the same architecture is the same function; predicting at
      // 299×299 on TF.js' pure-JS CPU backend costs minutes, so predictions are compared on the
      // MobileNet case above.
      expect(expectSameWeights(trained, back)).toBe(trained.weights.length);
      const view = h5pyView(path);
      if (view) expectKerasLayout(view, trained);
    } finally {
      back.dispose();
      trained.dispose();
    }
  }, 300_000);
});

describe("VGG16 as Teach's base: VGG16(include_top=False, pooling='avg') + Dense", () => {
  test("the model Teach builds from VGG16 with its top is written without fc1 / fc2, read back identical, h5py sees Keras' layout", async () => {
    // As run.ts builds it: the app's VGG16 (with the top) cut at block5_pool, pooled, a new head.
    const app = vgg16({ inputShape: [32, 32, 3], classes: 10 });
    const cut = featureCutOf(app);
    const trained = attachHead(
      poolFeatures(await cloneModel(app, cut.layer.name), cut),
      2,
      'custom_classifier',
      1,
    );
    app.dispose();
    randomize(trained, 7);
    let back: tfTypes.LayersModel | null = null;
    try {
      const plan = await planKerasExport(trained, {
        fileName: 'faces.h5',
        classNames: ['young', 'old'],
      });
      expect(plan.kind).toBe('application');
      expect(plan.description).toBe("VGG16(include_top=False, pooling='avg') + Dense(2, softmax)");
      expect(plan.python).toContain(
        'base = keras.applications.VGG16(include_top=False, pooling="avg", weights=None, input_shape=(32, 32, 3))',
      );
      expect(plan.python).toContain('keras.applications.vgg16.preprocess_input');
      const names = plan.layers.map((l) => l.name);
      expect(names).not.toContain('fc1');
      expect(names).not.toContain('fc2');
      // the pooling's name is Keras' automatic one (numbered as the builder's namer counts)
      expect(names.slice(-3)).toEqual([
        'block5_pool',
        expect.stringMatching(/^global_average_pooling2d(_\d+)?$/),
        'predictions',
      ]);
      expect(plan.layers.filter((l) => l.weights.length > 0)).toHaveLength(14);

      const path = writePlan(plan, 'faces.h5');
      const file = openH5(h5, path, 'faces.h5');
      try {
        const converted = await zooFromKerasWeights(
          readKerasWeightFile(file, 'faces.h5'),
          'faces.h5',
        );
        expect(converted.entry.name).toBe('vgg16');
        expect(converted.head).toEqual({ name: 'predictions', units: 2 });
        back = converted.model;
      } finally {
        file.close();
      }
      expect(expectSameWeights(trained, back)).toBe(trained.weights.length);
      // A weight file holds no input size (the reader builds 224 × 224); VGG16 without its top
      // takes any size, so the weights read back go into the same model at 32 × 32.
      const at32 = buildForMatch({
        entry: zooEntry('vgg16'),
        includeTop: false,
        classes: 2,
        head: { name: 'predictions', units: 2 },
        inputShape: [32, 32, 3],
      });
      try {
        at32.setWeights(back.getWeights());
        expect(maxPredictionDiff(trained, at32, 32, [-120, 150])).toBe(0);
      } finally {
        at32.dispose();
      }
      const view = h5pyView(path);
      if (view) {
        expectKerasLayout(view, trained);
        expect(view.layers.at(-1)!.weights.map((w) => [w.name, w.shape])).toEqual([
          ['predictions/kernel:0', [512, 2]],
          ['predictions/bias:0', [2]],
        ]);
      }
    } finally {
      back?.dispose();
      trained.dispose();
    }
  }, 120_000);
});

describe('a model that is no Keras application (a ?model= folder as the base)', () => {
  test('is written whole, as built, with its Keras JSON; the weights read back identical and the rebuilt model predicts the same', async () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, name: 'stem_conv' })
      .apply(input) as tfTypes.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfTypes.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 2, activation: 'softmax', name: 'predictions' })
      .apply(x) as tfTypes.SymbolicTensor;
    const trained = tf.model({ inputs: input, outputs: out, name: 'tiny' });
    randomize(trained, 7);
    const plan = await planKerasExport(trained, { fileName: 'tiny.h5', classNames: ['x', 'y'] });
    expect(plan.kind).toBe('whole');
    expect(plan.layers.map((l) => l.name)).toEqual(trained.layers.map((l) => l.name));
    expect(plan.python).toContain('keras.models.model_from_json');
    const path = writePlan(plan, 'tiny.h5');

    const file = openH5(h5, path, 'tiny.h5');
    let rebuilt: tfTypes.LayersModel;
    try {
      const keras = readKerasWeightFile(file, 'tiny.h5');
      const config = file.attrs.model_config?.value;
      expect(typeof config).toBe('string');
      rebuilt = await tf.models.modelFromJSON({
        modelTopology: JSON.parse(config as string) as tfTypes.io.ModelJSON['modelTopology'],
      });
      // Keras' load_weights: weight-owning layers paired in order.
      const targets = rebuilt.layers.filter((l) => l.weights.length > 0);
      const sources = keras.layers.filter((l) => l.weights.length > 0);
      expect(sources.map((l) => l.name)).toEqual(targets.map((l) => l.name));
      targets.forEach((layer, i) => {
        const values = sources[i]!.weights.map((w) => tf.tensor(w.read(), w.shape));
        layer.setWeights(values);
        tf.dispose(values);
      });
    } finally {
      file.close();
    }
    try {
      expect(expectSameWeights(trained, rebuilt)).toBe(trained.weights.length);
      expect(maxPredictionDiff(trained, rebuilt, 32)).toBe(0);
      const view = h5pyView(path);
      if (view) expectKerasLayout(view, trained, ['model_config']);
    } finally {
      rebuilt.dispose();
      trained.dispose();
    }
  }, 60_000);
});
