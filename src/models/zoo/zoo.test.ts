import { describe, expect, test } from 'vitest';
import { isZooModelName, preprocessInput, ZOO_MODEL_NAMES } from './zoo';

describe('preprocessInput: Keras imagenet_utils modes', () => {
  const pixels = [0, 127.5, 255, 10, 20, 30];

  test("'tf' scales to [-1, 1]", () => {
    expect(Array.from(preprocessInput('tf', pixels))).toEqual([
      -1,
      0,
      1,
      Math.fround(Math.fround(10 / 127.5) - 1),
      Math.fround(Math.fround(20 / 127.5) - 1),
      Math.fround(Math.fround(30 / 127.5) - 1),
    ]);
  });

  test("'caffe' swaps to BGR and subtracts Keras' mean pixel [103.939, 116.779, 123.68]", () => {
    const out = preprocessInput('caffe', pixels);
    expect(out[0]).toBeCloseTo(255 - 103.939, 4); // B comes from the input's third value
    expect(out[1]).toBeCloseTo(127.5 - 116.779, 4);
    expect(out[2]).toBeCloseTo(0 - 123.68, 4);
    expect(out[3]).toBeCloseTo(30 - 103.939, 4);
    expect(out[5]).toBeCloseTo(10 - 123.68, 4);
    // Exactly what float32 NumPy computes: x - float32(mean).
    expect(out[0]).toBe(Math.fround(255 - Math.fround(103.939)));
  });

  test("'torch' scales to [0, 1] and standardises with ImageNet mean / std (RGB order)", () => {
    const out = preprocessInput('torch', [255, 255, 255, 0, 0, 0]);
    const expected = [
      (1 - 0.485) / 0.229,
      (1 - 0.456) / 0.224,
      (1 - 0.406) / 0.225,
      -0.485 / 0.229,
      -0.456 / 0.224,
      -0.406 / 0.225,
    ];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  test("'none' passes pixels through (EfficientNet rescales inside the model)", () => {
    expect(Array.from(preprocessInput('none', pixels))).toEqual(pixels);
  });

  test('bad input is refused clearly; the input is not modified', () => {
    const input = new Float32Array([1, 2, 3]);
    preprocessInput('caffe', input);
    expect(Array.from(input)).toEqual([1, 2, 3]);
    expect(() => preprocessInput('tf', [1, 2])).toThrow(/triples/);
    expect(() => preprocessInput('bgr' as 'tf', [1, 2, 3])).toThrow(/mode/);
  });
});

test('zoo names follow the ?model= test contract', () => {
  expect(ZOO_MODEL_NAMES).toContain('mobilenet-0.75');
  expect(isZooModelName('efficientnetb0')).toBe(true);
  expect(isZooModelName('inception-v3')).toBe(false);
});
