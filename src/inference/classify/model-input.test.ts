import { describe, expect, test } from 'vitest';
import { preprocessInput, type PreprocessMode } from '../../models/zoo/catalog';
import { inputMaker, modelInputPixels, type InputSpec } from './model-input';

/** n pixels of varied colours (every channel different, alpha varied too). */
function photo(n: number, seed = 1): Uint8Array {
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + seed * 101) % 256;
  return rgba;
}

const SPECS: readonly (readonly [string, InputSpec])[] = [
  ['[-1, 1] (InceptionV3)', { inputRange: [-1, 1] }],
  ['[0, 1]', { inputRange: [0, 1] }],
  ...(['tf', 'caffe', 'torch', 'none'] as const).map(
    (mode: PreprocessMode) => [`'${mode}'`, { inputRange: [0, 1], preprocess: mode }] as const,
  ),
];

describe('modelInputPixels into a given array', () => {
  test.each(SPECS)('%s: the same values as a new array, written in place', (_, spec) => {
    const rgba = photo(50);
    const into = new Float32Array(150).fill(Number.NaN);
    const out = modelInputPixels(rgba, spec, into);
    expect(out).toBe(into);
    expect(Array.from(out)).toEqual(Array.from(modelInputPixels(rgba, spec)));
  });

  test('an array of the wrong length is refused, not half written', () => {
    expect(() => modelInputPixels(photo(4), { inputRange: [-1, 1] }, new Float32Array(11))).toThrow(
      /4 RGBA pixels do not fit 11 values/,
    );
  });
});

describe("preprocessInput in place (the input array is the output's)", () => {
  test.each(['tf', 'caffe', 'torch', 'none'] as const)(
    "'%s' reads each triple before writing it",
    (mode) => {
      const rgb = Array.from({ length: 30 }, (_, i) => (i * 53) % 256);
      const expected = Array.from(preprocessInput(mode, rgb));
      const same = Float32Array.from(rgb);
      expect(preprocessInput(mode, same, same)).toBe(same);
      expect(Array.from(same)).toEqual(expected);
    },
  );

  test("'caffe' in place is BGR minus the mean (a forward loop would read what it wrote)", () => {
    const same = Float32Array.from([10, 20, 30]);
    preprocessInput('caffe', same, same);
    const f = Math.fround;
    expect(Array.from(same)).toEqual([f(30 - f(103.939)), f(20 - f(116.779)), f(10 - f(123.68))]);
  });
});

describe('inputMaker: one kept buffer for every photo of a size', () => {
  test('each photo is converted into the same array, with its own values', () => {
    const make = inputMaker({ inputRange: [-1, 1] });
    const first = make(photo(9, 1));
    const firstValues = Array.from(first);
    const second = make(photo(9, 2));
    expect(second).toBe(first);
    expect(Array.from(second)).toEqual(
      Array.from(modelInputPixels(photo(9, 2), { inputRange: [-1, 1] })),
    );
    expect(Array.from(second)).not.toEqual(firstValues);
  });

  test('a photo of another size gets a buffer of its size', () => {
    const make = inputMaker({ inputRange: [0, 1], preprocess: 'caffe' });
    const small = make(photo(4));
    const large = make(photo(16));
    expect(small.length).toBe(12);
    expect(large.length).toBe(48);
    expect(Array.from(large)).toEqual(
      Array.from(modelInputPixels(photo(16), { inputRange: [0, 1], preprocess: 'caffe' })),
    );
  });
});
