import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../../test/tf-node';
import { GlobalAveragePooling2D, Normalization, Rescaling } from './layers';

beforeAll(async () => {
  await useWasmBackend();
});

const values = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

describe('custom Keras layers', () => {
  test('Rescaling: scalar and per-channel scale and offset', async () => {
    const x = tf.tensor4d([10, 20, 30, 40, 50, 60], [1, 1, 2, 3]);
    const scalar = new Rescaling({ scale: 0.5, offset: 1 }).apply(x) as tf.Tensor;
    const perChannel = new Rescaling({ scale: [1, 2, 4], offset: [0, 0, -1] }).apply(
      x,
    ) as tf.Tensor;
    expect(await values(scalar)).toEqual([6, 11, 16, 21, 26, 31]);
    expect(await values(perChannel)).toEqual([10, 40, 119, 40, 100, 239]);
    expect(() => new Rescaling({ scale: Number.NaN })).toThrow(/finite/);
    tf.dispose([x, scalar, perChannel]);
  });

  test('Normalization: three non-trainable weights in Keras order, Keras arithmetic', async () => {
    const input = tf.input({ shape: [2, 2, 3] });
    const layer = new Normalization({ axis: -1, name: 'normalization_1' });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    expect(layer.weights.map((w) => w.originalName)).toEqual([
      'normalization_1/mean',
      'normalization_1/variance',
      'normalization_1/count',
    ]);
    expect(layer.weights.map((w) => w.shape)).toEqual([[3], [3], []]);
    expect(layer.weights.map((w) => w.dtype)).toEqual(['float32', 'float32', 'int32']);
    expect(layer.trainableWeights).toHaveLength(0);
    expect(model.countParams()).toBe(7);

    const mean = tf.tensor1d([1, 2, 3]);
    const variance = tf.tensor1d([4, 0, 0.25]);
    const count = tf.scalar(10, 'int32');
    layer.setWeights([mean, variance, count]);
    const x = tf.fill([1, 2, 2, 3], 5);
    const y = model.predict(x) as tf.Tensor;
    const got = await values(y);
    // (5 − 1) / 2, (5 − 2) / max(0, 1e-7), (5 − 3) / 0.5
    expect(got[0]).toBeCloseTo(2, 6);
    expect(got[1]! / 3e7).toBeCloseTo(1, 5);
    expect(got[2]).toBeCloseTo(4, 6);
    tf.dispose([mean, variance, count, x, y]);
    model.dispose();
  });

  test('GlobalAveragePooling2D keeps the pooled axes with keepdims, like Keras 3', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const kept = new GlobalAveragePooling2D({ keepdims: true });
    const flat = new GlobalAveragePooling2D();
    const a = kept.apply(x) as tf.Tensor;
    const b = flat.apply(x) as tf.Tensor;
    expect(a.shape).toEqual([1, 1, 1, 2]);
    expect(b.shape).toEqual([1, 2]);
    expect(await values(a)).toEqual([4, 5]);
    expect(kept.computeOutputShape([null, 7, 7, 5])).toEqual([null, 1, 1, 5]);
    expect(flat.computeOutputShape([null, 7, 7, 5])).toEqual([null, 5]);
    tf.dispose([x, a, b]);
  });

  test('a model using all three saves and loads back with the same weights and outputs', async () => {
    const input = tf.input({ shape: [4, 4, 3], name: 'input_1' });
    let y = new Rescaling({ scale: 1 / 255, name: 'rescaling_1' }).apply(
      input,
    ) as tf.SymbolicTensor;
    const norm = new Normalization({ name: 'normalization_1' });
    y = norm.apply(y) as tf.SymbolicTensor;
    y = new Rescaling({ scale: [2, 3, 4], name: 'rescaling_2' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'conv' }).apply(y) as tf.SymbolicTensor;
    y = new GlobalAveragePooling2D({ keepdims: true, name: 'gap' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    norm.setWeights([
      tf.tensor1d([0.4, 0.5, 0.6]),
      tf.tensor1d([0.2, 0.3, 0.4]),
      tf.scalar(3, 'int32'),
    ]);

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        saved = artifacts;
        return Promise.resolve({
          modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
        });
      }),
    );
    // tfjs writes trainable weights first; the set of names is what a loader matches on.
    expect(saved!.weightSpecs!.map((s) => `${s.name}:${s.dtype}`).sort()).toEqual([
      'conv/bias:float32',
      'conv/kernel:float32',
      'normalization_1/count:int32',
      'normalization_1/mean:float32',
      'normalization_1/variance:float32',
    ]);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'Rescaling',
      'Normalization',
      'Rescaling',
      'Conv2D',
      'GlobalAveragePooling2D',
    ]);
    const x = tf.randomUniform([2, 4, 4, 3], 0, 255, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(b.shape).toEqual([2, 1, 1, 2]);
    expect(await values(b)).toEqual(await values(a));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
