import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbFeatureStore, memoryFeatureStore } from './feature-store';

describe('the feature store', () => {
  it('IndexedDB: says which keys are kept without reading them, and reads back what was put', async () => {
    const store = indexedDbFeatureStore(new IDBFactory());
    expect(await store.has([])).toEqual([]);
    expect(await store.getMany([])).toEqual([]);
    await store.putMany([
      ['a', new Float32Array([1, 2, 3])],
      ['b', new Float32Array([4, 5, 6])],
    ]);
    expect(await store.has(['a', 'x', 'b'])).toEqual([true, false, true]);
    const [a, x, b] = await store.getMany(['a', 'x', 'b']);
    expect(Array.from(a ?? [])).toEqual([1, 2, 3]);
    expect(x).toBeUndefined();
    expect(Array.from(b ?? [])).toEqual([4, 5, 6]);
  });

  it('in memory: keeps copies (as IndexedDB does), and counts the vectors read', async () => {
    const store = memoryFeatureStore();
    const given = new Float32Array([1, 2]);
    await store.putMany([['k', given]]);
    given[0] = 9;
    expect(await store.has(['k', 'z'])).toEqual([true, false]);
    expect(store.vectorsRead).toBe(0);
    const [back] = await store.getMany(['k', 'z']);
    expect(Array.from(back ?? [])).toEqual([1, 2]);
    expect(back).not.toBe(store.map.get('k'));
    expect(store.vectorsRead).toBe(1);
  });
});
