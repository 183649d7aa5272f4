import { describe, expect, test } from 'vitest';
import { rgbaToRgbFloat } from './pixels';

/** One pixel per value, RGB all equal to the value, alpha 255. */
function grey(values: readonly number[]): Uint8Array {
  const rgba = new Uint8Array(values.length * 4);
  values.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
  return rgba;
}

describe('rgbaToRgbFloat', () => {
  test('[-1, 1] is exactly Keras preprocess_input (x /= 127.5; x -= 1 in float32) for every byte', () => {
    const all = Array.from({ length: 256 }, (_, v) => v);
    const out = rgbaToRgbFloat(grey(all), [-1, 1]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(256 * 3);
    for (const v of all) {
      // numpy rounds to float32 after each in-place operation
      const expected = Math.fround(Math.fround(v / 127.5) - 1);
      expect(out[v * 3]).toBe(expected);
      expect(out[v * 3 + 1]).toBe(expected);
      expect(out[v * 3 + 2]).toBe(expected);
    }
  });

  test('[-1, 1] is not the single rounding of v / 127.5 - 1 (half the bytes differ in the last bit)', () => {
    const all = Array.from({ length: 256 }, (_, v) => v);
    const out = rgbaToRgbFloat(grey(all), [-1, 1]);
    const differ = all.filter((v) => out[v * 3] !== Math.fround(v / 127.5 - 1));
    expect(differ.length).toBe(128);
  });

  test('[-1, 1] maps the ends and the middle where expected', () => {
    const out = rgbaToRgbFloat(grey([0, 127, 128, 255]), [-1, 1]);
    expect(out[0]).toBe(-1);
    expect(out[3]).toBeCloseTo(-0.00392157, 6);
    expect(out[6]).toBeCloseTo(0.00392157, 6);
    expect(out[9]).toBe(1);
  });

  test('[0, 1] is v / 255', () => {
    const out = rgbaToRgbFloat(grey([0, 51, 255]), [0, 1]);
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(Math.fround(51 / 255));
    expect(out[6]).toBe(1);
  });

  test('keeps channel order and drops alpha', () => {
    const rgba = new Uint8Array([255, 0, 51, 7, 0, 255, 0, 0]);
    const out = rgbaToRgbFloat(rgba, [0, 1]);
    expect(Array.from(out)).toEqual([1, 0, Math.fround(0.2), 0, 1, 0]);
  });

  test('alpha has no influence on the colour values', () => {
    const opaque = rgbaToRgbFloat(new Uint8Array([10, 20, 30, 255]), [-1, 1]);
    const clear = rgbaToRgbFloat(new Uint8Array([10, 20, 30, 0]), [-1, 1]);
    expect(Array.from(clear)).toEqual(Array.from(opaque));
  });

  test('accepts a Uint8ClampedArray (what ImageData holds)', () => {
    const out = rgbaToRgbFloat(new Uint8ClampedArray([0, 255, 0, 255]), [-1, 1]);
    expect(Array.from(out)).toEqual([-1, 1, -1]);
  });

  test('an empty input gives an empty output', () => {
    expect(rgbaToRgbFloat(new Uint8Array(0), [-1, 1]).length).toBe(0);
  });

  test.each([1, 3, 5, 7, 401])('a length of %i (not a multiple of 4) throws', (n) => {
    expect(() => rgbaToRgbFloat(new Uint8Array(n), [0, 1])).toThrow(RangeError);
    expect(() => rgbaToRgbFloat(new Uint8Array(n), [0, 1])).toThrow(`RGBA length ${n}`);
  });
});
