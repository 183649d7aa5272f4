import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { BETA_PERTURBATION, fidelity, preSoftmax } from '../../test/fidelity';
import { readNsfwjsInceptionArtifacts } from '../../test/nsfwjs-inception';
import { useWasmBackend } from '../../test/tf-node';
import { quantizeWeights } from '../../models/tfjs-artifacts';
import { decodeWeightValues, foldArtifacts } from './fold-artifacts';
import { seeded } from '../../test/seeded';
import { artifactsOf } from '../../models/tfjs-artifacts';

beforeAll(async () => {
  await useWasmBackend();
});

/** conv → BN → relu → conv(bias) → BN(center=false) → dense softmax: two chains to fold. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [7, 7, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'c1' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-3, name: 'b1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'r1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, name: 'c2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ center: false, name: 'b2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 6, activation: 'softmax', name: 'top' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const values = model.weights.map((w, k) => {
    const shape = w.shape as number[];
    const data = seeded(
      shape.reduce((n, d) => n * d, 1),
      100 + k,
      0.5,
    );
    if (w.originalName.endsWith('moving_variance'))
      data.forEach((v, i) => (data[i] = 0.5 + Math.abs(v)));
    if (w.originalName.endsWith('gamma')) data.forEach((v, i) => (data[i] = 1 + v));
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** Multiplies one float32 weight of `artifacts` by `factor` (a copy; the input is untouched). */
function scaled(
  artifacts: tf.io.ModelArtifacts,
  name: string,
  factor: number,
): tf.io.ModelArtifacts {
  const data = (artifacts.weightData as ArrayBuffer).slice(0);
  let offset = 0;
  for (const spec of artifacts.weightSpecs!) {
    const n = spec.shape.reduce((a, d) => a * d, 1);
    if (spec.name === name)
      new Float32Array(data, offset, n).forEach((v, i, a) => (a[i] = v * factor));
    offset += n * 4;
  }
  return { ...artifacts, weightData: data };
}

describe('decodeWeightValues', () => {
  test('float16, uint8 (affine) and raw float32 decode to their values', () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000]);
    const bytes = new Uint8Array([0, 10, 255]);
    const floats = new Float32Array([1.5, -7]);
    const data = new Uint8Array(halves.byteLength + 3 + 1 + 8);
    data.set(new Uint8Array(halves.buffer), 0);
    data.set(bytes, 12);
    // one byte of padding would misalign the float32s: the decoder copies them then
    data.set(new Uint8Array(floats.buffer), 15);
    const values = decodeWeightValues(
      [
        { name: 'h', shape: [6], dtype: 'float32', quantization: { dtype: 'float16' } },
        {
          name: 'q',
          shape: [3],
          dtype: 'float32',
          quantization: { dtype: 'uint8', scale: 0.5, min: -1 },
        },
        { name: 'f', shape: [2], dtype: 'float32' },
      ],
      data.buffer.slice(0, 23),
    );
    expect(Array.from(values.get('h')!)).toEqual([1, -2, 0.5, 65504, 2 ** -24, 0]);
    expect(Array.from(values.get('q')!)).toEqual([-1, 4, 126.5]);
    expect(Array.from(values.get('f')!)).toEqual([1.5, -7]);
  });

  test('data shorter than the specs say is refused', () => {
    expect(() =>
      decodeWeightValues([{ name: 'f', shape: [4], dtype: 'float32' }], new ArrayBuffer(8)),
    ).toThrow(/ends before f/);
  });
});

describe('foldArtifacts', () => {
  test('the folded files build a model that gives the same probabilities, with no batch norm', async () => {
    const model = smallModel();
    const files = await artifactsOf(model);
    const folded = foldArtifacts(files)!;
    expect(folded.chains.map((c) => [c.conv, c.batchNorm, c.activation])).toEqual([
      ['c1', 'b1', 'r1'],
      ['c2', 'b2', null],
    ]);
    expect(folded.originalParams).toBe(model.countParams());
    const fast = await tf.loadLayersModel(tf.io.fromMemory(folded.artifacts));
    expect(fast.layers.map((l) => l.getClassName())).not.toContain('BatchNormalization');
    const x = tf.tensor4d(seeded(2 * 7 * 7 * 3, 5), [2, 7, 7, 3]);
    const want = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const got = tf.tidy(() => (fast.predict(x) as tf.Tensor).dataSync());
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
    // The logits too (the softmax of a small random top would hide a difference).
    expect(fidelity(preSoftmax(tf, fast, x), preSoftmax(tf, model, x)).relative).toBeLessThan(1e-5);
    tf.dispose(x);
    fast.dispose();
    model.dispose();
  });

  test('float16 files fold to exactly what their decoded float32 values fold to', async () => {
    const model = smallModel();
    const files = await artifactsOf(model);
    const half = quantizeWeights(
      { specs: files.weightSpecs!, data: files.weightData as ArrayBuffer },
      'float16',
    );
    // The same values as float32 files: what the float16 download decodes to.
    const decoded = decodeWeightValues(half.specs, half.data);
    const parts = half.specs.map((s) => decoded.get(s.name) as Float32Array);
    const wide = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (wide.set(p, at), at + p.length), 0);
    const fromHalf = foldArtifacts({ ...files, weightSpecs: half.specs, weightData: half.data })!;
    const fromWide = foldArtifacts({
      ...files,
      weightSpecs: half.specs.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })),
      weightData: wide.buffer,
    })!;
    expect(fromHalf.artifacts.weightSpecs).toEqual(fromWide.artifacts.weightSpecs);
    expect(new Uint8Array(fromHalf.artifacts.weightData as ArrayBuffer)).toEqual(
      new Uint8Array(fromWide.artifacts.weightData as ArrayBuffer),
    );
    // Folding changed the kernels (a fold that copied them through would pass the check above).
    const c1 = decoded.get('c1/kernel') as Float32Array;
    const out = new Float32Array(fromHalf.artifacts.weightData as ArrayBuffer, 0, c1.length);
    expect(Array.from(out)).not.toEqual(Array.from(c1));
    model.dispose();
  });

  test('a broken fold (one batch norm off by 1 %) is caught by the same comparison', async () => {
    const model = smallModel();
    const files = await artifactsOf(model);
    const broken = foldArtifacts(scaled(files, 'b1/gamma', BETA_PERTURBATION))!;
    const fast = await tf.loadLayersModel(tf.io.fromMemory(broken.artifacts));
    const x = tf.tensor4d(seeded(2 * 7 * 7 * 3, 5), [2, 7, 7, 3]);
    expect(fidelity(preSoftmax(tf, fast, x), preSoftmax(tf, model, x)).relative).toBeGreaterThan(
      1e-5,
    );
    tf.dispose(x);
    fast.dispose();
    model.dispose();
  });

  test('nothing to fold gives null; weights that do not fit the topology throw', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const plain = tf.model({ inputs: input, outputs: out });
    expect(foldArtifacts(await artifactsOf(plain))).toBeNull();
    plain.dispose();
    const model = smallModel();
    const files = await artifactsOf(model);
    const renamed = {
      ...files,
      weightSpecs: files.weightSpecs!.map((s) =>
        s.name === 'b1/moving_mean' ? { ...s, name: 'elsewhere/moving_mean' } : s,
      ),
    };
    expect(() => foldArtifacts(renamed)).toThrow(/b1\/moving_mean/);
    model.dispose();
  });

  test('InceptionV3 with real (uint8) Keras weights: 94 chains, logits within 1e-5 relative', async () => {
    const files = readNsfwjsInceptionArtifacts();
    const original = await tf.loadLayersModel(tf.io.fromMemory(files));
    const folded = foldArtifacts(files)!;
    expect(folded.chains).toHaveLength(94);
    expect(folded.originalParams).toBe(original.countParams());
    const fast = await tf.loadLayersModel(tf.io.fromMemory(folded.artifacts));
    expect(fast.layers.length).toBe(original.layers.length - 2 * 94);
    const x = tf.tensor4d(seeded(299 * 299 * 3, 11), [1, 299, 299, 3]);
    const distance = fidelity(preSoftmax(tf, fast, x), preSoftmax(tf, original, x)).relative;
    console.log(
      `InceptionV3 folded from its files vs the original: logits ${distance.toExponential(1)} relative`,
    );
    expect(distance).toBeLessThanOrEqual(1e-5);
    tf.dispose(x);
    fast.dispose();
    original.dispose();
  }, 400_000); // two InceptionV3 builds and passes: minutes on a busy 2-core machine
});
