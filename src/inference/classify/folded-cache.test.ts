import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, test, vi } from 'vitest';
import { indexedDbFoldedCache, type CachedFold } from './folded-cache';
import { keysIn as keysInDatabase } from '../../test/idb-keys';

/** A fold of `floats` float32 values, each equal to `fill`. */
function fold(floats: number, fill = 1): CachedFold {
  return {
    artifacts: {
      modelTopology: { class_name: 'Functional', config: { layers: [] } },
      weightSpecs: [{ name: 'w', shape: [floats], dtype: 'float32' }],
      weightData: new Float32Array(floats).fill(fill).buffer,
    },
    originalParams: floats + 4,
  };
}

/** Every key in the store's database. */
const keysIn = (factory: IDBFactory): Promise<string[]> =>
  keysInDatabase(factory, 'inception-lens-folded');

function values(hit: CachedFold | null): number[] {
  const data = hit?.artifacts.weightData as ArrayBuffer[];
  return data.flatMap((b) => Array.from(new Float32Array(b)));
}

describe('the folded-copy cache (IndexedDB)', () => {
  test('miss, then a hit with the same identity, read back from several chunks', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 16 });
    expect(await cache.get('http://x/model.json', 'v1')).toBeNull();
    await cache.put('http://x/model.json', 'v1', fold(10, 2.5));
    const hit = await cache.get('http://x/model.json', 'v1');
    expect(hit?.originalParams).toBe(14);
    expect((hit?.artifacts.weightData as ArrayBuffer[]).map((b) => b.byteLength)).toEqual([
      16, 16, 8,
    ]);
    expect(values(hit)).toEqual(new Array(10).fill(2.5));
    expect(hit?.artifacts.weightSpecs).toEqual([{ name: 'w', shape: [10], dtype: 'float32' }]);
  });

  test('a stale identity is a miss and its entry is dropped', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 16 });
    await cache.put('m', 'v1', fold(8));
    expect(await cache.get('m', 'v2')).toBeNull();
    expect(await keysIn(factory)).toEqual([]);
    expect(await cache.get('m', 'v1')).toBeNull();
  });

  test('a new version replaces the old one and its chunks', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 16 });
    await cache.put('m', 'v1', fold(8, 1));
    await cache.put('m', 'v2', fold(4, 3));
    expect(values(await cache.get('m', 'v2'))).toEqual([3, 3, 3, 3]);
    expect((await keysIn(factory)).filter((k) => k.startsWith('chunk:'))).toHaveLength(1);
  });

  test('a lost or cut chunk makes the entry corrupt: a miss, and it is dropped', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 16 });
    await cache.put('m', 'v1', fold(8));
    const chunk = (await keysIn(factory)).find((k) => k.endsWith(':1'))!;
    // Cut the second chunk short, as a write interrupted outside our control would.
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('inception-lens-folded');
      req.onsuccess = () => {
        const tx = req.result.transaction('entries', 'readwrite');
        tx.objectStore('entries').put(new ArrayBuffer(3), chunk);
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB failed'));
      };
    });
    expect(await cache.get('m', 'v1')).toBeNull();
    expect(await keysIn(factory)).toEqual([]);
  });

  test('a refused write (quota) rejects and leaves nothing behind, nor the older entry broken', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 16 });
    await cache.put('m', 'v1', fold(4, 7));
    const before = await keysIn(factory);
    const proto = Object.getPrototypeOf(
      (
        await new Promise<IDBDatabase>((resolve) => {
          const req = factory.open('inception-lens-folded');
          req.onsuccess = () => resolve(req.result);
        })
      )
        .transaction('entries')
        .objectStore('entries'),
    ) as IDBObjectStore;
    let puts = 0;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its `this` below
    const realPut = proto.put;
    const spy = vi.spyOn(proto, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++puts === 2)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    try {
      await expect(cache.put('m', 'v2', fold(8, 9))).rejects.toThrow(/quota/);
    } finally {
      spy.mockRestore();
    }
    expect(await keysIn(factory)).toEqual(before);
    expect(values(await cache.get('m', 'v1'))).toEqual([7, 7, 7, 7]);
  });

  test('a database of that name left without its store (opened bare elsewhere) still works', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve) => {
      const req = factory.open('inception-lens-folded'); // version 1, no store
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    const cache = indexedDbFoldedCache(factory);
    await cache.put('m', 'v1', fold(2, 5));
    expect(values(await cache.get('m', 'v1'))).toEqual([5, 5]);
  });

  test('only the newest entries are kept', async () => {
    const factory = new IDBFactory();
    const cache = indexedDbFoldedCache(factory, { chunkBytes: 64, maxEntries: 2 });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [i, slot] of ['a', 'b', 'c'].entries()) {
        vi.setSystemTime(1000 + i);
        await cache.put(slot, 'v', fold(2, i));
      }
    } finally {
      vi.useRealTimers();
    }
    expect(await cache.get('a', 'v')).toBeNull();
    expect(values(await cache.get('c', 'v'))).toEqual([2, 2]);
    expect((await keysIn(factory)).filter((k) => k.startsWith('entry:'))).toEqual([
      'entry:b',
      'entry:c',
    ]);
  });
});
