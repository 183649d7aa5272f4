import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { openLibraryStore, type PhotoRecord } from './library-store';

let dbCount = 0;
const fresh = () => openLibraryStore(`test-photos-${++dbCount}`);

function record(
  library: string,
  id: string,
  path: string,
): Omit<PhotoRecord, 'extraBytes' | 'hasThumbnail' | 'hasVector'> {
  return {
    library,
    id,
    path,
    name: path.split('/').pop()!,
    size: 1000,
    lastModified: 1,
    status: 'done',
    predictions: [{ index: 1, label: 'tabby, tabby cat', probability: 0.9 }],
    ms: 12,
    backend: 'wasm',
    modelId: 'm',
    at: 2,
  };
}

describe('LibraryStore', () => {
  test('libraries are kept, renamed and deleted with everything in them', async () => {
    const store = await fresh();
    const a = await store.createLibrary('Holidays', 1);
    const b = await store.createLibrary('  ', 2);
    expect(b.name).toBe('Photos');
    await store.updateLibrary({ ...a, name: 'Summer' });
    await store.put(record(a.id, 'p1', 'x/1.jpg'), { vector: Int8Array.from([1, 2, 3]) });
    await store.put(record(b.id, 'p1', 'y/1.jpg'));
    expect((await store.libraries()).map((l) => l.name)).toEqual(['Summer', 'Photos']);
    await store.deleteLibrary(a.id);
    expect((await store.libraries()).map((l) => l.id)).toEqual([b.id]);
    expect(await store.photos(a.id)).toEqual([]);
    expect((await store.vectors(a.id)).ids).toEqual([]);
    expect((await store.photos(b.id)).map((p) => p.path)).toEqual(['y/1.jpg']);
    store.close();
  });

  test('photos come back with their results; vectors of one length, row by row; removal', async () => {
    const store = await fresh();
    const lib = await store.createLibrary('L');
    await store.put(record(lib.id, 'a', 'a.jpg'), { vector: Int8Array.from([1, 2]) });
    await store.put(record(lib.id, 'b', 'b.jpg'), { vector: Int8Array.from([3, 4]) });
    await store.put(record(lib.id, 'c', 'c.jpg'), { vector: Int8Array.from([9, 9, 9]) });
    await store.put({ ...record(lib.id, 'd', 'd.txt'), status: 'error', error: 'not an image' });
    const photos = await store.photos(lib.id);
    expect(photos.map((p) => [p.path, p.status, p.hasVector])).toEqual([
      ['a.jpg', 'done', true],
      ['b.jpg', 'done', true],
      ['c.jpg', 'done', true],
      ['d.txt', 'error', false],
    ]);
    expect(photos[0]!.predictions![0]!.label).toBe('tabby, tabby cat');
    const vectors = await store.vectors(lib.id);
    expect(vectors.dim).toBe(2);
    expect(vectors.ids).toEqual(['a', 'b']);
    expect(Array.from(vectors.data)).toEqual([1, 2, 3, 4]);
    await store.remove(lib.id, ['a']);
    expect((await store.photos(lib.id)).map((p) => p.id)).toEqual(['b', 'c', 'd']);
    expect((await store.vectors(lib.id)).ids).toEqual(['b']);
    const usage = await store.usage(lib.id);
    expect(usage.photos).toBe(3);
    expect(usage.bytes).toBeGreaterThan(3 * 100);
    await store.clear(lib.id);
    expect(await store.photos(lib.id)).toEqual([]);
    store.close();
  });

  test('batches walk a whole library a few records at a time', async () => {
    const store = await fresh();
    const lib = await store.createLibrary('L');
    const other = await store.createLibrary('M');
    for (let i = 0; i < 7; i++) await store.put(record(lib.id, `p${i}`, `f/${i}.jpg`));
    await store.put(record(other.id, 'p9', 'z.jpg'));
    const sizes: number[] = [];
    const paths: string[] = [];
    for await (const batch of store.batches(lib.id, 3)) {
      sizes.push(batch.length);
      paths.push(...batch.map((r) => r.path));
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(paths).toEqual(Array.from({ length: 7 }, (_, i) => `f/${i}.jpg`));
    store.close();
  });

  test('vector batches walk a library’s vectors a few at a time, the same as one read', async () => {
    const store = await fresh();
    const lib = await store.createLibrary('L');
    const other = await store.createLibrary('M');
    for (let i = 0; i < 5; i++) {
      await store.put(record(lib.id, `p${i}`, `f/${i}.jpg`), { vector: Int8Array.from([i, -i]) });
    }
    await store.put(record(other.id, 'p9', 'z.jpg'), { vector: Int8Array.from([7, 7]) });
    const sizes: number[] = [];
    const ids: string[] = [];
    const rows: number[] = [];
    for await (const batch of store.vectorBatches(lib.id, 2)) {
      expect(batch.dim).toBe(2);
      sizes.push(batch.ids.length);
      ids.push(...batch.ids);
      rows.push(...batch.data);
    }
    expect(sizes).toEqual([2, 2, 1]);
    const all = await store.vectors(lib.id);
    expect(ids).toEqual(all.ids);
    expect(rows).toEqual(Array.from(all.data));
    store.close();
  });
});
