import { describe, expect, test } from 'vitest';
import { asProbabilities, topK } from './top-k';

describe('topK', () => {
  test('returns the indices of the k largest values, largest first', () => {
    expect(topK([0.1, 0.5, 0.2, 0.9, 0.3], 3)).toEqual([3, 1, 4]);
    expect(topK(new Float32Array([5, 1, 4, 2, 3]), 2)).toEqual([0, 2]);
  });

  test('handles values arriving in increasing order (every one displaces the last)', () => {
    expect(topK([1, 2, 3, 4, 5, 6], 3)).toEqual([5, 4, 3]);
  });

  test('ties keep the lower index first', () => {
    expect(topK([1, 3, 3, 2, 3], 3)).toEqual([1, 2, 4]);
    expect(topK([7, 7, 7, 7], 2)).toEqual([0, 1]);
    // A later tie with the current k-th value does not displace it.
    expect(topK([2, 5, 2, 2], 2)).toEqual([1, 0]);
  });

  test('k larger than the length returns every index, sorted', () => {
    expect(topK([0.2, 0.7, 0.1], 10)).toEqual([1, 0, 2]);
  });

  test('k = 0 or negative returns nothing', () => {
    expect(topK([1, 2, 3], 0)).toEqual([]);
    expect(topK([1, 2, 3], -2)).toEqual([]);
  });

  test('a fractional k is floored', () => {
    expect(topK([1, 2, 3], 2.9)).toEqual([2, 1]);
  });

  test('NaN values are skipped, never ranked', () => {
    expect(topK([Number.NaN, 0.5, Number.NaN, 0.7], 3)).toEqual([3, 1]);
    expect(topK([Number.NaN, Number.NaN], 2)).toEqual([]);
  });

  test('negative values and infinities rank correctly', () => {
    expect(topK([-1, -Infinity, -0.5, Infinity], 4)).toEqual([3, 2, 0, 1]);
  });

  test('an empty input gives an empty result', () => {
    expect(topK([], 3)).toEqual([]);
  });

  test('agrees with a full sort on a larger pseudo-random input', () => {
    let seed = 42;
    const values = Array.from({ length: 1000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * 200); // many ties
    });
    const expected = values
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 25)
      .map(([, i]) => i);
    expect(topK(values, 25)).toEqual(expected);
  });
});

describe('asProbabilities', () => {
  test('leaves a distribution unchanged (as a new Float32Array)', () => {
    const dist = new Float32Array([0.1, 0.6, 0.3]);
    const out = asProbabilities(dist);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out).not.toBe(dist);
    expect(Array.from(out)).toEqual(Array.from(dist));
  });

  test('leaves a one-hot distribution unchanged', () => {
    expect(Array.from(asProbabilities([0, 0, 1, 0]))).toEqual([0, 0, 1, 0]);
  });

  test('does not modify its input when it softmaxes', () => {
    const logits = new Float32Array([2, 1, 0]);
    asProbabilities(logits);
    expect(Array.from(logits)).toEqual([2, 1, 0]);
  });

  test('softmaxes logits: sums to 1, order preserved, correct values', () => {
    const logits = [2, -1, 0.5, 3];
    const out = asProbabilities(logits);
    const sum = out.reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(topK(out, 4)).toEqual(topK(logits, 4));
    const z = logits.reduce((s, v) => s + Math.exp(v), 0);
    logits.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.exp(v) / z, 6));
  });

  test('softmaxes non-negative scores that do not sum to 1', () => {
    const out = asProbabilities([1, 1]);
    expect(Array.from(out)).toEqual([0.5, 0.5]);
  });

  test('is numerically stable for large logits', () => {
    const out = asProbabilities([1000, 999, 998]);
    for (const v of out) expect(Number.isFinite(v)).toBe(true);
    expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const z = 1 + Math.exp(-1) + Math.exp(-2);
    expect(out[0]).toBeCloseTo(1 / z, 6);
    expect(out[1]).toBeCloseTo(Math.exp(-1) / z, 6);
    expect(out[2]).toBeCloseTo(Math.exp(-2) / z, 6);
  });

  test('is numerically stable for very negative logits', () => {
    const out = asProbabilities([-1000, -1001]);
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(out[1]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 6);
  });
});
