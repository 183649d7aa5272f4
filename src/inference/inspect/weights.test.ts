import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../../test/tf-node';
import { describeValues, filterImages, histogram, inspectLayerWeights } from './weights';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

describe('describeValues', () => {
  test('min, max, mean and population std, as numpy computes them', () => {
    const stats = describeValues(new Float32Array([1, 2, 3, 4]), 4);
    expect(stats).toMatchObject({ count: 4, min: 1, max: 4, mean: 2.5 });
    expect(stats.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(stats.histogram).toEqual({ min: 1, max: 4, counts: [1, 1, 1, 1] });
  });

  test('stays accurate for a million values with a large offset', () => {
    const values = new Float64Array(1_000_000);
    for (let i = 0; i < values.length; i++) values[i] = 1e6 + (i % 2 === 0 ? -1 : 1);
    const stats = describeValues(values);
    expect(stats.mean).toBeCloseTo(1e6, 6);
    expect(stats.std).toBeCloseTo(1, 6);
    expect(stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
  });

  test('NaNs are left out; nothing at all gives NaN statistics and empty bins', () => {
    const stats = describeValues([NaN, 2, NaN, 4], 2);
    expect(stats).toMatchObject({ count: 2, min: 2, max: 4, mean: 3, std: 1 });
    const none = describeValues([], 3);
    expect(none.count).toBe(0);
    expect(none.mean).toBeNaN();
    expect(none.histogram.counts).toEqual([0, 0, 0]);
  });

  test('bad bin counts are refused', () => {
    expect(() => describeValues([1], 0)).toThrow('bins must be ≥ 1');
    expect(() => describeValues([1], 2.5)).toThrow('bins must be ≥ 1');
  });
});

describe('histogram', () => {
  test('equal-width bins, the maximum in the last one', () => {
    expect(histogram([0, 0.24, 0.25, 0.5, 0.99, 1], 0, 1, 4).counts).toEqual([2, 1, 1, 2]);
  });
  test('all values equal: all in the middle bin', () => {
    expect(histogram([3, 3, 3], 3, 3, 5).counts).toEqual([0, 0, 3, 0, 0]);
  });
});

describe('filterImages', () => {
  test('a [kh, kw, 3, n] kernel becomes n RGB images on one common scale', () => {
    // 1×2 kernel, 3 channels, 2 filters; value = filter * 100 + x * 10 + channel
    const shape = [1, 2, 3, 2];
    const kernel = new Float32Array(12);
    for (let x = 0; x < 2; x++)
      for (let c = 0; c < 3; c++)
        for (let f = 0; f < 2; f++) kernel[(x * 3 + c) * 2 + f] = f * 100 + x * 10 + c;
    const images = filterImages(kernel, shape)!;
    expect(images).toMatchObject({ width: 2, height: 1, count: 2, min: 0, max: 112 });
    const rgba = new Uint8ClampedArray(images.rgba);
    expect(rgba).toHaveLength(2 * 1 * 2 * 4);
    const scale = 255 / 112;
    const px = (f: number, x: number) =>
      Array.from(rgba.slice((f * 2 + x) * 4, (f * 2 + x) * 4 + 4));
    const expected = (f: number, x: number) => [
      ...[0, 1, 2].map((c) => Math.round((f * 100 + x * 10 + c) * scale)),
      255,
    ];
    expect(px(0, 0)).toEqual(expected(0, 0));
    expect(px(0, 1)).toEqual(expected(0, 1));
    expect(px(1, 1)).toEqual(expected(1, 1));
    expect(px(1, 1)[2]).toBe(255);
  });

  test('kernels over other channel counts give no images', () => {
    expect(filterImages(new Float32Array(3 * 3 * 4 * 2), [3, 3, 4, 2])).toBeNull();
    expect(filterImages(new Float32Array(6), [2, 3])).toBeNull();
  });
});

describe('inspectLayerWeights', () => {
  function model(): tfTypes.LayersModel {
    const input = tf.input({ shape: [6, 6, 3], name: 'image' });
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, name: 'conv' })
      .apply(input) as tfTypes.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(conv) as tfTypes.SymbolicTensor;
    const out = tf.layers.flatten({ name: 'flat' }).apply(bn) as tfTypes.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  test('every weight of a layer, with filters for a conv on RGB, leaving no tensors', async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const conv = await inspectLayerWeights(m, 'conv');
    expect(conv.type).toBe('Conv2D');
    expect(conv.weights.map((w) => [w.name.split('/').pop(), w.shape, w.trainable])).toEqual([
      ['kernel', [3, 3, 3, 4], true],
      ['bias', [4], true],
    ]);
    const kernel = m.getLayer('conv').getWeights()[0]!.dataSync();
    const k = conv.weights[0]!;
    expect(k.size).toBe(108);
    expect(k.dtype).toBe('float32');
    expect(k.min).toBeCloseTo(Math.min(...kernel), 6);
    expect(k.max).toBeCloseTo(Math.max(...kernel), 6);
    expect(k.histogram.counts.reduce((a, b) => a + b, 0)).toBe(108);
    expect(conv.filters).toMatchObject({ width: 3, height: 3, count: 4 });

    const bn = await inspectLayerWeights(m, 'bn');
    expect(bn.weights.map((w) => [w.name.split('/').pop(), w.trainable])).toEqual([
      ['gamma', true],
      ['beta', true],
      ['moving_mean', false],
      ['moving_variance', false],
    ]);
    expect(bn.weights[0]).toMatchObject({ min: 1, max: 1, mean: 1, std: 0 });
    expect(bn.filters).toBeUndefined();

    const flat = await inspectLayerWeights(m, 'flat');
    expect(flat.weights).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(inspectLayerWeights(m, 'nope')).rejects.toThrow("no layer named 'nope'");
    m.dispose();
  });

  test('a frozen layer reports its weights as not trainable', async () => {
    const m = model();
    m.getLayer('conv').trainable = false;
    const conv = await inspectLayerWeights(m, 'conv');
    expect(conv.weights.every((w) => !w.trainable)).toBe(true);
    m.dispose();
  });
});
