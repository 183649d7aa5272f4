import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import { averageOverSpace, featureSourceOf, pooledTensorName, quantizeFeatures } from './features';

const models: tf.LayersModel[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

describe('quantizeFeatures', () => {
  test('scales the largest magnitude to ±127 and rounds the rest', () => {
    expect(Array.from(quantizeFeatures([0.5, -1, 0.25, 0]))).toEqual([64, -127, 32, 0]);
    expect(Array.from(quantizeFeatures([2, 1]))).toEqual([127, 64]);
  });
  test('an all-zero vector stays zero', () => {
    expect(Array.from(quantizeFeatures([0, 0, 0]))).toEqual([0, 0, 0]);
  });
});

describe('pooledTensorName', () => {
  test('finds a global pooling layer', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const pool = tf.layers.globalAveragePooling2d({ name: 'avg_pool' });
    const pooled = pool.apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(pooled);
    const model = tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
    models.push(model);
    expect(pooledTensorName(model)).toBe(pooled.name);
  });
  test('falls back on the 2-D output before the head (a Flatten)', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    models.push(model);
    expect(pooledTensorName(model)).toBe(flat.name);
  });
  test('none when the model has nothing pooled', () => {
    const input = tf.input({ shape: [3] });
    const out = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    models.push(model);
    expect(pooledTensorName(model)).toBeNull();
  });
});

describe('featureSourceOf', () => {
  test("a model with Keras' VGG block names and no pooling: the last block, averaged over space", () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'block1_conv1' }).apply(input);
    x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }).apply(x);
    const last = tf.layers.maxPooling2d({ poolSize: 1, name: 'block2_pool' });
    const map = last.apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(map);
    x = tf.layers.dense({ units: 32, name: 'fc2' }).apply(x);
    const out = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    models.push(model);
    expect(featureSourceOf(model)).toEqual({ name: map.name, poolChannels: 4 });
  });
  test('a global pooling layer needs no averaging', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    models.push(model);
    expect(featureSourceOf(model)).toEqual({ name: pooled.name });
  });
});

describe('averageOverSpace', () => {
  test('channels last: the mean of each channel over the positions', () => {
    // 2 × 2 positions, 3 channels
    const values = [1, 10, 100, 3, 30, 300, 5, 50, 500, 7, 70, 700];
    expect(Array.from(averageOverSpace(values, 3))).toEqual([4, 40, 400]);
  });
});
