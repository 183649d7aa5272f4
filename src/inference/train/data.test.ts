import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { useWasmBackend } from '../../test/tf-node';
import {
  augmentBatch,
  augmentsNothing,
  batchRanges,
  drawAugmentation,
  imagesToTensor,
  seededRandom,
  shuffled,
  splitExamples,
} from './data';
import type { TrainExampleRef } from './protocol';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

function examples(perClass: number[]): TrainExampleRef[] {
  return perClass.flatMap((n, label) =>
    Array.from({ length: n }, (_, i) => ({ id: `c${label}-${i}`, label })),
  );
}

describe('seeded randomness', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffled(input, seededRandom(3));
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort((x, y) => x - y)).toEqual(input);
    expect(out).not.toEqual(input);
  });
});

describe('splitExamples', () => {
  it('splits each class by the fraction, disjointly and reproducibly', () => {
    const all = examples([10, 12, 3]);
    const split = splitExamples(all, 3, 0.2, seededRandom(1));
    const count = (list: TrainExampleRef[], label: number) =>
      list.filter((e) => e.label === label).length;
    expect([0, 1, 2].map((c) => count(split.validation, c))).toEqual([2, 2, 1]);
    expect([0, 1, 2].map((c) => count(split.train, c))).toEqual([8, 10, 2]);
    const ids = new Set([...split.train, ...split.validation].map((e) => e.id));
    expect(ids.size).toBe(all.length);
    expect(splitExamples(all, 3, 0.2, seededRandom(1))).toEqual(split);
    expect(splitExamples(all, 3, 0.2, seededRandom(2))).not.toEqual(split);
  });

  it('keeps at least one photo per class for training, and none aside at 0', () => {
    const all = examples([1, 2]);
    const half = splitExamples(all, 2, 0.5, seededRandom(1));
    expect(half.train.map((e) => e.label).sort()).toEqual([0, 1]);
    expect(half.validation.map((e) => e.label)).toEqual([1]);
    const none = splitExamples(all, 2, 0, seededRandom(1));
    expect(none.validation).toEqual([]);
    expect(none.train).toHaveLength(3);
  });

  it('rejects labels outside the classes and bad fractions', () => {
    expect(() => splitExamples([{ id: 'x', label: 2 }], 2, 0.2, seededRandom(1))).toThrow(
      /class 2/,
    );
    expect(() => splitExamples([], 2, 1, seededRandom(1))).toThrow(/validation split/);
  });
});

describe('batchRanges', () => {
  it('covers everything once, the last batch smaller', () => {
    expect(batchRanges(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(batchRanges(0, 4)).toEqual([]);
    expect(() => batchRanges(3, 0)).toThrow(/batch size/);
  });
});

/** A 4×3 RGBA image whose pixel (x, y) has red = 10x + y, green = 100, blue = 200. */
function gradient(): { pixels: Uint8Array; width: number; height: number } {
  const width = 4;
  const height = 3;
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set([10 * x + y, 100, 200, 255], (y * width + x) * 4);
    }
  }
  return { pixels, width, height };
}

describe('imagesToTensor', () => {
  it('maps 0..255 onto the range and resizes photos of another size', () => {
    const start = tf.memory().numTensors;
    const square = { pixels: new Uint8Array(2 * 2 * 4).fill(255), width: 2, height: 2 };
    const x = imagesToTensor([square], 2, [-1, 1]);
    expect(x.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(x.dataSync())).toEqual(new Array(12).fill(1));
    const mixed = imagesToTensor([square, gradient()], 2, [0, 1]);
    expect(mixed.shape).toEqual([2, 2, 2, 3]);
    x.dispose();
    mixed.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('augmentation', () => {
  const range: [number, number] = [0, 255];

  it('draws nothing when everything is off', () => {
    const options = { flip: false, crop: false, brightness: false };
    expect(augmentsNothing(options)).toBe(true);
    expect(drawAugmentation(options, seededRandom(1))).toEqual({
      flip: false,
      box: [0, 0, 1, 1],
      brightness: 0,
    });
  });

  it('draws crops of 80–100 % inside the image and brightness within ±20 %', () => {
    const random = seededRandom(5);
    const options = { flip: true, crop: true, brightness: true };
    const draws = Array.from({ length: 200 }, () => drawAugmentation(options, random));
    for (const { box, brightness } of draws) {
      const [y1, x1, y2, x2] = box;
      expect(y2 - y1).toBeCloseTo(x2 - x1, 10);
      expect(y2 - y1).toBeGreaterThanOrEqual(0.8);
      expect(Math.min(y1, x1)).toBeGreaterThanOrEqual(0);
      expect(Math.max(y2, x2)).toBeLessThanOrEqual(1 + 1e-12);
      expect(Math.abs(brightness)).toBeLessThanOrEqual(0.2);
    }
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(60);
    expect(flips).toBeLessThan(140);
  });

  it('leaves unflipped, uncropped photos exactly as they were and mirrors flipped ones', async () => {
    const start = tf.memory().numTensors;
    const { width, height } = gradient();
    const x = tf.tidy(() =>
      tf.stack([
        tf.tensor3d(
          Array.from({ length: height }, (_, y) =>
            Array.from({ length: width }, (_, xx) => [10 * xx + y, 100, 200]),
          ),
        ),
        tf.tensor3d(
          Array.from({ length: height }, (_, y) =>
            Array.from({ length: width }, (_, xx) => [10 * xx + y, 100, 200]),
          ),
        ),
      ]),
    ) as tfTypes.Tensor4D;
    const out = augmentBatch(
      x,
      [
        { flip: false, box: [0, 0, 1, 1], brightness: 0 },
        { flip: true, box: [0, 0, 1, 1], brightness: 0 },
      ],
      range,
    );
    const [same, mirrored] = await out.array();
    const expected = await x.array();
    expect(same).toEqual(expected[0]);
    expect(mirrored).toEqual(expected[1]?.map((row) => [...row].reverse()));
    x.dispose();
    out.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('crops (keeping the size), and shifts brightness clipped to the range', () => {
    const x = tf.tidy(() => tf.linspace(0, 255, 8 * 8 * 3).reshape<tfTypes.Tensor4D>([1, 8, 8, 3]));
    const crop = augmentBatch(x, [{ flip: false, box: [0, 0, 0.5, 0.5], brightness: 0 }], range);
    expect(crop.shape).toEqual([1, 8, 8, 3]);
    // the top-left quarter, stretched: its largest value is far below the image's
    expect(crop.max().dataSync()[0]).toBeLessThan(130);
    const bright = augmentBatch(x, [{ flip: false, box: [0, 0, 1, 1], brightness: 0.2 }], range);
    const values = Array.from(bright.dataSync());
    const original = Array.from(x.dataSync());
    expect(values[0]).toBeCloseTo((original[0] as number) + 51, 3);
    expect(Math.max(...values)).toBe(255);
    [x, crop, bright].forEach((t) => t.dispose());
  });

  it('refuses a batch with the wrong number of draws', () => {
    const x = tf.zeros<tfTypes.Rank.R4>([2, 2, 2, 3]);
    expect(() => augmentBatch(x, [], range)).toThrow(/0 augmentations for 2 photos/);
    x.dispose();
  });
});
