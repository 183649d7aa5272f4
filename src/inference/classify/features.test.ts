import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import { pooledTensorName, quantizeFeatures } from './features';

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
