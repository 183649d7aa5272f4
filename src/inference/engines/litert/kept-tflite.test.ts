import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, test } from 'vitest';
import { indexedDbKeptTflite, keptIdentity, type KeptTfliteMeta } from './kept-tflite';

const META: KeptTfliteMeta = {
  answer: { probs: new Float32Array([0.25, 0.75]), features: new Float32Array([1, 2, 3]) },
  inputSize: 8,
  numClasses: 2,
  params: 42,
  feature: { name: 'avg_pool/Mean:0' },
};

/** A file of `n` bytes 0, 1, 2, … inside a larger buffer (the writer's slack on both sides). */
function file(n: number): Uint8Array {
  const buffer = new Uint8Array(n + 10);
  for (let i = 0; i < buffer.length; i++) buffer[i] = (i - 5) & 255;
  return buffer.subarray(5, 5 + n);
}

describe('the kept .tflite files (IndexedDB)', () => {
  test('a file and what it was checked against come back whole, from several chunks, and only its view', async () => {
    const store = indexedDbKeptTflite(new IDBFactory(), { chunkBytes: 16 });
    expect(await store.has('m', 'v1')).toBe(false);
    await store.put('m', 'v1', file(40), META);
    expect(await store.has('m', 'v1')).toBe(true);
    const kept = await store.get('m', 'v1');
    expect(Array.from(kept!.file)).toEqual(Array.from(file(40)));
    expect(kept!.meta).toEqual(META);
  });

  test('another version of the model, the converter or LiteRT.js is a miss, and the entry goes', async () => {
    const store = indexedDbKeptTflite(new IDBFactory(), { chunkBytes: 16 });
    await store.put('m', 'v1', file(8), META);
    expect(await store.has('m', 'v2')).toBe(false);
    expect(await store.get('m', 'v2')).toBeNull();
    expect(await store.has('m', 'v1')).toBe(false); // dropped when read as stale
    // the stored identity names the converter's format and LiteRT.js' version beside the model's
    expect(keptIdentity('v1')).toMatch(/^v1\ntflite v\d+\nlitert \d+\.\d+\.\d+$/);
  });

  test('a record of another form is no entry (not has, not get)', async () => {
    const store = indexedDbKeptTflite(new IDBFactory(), { chunkBytes: 16 });
    await store.put('m', 'v1', file(8), { ...META, numClasses: 3 }); // 2 probabilities for 3
    expect(await store.has('m', 'v1')).toBe(false);
    expect(await store.get('m', 'v1')).toBeNull();
  });

  test('drop forgets the slot', async () => {
    const store = indexedDbKeptTflite(new IDBFactory(), { chunkBytes: 16 });
    await store.put('m', 'v1', file(8), META);
    await store.drop('m');
    expect(await store.get('m', 'v1')).toBeNull();
  });
});
