import { describe, expect, test } from 'vitest';
import { pilTestsRun, runPil } from '../test/pil-reference';
import { pillowNearestIndices, resizeNearestLikePillow } from './pillow-nearest';

/** The textbook nearest-neighbour formula, which Pillow does *not* use. */
function closedForm(src: number, dst: number): number[] {
  const scale = src / dst;
  return Array.from({ length: dst }, (_, i) => Math.floor((i + 0.5) * scale));
}

describe('pillowNearestIndices', () => {
  test('same size is the identity', () => {
    expect([...pillowNearestIndices(7, 7)]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('halving takes every second pixel from the first odd one; 10 → 3 takes 1, 5, 8', () => {
    expect([...pillowNearestIndices(8, 4)]).toEqual([1, 3, 5, 7]);
    expect([...pillowNearestIndices(10, 3)]).toEqual([1, 5, 8]);
  });

  test('upscaling repeats pixels, every index in range and never decreasing', () => {
    const xs = [...pillowNearestIndices(3, 299)];
    expect(new Set(xs)).toEqual(new Set([0, 1, 2]));
    expect(xs.every((x, i) => i === 0 || x >= (xs[i - 1] as number))).toBe(true);
  });

  test('accumulating the step differs from floor((i + 0.5) × scale) at some exact boundaries', () => {
    // Why the accumulated form matters: find sizes where the two disagree.
    let found: [number, number] | null = null;
    for (let src = 2; src < 400 && !found; src++) {
      for (const dst of [3, 7, 13, 224, 299]) {
        const ours = [...pillowNearestIndices(src, dst)];
        if (ours.some((x, i) => x !== closedForm(src, dst)[i])) {
          found = [src, dst];
          break;
        }
      }
    }
    expect(found).not.toBeNull();
  });

  test.each([
    [0, 3],
    [3, 0],
    [2.5, 3],
    [-1, 3],
  ])('%s → %s is refused', (src, dst) => {
    expect(() => pillowNearestIndices(src, dst)).toThrow(RangeError);
  });
});

describe('resizeNearestLikePillow', () => {
  test('picks whole pixels, keeps channel order, alpha 255', () => {
    // 4 × 2 image, each pixel (x, y, x + 10y)
    const rgb = new Uint8Array(4 * 2 * 3);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++) rgb.set([x, y, x + 10 * y], (y * 4 + x) * 3);
    const out = resizeNearestLikePillow({ width: 4, height: 2, rgb }, 2, 1);
    // columns 1 and 3 of row 1
    expect([...out]).toEqual([1, 1, 11, 255, 3, 1, 13, 255]);
  });

  test('a buffer of the wrong length is refused', () => {
    expect(() =>
      resizeNearestLikePillow({ width: 2, height: 2, rgb: new Uint8Array(11) }, 1, 1),
    ).toThrow(RangeError);
  });
});

describe.runIf(pilTestsRun('Pillow NEAREST index comparison'))('against Pillow itself', () => {
  test('the same source indices as Image.resize(NEAREST) for every size pair tried', () => {
    const sources = [
      1, 2, 3, 5, 7, 10, 13, 100, 223, 224, 225, 299, 333, 500, 501, 768, 1000, 4032,
    ];
    const targets = [1, 2, 3, 13, 17, 224, 299, 300, 500, 640, 1001];
    const pairs = sources.flatMap((src) => targets.map((dst) => [src, dst] as const));
    const answers = runPil<{ indices: number[] }>(
      pairs.map(([src, dst]) => ({ op: 'indices', src, dst })),
    );
    let closedFormMisses = 0;
    pairs.forEach(([src, dst], k) => {
      const pillow = answers[k]?.indices ?? [];
      expect([...pillowNearestIndices(src, dst)], `${src} → ${dst}`).toEqual(pillow);
      if (closedForm(src, dst).some((x, i) => x !== pillow[i])) closedFormMisses++;
    });
    console.log(
      `Pillow NEAREST: ${pairs.length} size pairs identical; floor((i + 0.5) × scale) ` +
        `would differ on ${closedFormMisses}`,
    );
  });
});
