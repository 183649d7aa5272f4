import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { memoryByteFiles } from '../../test/memory-byte-files';
import type { ByteFiles } from './byte-files';
import { indexedDbChunkedStore, type ChunkedStore } from './chunked-store';
import { keysIn as keysInDatabase } from '../../test/idb-keys';

type Meta = { label: string };

function storeOf(
  factory: IDBFactory,
  files: ByteFiles | null,
  options: { maxEntries?: number } = {},
): ChunkedStore<Meta> {
  return indexedDbChunkedStore<Meta>(factory, {
    database: 'test-bytes',
    version: 1,
    store: 'entries',
    chunkBytes: 16,
    maxEntries: options.maxEntries ?? 3,
    isMeta: (m): m is Meta => typeof (m as Meta | null)?.label === 'string',
    files,
  });
}

/** Every key in the store's database. */
const keysIn = (factory: IDBFactory): Promise<string[]> => keysInDatabase(factory, 'test-bytes');

/** `n` bytes counting up from `from`. */
function bytes(n: number, from = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = from + i;
  return out;
}

const joined = (chunks: ArrayBuffer[] | undefined): number[] =>
  (chunks ?? []).flatMap((c) => Array.from(new Uint8Array(c)));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the chunked store with files (OPFS where the browser has it)', () => {
  test('the bytes go in one file, the record alone in IndexedDB; read back whole, as one chunk', async () => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const store = storeOf(factory, files);
    // given in parts, as the folded weights are
    await store.put('m', 'v1', { label: 'a' }, [bytes(20).buffer, bytes(30, 20).buffer]);
    expect(files.files.size).toBe(1);
    expect(await keysIn(factory)).toEqual(['entry:m']); // no chunk keys
    const entry = await store.get('m', 'v1');
    expect(entry?.meta).toEqual({ label: 'a' });
    expect(entry?.chunks.map((c) => c.byteLength)).toEqual([50]);
    expect(joined(entry?.chunks)).toEqual(Array.from(bytes(50)));
    expect(await store.has('m', 'v1')).toBe(true);
  });

  test('a view is written as the bytes it covers only', async () => {
    const files = memoryByteFiles();
    const store = storeOf(new IDBFactory(), files);
    await store.put('m', 'v1', { label: 'a' }, bytes(40).subarray(8, 20));
    expect(joined((await store.get('m', 'v1'))?.chunks)).toEqual(Array.from(bytes(12, 8)));
  });

  test.each([
    ['gone', (f: Map<string, Uint8Array>, name: string) => f.delete(name)],
    ['cut short', (f: Map<string, Uint8Array>, name: string) => f.set(name, f.get(name)!.slice(1))],
  ])('a file %s makes the entry a miss; record and file are dropped', async (_why, spoil) => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const store = storeOf(factory, files);
    await store.put('m', 'v1', { label: 'a' }, bytes(20));
    spoil(files.files, [...files.files.keys()][0]!);
    expect(await store.get('m', 'v1')).toBeNull();
    expect(await keysIn(factory)).toEqual([]);
    expect(files.files.size).toBe(0);
  });

  test('a stale identity, a replaced entry, an evicted one and drop all take their files along', async () => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const store = storeOf(factory, files, { maxEntries: 2 });
    await store.put('m', 'v1', { label: 'a' }, bytes(20));
    await store.put('m', 'v2', { label: 'b' }, bytes(20, 1)); // replaces v1
    expect(files.files.size).toBe(1);
    expect(await store.get('m', 'v1')).toBeNull(); // stale: dropped
    expect(files.files.size).toBe(0);
    const tick = () => new Promise((r) => setTimeout(r, 2)); // distinct save times
    await store.put('a', 'v1', { label: 'a' }, bytes(4));
    await tick();
    await store.put('b', 'v1', { label: 'b' }, bytes(4));
    await tick();
    await store.put('c', 'v1', { label: 'c' }, bytes(4)); // 'a' is evicted
    expect(files.files.size).toBe(2);
    expect(await store.has('a', 'v1')).toBe(false);
    await store.drop('b');
    expect(files.files.size).toBe(1);
    expect(joined((await store.get('c', 'v1'))?.chunks)).toEqual(Array.from(bytes(4)));
  });

  test('a file no record names (a write cut short) is deleted by a later write once it is old', async () => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const store = storeOf(factory, files);
    const old = `${(Date.now() - 11 * 60_000).toString(36)}-abcdef.bin`;
    const fresh = `${Date.now().toString(36)}-ghijkl.bin`; // perhaps another tab's, mid-write
    files.files.set(old, bytes(8));
    files.files.set(fresh, bytes(8));
    await store.put('m', 'v1', { label: 'a' }, bytes(20));
    expect(files.files.has(old)).toBe(false);
    expect(files.files.has(fresh)).toBe(true);
    expect(files.files.size).toBe(2);
  });

  test('where files cannot be written, the entry goes in chunks, and so do the next ones', async () => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const write = vi
      .spyOn(files, 'write')
      .mockRejectedValueOnce(Object.assign(new Error('no'), { name: 'InvalidStateError' }));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = storeOf(factory, files);
    await store.put('m', 'v1', { label: 'a' }, bytes(40));
    await store.put('n', 'v1', { label: 'b' }, bytes(8));
    expect(write).toHaveBeenCalledTimes(1);
    expect(files.files.size).toBe(0);
    expect((await store.get('m', 'v1'))?.chunks.map((c) => c.byteLength)).toEqual([16, 16, 8]);
    expect(joined((await store.get('m', 'v1'))?.chunks)).toEqual(Array.from(bytes(40)));
  });

  test('a full disk rejects the write and leaves nothing behind, the older entry whole', async () => {
    const factory = new IDBFactory();
    const files = memoryByteFiles();
    const store = storeOf(factory, files);
    await store.put('m', 'v1', { label: 'a' }, bytes(20));
    vi.spyOn(files, 'write').mockImplementationOnce((name) => {
      files.files.set(name, bytes(3)); // part of it was written
      return Promise.reject(Object.assign(new Error('full'), { name: 'QuotaExceededError' }));
    });
    await expect(store.put('m', 'v2', { label: 'b' }, bytes(20, 5))).rejects.toThrow('full');
    expect(files.files.size).toBe(1);
    expect(joined((await store.get('m', 'v1'))?.chunks)).toEqual(Array.from(bytes(20)));
  });

  test('entries kept as chunks (before files, or in a browser without them) are read either way', async () => {
    const factory = new IDBFactory();
    await storeOf(factory, null).put('m', 'v1', { label: 'a' }, bytes(40));
    const files = memoryByteFiles();
    const withFiles = storeOf(factory, files);
    expect(joined((await withFiles.get('m', 'v1'))?.chunks)).toEqual(Array.from(bytes(40)));
    // and the other way round: an entry in a file, read where there are no files, is a miss
    await withFiles.put('n', 'v1', { label: 'b' }, bytes(8));
    expect(await storeOf(factory, null).get('n', 'v1')).toBeNull();
  });
});
