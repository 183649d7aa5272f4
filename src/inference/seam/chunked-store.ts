/**
 * Large byte payloads kept in IndexedDB in bounded transactions: one slot per key (a model's
 * address), each entry made from one version of its source (`identity`) and carrying a small
 * description (`meta`) beside its bytes. The folded inference copies (`classify/folded-cache.ts`)
 * and the kept `.tflite` files (`engines/litert/kept-tflite.ts`) are two such stores.
 *
 * The bytes go in chunks of a few MB, each in its own transaction, and the small record that
 * points at them is written last (with the older entry's chunks deleted in that same small
 * transaction), so an interrupted or refused write (a full disk) leaves no entry that looks
 * complete. A read checks every chunk against the record, and the caller's own check on the whole
 * (`fits`); anything that does not fit is dropped and reported as a miss. An entry of another
 * identity is stale: dropped on reading. Only the newest `maxEntries` entries are kept.
 *
 * Where the origin-private file system works (`byte-files.ts`), the bytes go in one file per
 * entry instead of chunks, read back whole in a third of the time; the record still comes last
 * and names the file and its size. Entries written either way are read either way, so a browser
 * that loses OPFS, or an entry kept before it was used, still reads. Files that no record names
 * (a write cut short) are deleted on the next write.
 */
import type { ByteFiles } from './byte-files';
import { idbRequest, transactionDone } from './idb';

/** What an entry's bytes may be given as (a view: only the bytes it covers). */
export type Bytes = ArrayBuffer | ArrayBufferView | readonly ArrayBuffer[];

/** An entry read back. */
export interface ChunkedEntry<M> {
  meta: M;
  chunks: ArrayBuffer[];
}

/** The store (see the file comment). */
export interface ChunkedStore<M> {
  /** The entry in `slot` when it was made from `identity` and is whole; null otherwise. */
  get(slot: string, identity: string): Promise<ChunkedEntry<M> | null>;
  /** Whether `slot` holds an entry for `identity`, reading only its record (no bytes). */
  has(slot: string, identity: string): Promise<boolean>;
  /** Keeps `data` and `meta` in `slot` for `identity`, replacing what was there. */
  put(slot: string, identity: string, meta: M, data: Bytes): Promise<void>;
  /** Forgets `slot`. */
  drop(slot: string): Promise<void>;
}

/** Where and how a store keeps its entries. */
export interface ChunkedStoreOptions<M> {
  database: string;
  /** the database's version; its one object store is made whenever it is missing */
  version: number;
  store: string;
  /** bytes per chunk */
  chunkBytes: number;
  /** entries kept (the oldest go first) */
  maxEntries: number;
  /** whether a stored description has the expected form */
  isMeta(meta: unknown): meta is M;
  /** whether the bytes read back (`total` of them) are what `meta` describes (default: any) */
  fits?(meta: M, total: number): boolean;
  /** where whole files go instead of chunks (null or absent: chunks in IndexedDB) */
  files?: ByteFiles | null;
}

/** The record pointing at an entry's chunks. */
interface EntryRecord {
  identity: string;
  /** chunk keys are `chunk:<id>:<index>`; a new write gets a new id */
  id: string;
  /** byte length of each chunk, in order; with `file`, the file's length alone */
  chunks: number[];
  /** the entry's bytes are this file of the store's {@link ByteFiles}, not chunks */
  file?: string;
  savedAt: number;
  meta: unknown;
}

/** A file no record names is deleted once it is this old (ms; its name says when it was made). */
const ORPHAN_AFTER_MS = 10 * 60_000;

const entryKey = (slot: string): string => `entry:${slot}`;
const chunkKey = (id: string, index: number): string => `chunk:${id}:${index}`;
/** Every chunk of one write. */
const chunkRange = (id: string): IDBKeyRange =>
  IDBKeyRange.bound(`chunk:${id}:`, `chunk:${id}:\uffff`);

/** `data` as byte views of its parts, without copying. */
function viewsOf(data: Bytes): Uint8Array[] {
  if (data instanceof ArrayBuffer) return [new Uint8Array(data)];
  if (ArrayBuffer.isView(data))
    return [new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  return data.map((b) => new Uint8Array(b));
}

/** Splits `data` into chunks of at most `size` bytes (copies, so each chunk stands alone). */
function split(data: Bytes, size: number): ArrayBuffer[] {
  const parts: { buffer: ArrayBufferLike; start: number; end: number }[] =
    data instanceof ArrayBuffer
      ? [{ buffer: data, start: 0, end: data.byteLength }]
      : ArrayBuffer.isView(data)
        ? [{ buffer: data.buffer, start: data.byteOffset, end: data.byteOffset + data.byteLength }]
        : data.map((b) => ({ buffer: b, start: 0, end: b.byteLength }));
  const chunks: ArrayBuffer[] = [];
  for (const { buffer, start, end } of parts) {
    for (let at = start; at < end; at += size) {
      chunks.push(buffer.slice(at, Math.min(at + size, end)) as ArrayBuffer);
    }
  }
  return chunks;
}

function isRecord(value: unknown): value is EntryRecord {
  const r = value as Partial<EntryRecord> | undefined;
  return (
    !!r &&
    typeof r.identity === 'string' &&
    typeof r.id === 'string' &&
    Array.isArray(r.chunks) &&
    typeof r.savedAt === 'number' &&
    r.meta !== undefined &&
    (r.file === undefined || (typeof r.file === 'string' && r.chunks.length === 1))
  );
}

/** A store in IndexedDB (see the file comment); the database is opened on first use. */
export function indexedDbChunkedStore<M>(
  factory: IDBFactory,
  options: ChunkedStoreOptions<M>,
): ChunkedStore<M> {
  const { store: STORE, chunkBytes, maxEntries } = options;
  /** null once a file write failed here: chunks from then on */
  let files = options.files ?? null;
  let opened: Promise<IDBDatabase> | null = null;
  const db = (): Promise<IDBDatabase> => {
    opened ??= (() => {
      const req = factory.open(options.database, options.version);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      return idbRequest(req);
    })();
    opened.catch(() => (opened = null)); // a failed open is tried again next time
    return opened;
  };
  const valid = (value: unknown): value is EntryRecord & { meta: M } =>
    isRecord(value) && options.isMeta(value.meta);

  /** Deletes an entry's record and its chunks (those of `record`, when known). */
  async function remove(slot: string, record: EntryRecord | null): Promise<void> {
    const tx = (await db()).transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    if (record) store.delete(chunkRange(record.id));
    store.delete(entryKey(slot));
    await transactionDone(tx);
    if (record?.file) await files?.remove(record.file).catch(() => undefined);
  }

  async function readRecord(slot: string): Promise<unknown> {
    const tx = (await db()).transaction(STORE, 'readonly');
    return idbRequest(tx.objectStore(STORE).get(entryKey(slot)));
  }

  /** Drops the oldest entries beyond `maxEntries`. */
  async function evict(): Promise<void> {
    const tx = (await db()).transaction(STORE, 'readonly');
    const range = IDBKeyRange.bound('entry:', 'entry:\uffff');
    const store = tx.objectStore(STORE);
    const [keys, records] = await Promise.all([
      idbRequest(store.getAllKeys(range)),
      idbRequest(store.getAll(range) as IDBRequest<unknown[]>),
    ]);
    const entries = keys
      .map((key, i) => ({
        slot: typeof key === 'string' ? key.slice('entry:'.length) : '',
        record: records[i],
      }))
      .filter((e): e is { slot: string; record: EntryRecord } => isRecord(e.record))
      .sort((a, b) => b.record.savedAt - a.record.savedAt);
    for (const old of entries.slice(maxEntries)) await remove(old.slot, old.record);
    if (files) {
      // Files no record names: a write cut short before its record (a closed tab, a crash).
      // Only old ones: another tab may be writing a file whose record is still to come.
      const named = new Set(entries.slice(0, maxEntries).map((e) => e.record.file));
      for (const name of await files.names().catch(() => [])) {
        const made = parseInt(name.split('-')[0] ?? '', 36);
        const old = !(Date.now() - made < ORPHAN_AFTER_MS);
        if (!named.has(name) && old) await files.remove(name).catch(() => undefined);
      }
    }
  }

  /** An entry's bytes: its file, or its chunks; null when anything is missing or cut short. */
  async function readBytes(record: EntryRecord): Promise<ArrayBuffer[] | null> {
    if (record.file !== undefined) {
      const bytes = files ? await files.read(record.file) : null;
      return bytes && bytes.byteLength === record.chunks[0] ? [bytes] : null;
    }
    const tx = (await db()).transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const chunks = await Promise.all(
      record.chunks.map((_, i) => idbRequest(store.get(chunkKey(record.id, i)))),
    );
    return chunks.every((c, i) => c instanceof ArrayBuffer && c.byteLength === record.chunks[i])
      ? (chunks as ArrayBuffer[])
      : null;
  }

  /** Writes `data` for a new entry `id`: a file where files work, else chunks. */
  async function writeBytes(
    id: string,
    data: Bytes,
  ): Promise<Pick<EntryRecord, 'chunks' | 'file'>> {
    if (files) {
      const name = `${id}.bin`;
      const views = viewsOf(data);
      try {
        await files.write(name, views);
        return { chunks: [views.reduce((n, v) => n + v.byteLength, 0)], file: name };
      } catch (error) {
        await files.remove(name).catch(() => undefined);
        if ((error as { name?: string } | null)?.name === 'QuotaExceededError') throw error;
        console.warn('could not write a file here; keeping chunks in IndexedDB instead:', error);
        files = null;
      }
    }
    const chunks = split(data, chunkBytes);
    for (const [i, chunk] of chunks.entries()) {
      const tx = (await db()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(chunk, chunkKey(id, i));
      await transactionDone(tx);
    }
    return { chunks: chunks.map((c) => c.byteLength) };
  }

  return {
    async get(slot, identity) {
      const record = await readRecord(slot);
      if (record === undefined) return null;
      if (!valid(record) || record.identity !== identity) {
        await remove(slot, isRecord(record) ? record : null); // stale or unreadable
        return null;
      }
      const chunks = await readBytes(record);
      const total = record.chunks.reduce((n, b) => n + b, 0);
      if (!chunks || !(options.fits?.(record.meta, total) ?? true)) {
        await remove(slot, record); // a chunk or the file lost or cut short: make it again
        return null;
      }
      return { meta: record.meta, chunks };
    },

    async has(slot, identity) {
      const record = await readRecord(slot);
      return valid(record) && record.identity === identity;
    },

    async put(slot, identity, meta, data) {
      const previous = await readRecord(slot);
      const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      try {
        const written = await writeBytes(id, data);
        const record: EntryRecord = { identity, id, ...written, savedAt: Date.now(), meta };
        // The record last, with the old entry's chunks gone in the same small transaction.
        const tx = (await db()).transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        if (isRecord(previous)) store.delete(chunkRange(previous.id));
        store.put(record, entryKey(slot));
        await transactionDone(tx);
      } catch (error) {
        // Refused (e.g. QuotaExceededError): take back what was written, best effort.
        try {
          await files?.remove(`${id}.bin`).catch(() => undefined);
          const tx = (await db()).transaction(STORE, 'readwrite');
          tx.objectStore(STORE).delete(chunkRange(id));
          await transactionDone(tx);
        } catch {
          // nothing more to do: orphan chunks are unreachable and overwritten by nothing
        }
        throw error;
      }
      if (isRecord(previous) && previous.file)
        await files?.remove(previous.file).catch(() => undefined);
      await evict();
    },

    async drop(slot) {
      const record = await readRecord(slot);
      await remove(slot, isRecord(record) ? record : null);
    },
  };
}
