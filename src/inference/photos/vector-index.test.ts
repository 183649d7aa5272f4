import { describe, expect, test } from 'vitest';
import { createPhotosHandlers, PHOTOS_WITHOUT_TURN } from './handlers';
import type { HandlerContext } from '../seam/handlers';
import type { RequestType } from '../protocol';
import { VectorIndex } from './vector-index';

/** A pseudo-random 8-bit vector (a fixed function of the seed). */
function vector(seed: number, dim = 32): Int8Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  return Int8Array.from({ length: dim }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 24) - 128;
  });
}

/** `base` nudged by a little noise: nearly the same photo. */
function near(base: Int8Array, amount: number, seed: number): Int8Array {
  return base.map((v, i) =>
    Math.max(-127, Math.min(127, v + Math.round(Math.sin(seed + i) * amount))),
  );
}

function cosine(a: Int8Array, b: Int8Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe('VectorIndex.nearest', () => {
  test('ranks by cosine, nearest first, itself left out, as a full sort would', () => {
    const index = new VectorIndex(32);
    const all = Array.from({ length: 50 }, (_, i) => vector(i));
    all.forEach((v, i) => index.put(`p${i}`, v));
    const got = index.nearest('p7', 10)!;
    const want = all
      .map((v, i) => ({ key: `p${i}`, score: cosine(all[7]!, v) }))
      .filter((n) => n.key !== 'p7')
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    expect(got.map((n) => n.key)).toEqual(want.map((n) => n.key));
    got.forEach((n, i) => expect(n.score).toBeCloseTo(want[i]!.score, 5));
  });

  test('scale does not matter; an unknown key gives null; k above the size gives everyone else', () => {
    const index = new VectorIndex(4);
    index.put('a', Int8Array.from([10, 0, 0, 0]));
    index.put('b', Int8Array.from([100, 1, 0, 0]));
    index.put('c', Int8Array.from([0, 50, 0, 0]));
    expect(index.nearest('a', 5)!.map((n) => n.key)).toEqual(['b', 'c']);
    expect(index.nearest('a', 1)![0]!.score).toBeCloseTo(1, 3);
    expect(index.nearest('zzz', 3)).toBeNull();
  });

  test('remove and replace keep the rows consistent', () => {
    const index = new VectorIndex(4);
    index.put('a', Int8Array.from([1, 0, 0, 0]));
    index.put('b', Int8Array.from([0, 1, 0, 0]));
    index.put('c', Int8Array.from([0, 0, 1, 0]));
    index.remove('a');
    expect(index.size).toBe(2);
    expect(index.has('a')).toBe(false);
    index.put('b', Int8Array.from([0, 0, 1, 0])); // now the same as c
    expect(index.nearest('c', 1)).toEqual([{ key: 'b', score: 1 }]);
    expect(() => index.put('d', Int8Array.from([1, 2]))).toThrow(/2 values/);
  });
});

describe('VectorIndex.duplicates', () => {
  test('groups nearly identical vectors (linked pairs joined), largest first; others alone', () => {
    const dim = 256;
    const index = new VectorIndex(dim);
    const a = vector(1, dim);
    const b = vector(2, dim);
    index.put('a1', a);
    index.put('a2', near(a, 3, 1));
    index.put('a3', near(a, 3, 2));
    index.put('b1', b);
    index.put('b2', near(b, 3, 3));
    for (let i = 10; i < 40; i++) index.put(`x${i}`, vector(i, dim));
    const groups = index.duplicates(0.95);
    expect(groups).toEqual([
      ['a1', 'a2', 'a3'],
      ['b1', 'b2'],
    ]);
  });
});

function fakeContext<K extends RequestType>(): HandlerContext<K> {
  return {
    classifier: null,
    backend: null,
    progress: () => undefined,
    isCancelled: () => false,
    transfer: () => undefined,
    activate: () => undefined,
  };
}

describe('the photos handlers', () => {
  test('every one is answered without a turn, and nothing else is (a new one must be classed)', () => {
    // They run on the worker's thread beside a photo under way: only handlers that use no model
    // and finish in one go may be in the list (see PHOTOS_WITHOUT_TURN).
    expect([...PHOTOS_WITHOUT_TURN].sort()).toEqual(Object.keys(createPhotosHandlers()).sort());
  });

  test('index, similar, forget; an unknown library or key answers known: false', async () => {
    const h = createPhotosHandlers();
    const keys = ['a', 'b', 'c'];
    const rows = [vector(1, 8), vector(2, 8), near(vector(1, 8), 2, 5)];
    const vectors = new Int8Array(24);
    rows.forEach((r, i) => vectors.set(r, i * 8));
    const added = await h['photos-index'](
      { library: 'L', keys, dim: 8, vectors: vectors.buffer },
      fakeContext(),
    );
    expect(added).toEqual({ size: 3, dim: 8 });
    const similar = await h['photos-similar']({ library: 'L', key: 'a', k: 10 }, fakeContext());
    expect(similar.known).toBe(true);
    expect(similar.neighbours.map((n) => n.key)).toEqual(['c', 'b']);
    expect((await h['photos-similar']({ library: 'M', key: 'a', k: 3 }, fakeContext())).known).toBe(
      false,
    );
    await h['photos-forget']({ library: 'L', keys: ['c'] }, fakeContext());
    const after = await h['photos-similar']({ library: 'L', key: 'a', k: 10 }, fakeContext());
    expect(after.neighbours.map((n) => n.key)).toEqual(['b']);
    expect(await h['photos-forget']({ library: 'L' }, fakeContext())).toEqual({ size: 0, dim: 0 });
  });

  test('vectors of the wrong byte length are refused', async () => {
    const h = createPhotosHandlers();
    await expect(
      h['photos-index'](
        { library: 'L', keys: ['a', 'b'], dim: 8, vectors: new ArrayBuffer(10) },
        fakeContext(),
      ),
    ).rejects.toThrow(/need 16 bytes, got 10/);
  });
});
