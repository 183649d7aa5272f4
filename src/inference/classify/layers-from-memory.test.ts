import { beforeAll, describe, expect, test } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { artifactsOf } from '../../models/tfjs-artifacts';
import { useWasmBackend } from '../../test/tf-node';
import { layersModelFromMemory, lastBuildWay, weightViews } from './layers-from-memory';

let tf: typeof TF;

beforeAll(async () => {
  tf = await useWasmBackend();
});

/** A small functional model (a convolution and a dense layer), saved to memory. */
async function smallModelFiles(): Promise<TF.io.ModelArtifacts> {
  const input = tf.input({ shape: [8, 8, 3], name: 'photo' });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, name: 'conv', activation: 'relu' })
    .apply(input) as TF.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv) as TF.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 5, name: 'head', activation: 'softmax' })
    .apply(pool) as TF.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'small' });
  const files = await artifactsOf(model);
  model.dispose();
  return files;
}

const photo = (): TF.Tensor => tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 7);

/** max |a − b| of the two models' outputs on the same photos */
function maxDiff(a: TF.LayersModel, b: TF.LayersModel): number {
  return tf.tidy(() => {
    const x = photo();
    const d = tf.max(tf.abs(tf.sub(a.predict(x) as TF.Tensor, b.predict(x) as TF.Tensor)));
    return d.dataSync()[0] as number;
  });
}

/** the files with their weight data cut in two at `at` bytes */
function cutAt(files: TF.io.ModelArtifacts, at: number): TF.io.ModelArtifacts {
  const all = tf.io.CompositeArrayBuffer.join(files.weightData);
  return { ...files, weightData: [all.slice(0, at), all.slice(at)] };
}

describe('a LayersModel built from files in memory, each weight made once', () => {
  test('builds from views of the bytes and answers exactly as tf.loadLayersModel', async () => {
    const files = await smallModelFiles();
    const before = tf.memory().numTensors;
    const usual = await tf.loadLayersModel(tf.io.fromMemory(files));
    const built = await layersModelFromMemory(files);
    expect(lastBuildWay()).toBe('views');
    expect(built.weights.map((w) => w.originalName)).toEqual(
      usual.weights.map((w) => w.originalName),
    );
    for (const [i, w] of built.getWeights().entries()) {
      expect(Array.from(w.dataSync())).toEqual(Array.from(usual.getWeights()[i]!.dataSync()));
    }
    expect(maxDiff(usual, built)).toBe(0);
    usual.dispose();
    built.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('weights in two buffers are viewed in place when none spans the cut; one that does falls back', async () => {
    const files = await smallModelFiles();
    const usual = await tf.loadLayersModel(tf.io.fromMemory(files));
    const specs = files.weightSpecs ?? [];
    const first = specs[0]!;
    const boundary = first.shape.reduce((a, b) => a * b, 1) * 4;
    const atBoundary = cutAt(files, boundary);
    expect(weightViews(atBoundary)).not.toBeNull();
    const a = await layersModelFromMemory(atBoundary);
    expect(lastBuildWay()).toBe('views');
    expect(maxDiff(usual, a)).toBe(0);

    const inside = cutAt(files, boundary - 8);
    expect(weightViews(inside)).toBeNull();
    const b = await layersModelFromMemory(inside);
    expect(lastBuildWay()).toBe('tf.loadLayersModel');
    expect(maxDiff(usual, b)).toBe(0);
    for (const m of [usual, a, b]) m.dispose();
  });

  test('quantised weights, a shape that does not match, or a weight too many: built the usual way', async () => {
    const files = await smallModelFiles();
    const specs = files.weightSpecs ?? [];

    const quantised = {
      ...files,
      weightSpecs: specs.map((s, i) =>
        i === 0 ? { ...s, quantization: { dtype: 'float16' as const } } : s,
      ),
    };
    expect(weightViews(quantised)).toBeNull();

    // conv/kernel 3×3×3×4 given as 9×3×4 (same bytes, another shape): tf.loadLayersModel refuses it
    const reshaped = {
      ...files,
      weightSpecs: specs.map((s) => (s.name === 'conv/kernel' ? { ...s, shape: [9, 3, 4] } : s)),
    };
    expect(weightViews(reshaped)).not.toBeNull();
    await expect(layersModelFromMemory(reshaped)).rejects.toThrow();
    expect(lastBuildWay()).toBe('tf.loadLayersModel');

    // a weight the model does not have (4 more bytes): tf.loadLayersModel refuses it too
    const extra = tf.io.CompositeArrayBuffer.join(files.weightData);
    const longer = new Uint8Array(extra.byteLength + 4);
    longer.set(new Uint8Array(extra));
    const withExtra = {
      ...files,
      weightSpecs: [...specs, { name: 'head/unknown', shape: [1], dtype: 'float32' as const }],
      weightData: longer.buffer,
    };
    await expect(layersModelFromMemory(withExtra)).rejects.toThrow();
    expect(lastBuildWay()).toBe('tf.loadLayersModel');
  });

  test("the layers' addWeight is put back, whether the build worked or not", async () => {
    const addWeightOf = (): unknown =>
      (tf.layers.Layer.prototype as unknown as Record<string, unknown>).addWeight;
    const addWeight = addWeightOf();
    const files = await smallModelFiles();
    (await layersModelFromMemory(files)).dispose();
    expect(addWeightOf()).toBe(addWeight);
    const broken = { ...files, modelTopology: { class_name: 'NoSuchModel', config: {} } };
    await expect(layersModelFromMemory(broken)).rejects.toThrow();
    expect(addWeightOf()).toBe(addWeight);
  });
});
