/**
 * The folded inference copies of models, kept in IndexedDB beside (not instead of) the models
 * themselves, so a return visit builds the folded model straight from them: nothing to download,
 * decode or fold. One slot per model address; each entry carries the identity of the model it was
 * folded from (see `model-identity.ts`), and an entry whose identity differs is stale and dropped.
 *
 * Writes are bounded: the weights go in chunks of a few MB, each in its own transaction, and the
 * small record that points at them is written last, so an interrupted or refused write (a full
 * disk) leaves no entry that looks complete. A read checks every chunk's size against the record;
 * anything that does not fit is dropped and reported as a miss, so the caller rebuilds.
 */
import type { io } from '@tensorflow/tfjs';
import { idbRequest, transactionDone } from '../seam/idb';

/** What the cache gives back on a hit. */
export interface CachedFold {
  artifacts: io.ModelArtifacts;
  /** the Keras-structured original's parameter count */
  originalParams: number;
}

/** The folded-copy cache (IndexedDB in the worker, in memory or failing in tests). */
export interface FoldedCache {
  /** The copy in `slot` when it was made from the model `identity` names; null otherwise. */
  get(slot: string, identity: string): Promise<CachedFold | null>;
  /** Keeps `fold` in `slot` for `identity`, replacing what was there; rejects when it cannot. */
  put(slot: string, identity: string, fold: CachedFold): Promise<void>;
  /** Forgets `slot` (e.g. its copy would not build). */
  drop(slot: string): Promise<void>;
}

/** The record pointing at an entry's chunks. */
interface EntryRecord {
  identity: string;
  /** chunk keys are `chunk:<id>:<index>`; a new write gets a new id */
  id: string;
  topology: unknown;
  specs: io.WeightsManifestEntry[];
  /** byte length of each chunk, in order */
  chunks: number[];
  originalParams: number;
  savedAt: number;
}

const DB_NAME = 'inception-lens-folded';
/**
 * Version 2, and the store made whenever it is missing: a database of this name opened without
 * a version by someone else (DevTools, a test) exists at version 1 with no store at all.
 */
const DB_VERSION = 2;
const STORE = 'entries';
/** Bytes per chunk: small enough that one transaction never holds a whole model. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Entries kept (the oldest go first): each InceptionV3 copy is ≈ 95 MB. */
export const MAX_ENTRIES = 3;

const entryKey = (slot: string): string => `entry:${slot}`;
const chunkKey = (id: string, index: number): string => `chunk:${id}:${index}`;
/** Every chunk of one write. */
const chunkRange = (id: string): IDBKeyRange =>
  IDBKeyRange.bound(`chunk:${id}:`, `chunk:${id}:\uffff`);

/** Splits weight data into chunks of at most `size` bytes (copies, so each chunk stands alone). */
function split(data: io.WeightData, size: number): ArrayBuffer[] {
  const buffers = Array.isArray(data) ? data : [data];
  const chunks: ArrayBuffer[] = [];
  for (const buffer of buffers) {
    for (let at = 0; at < buffer.byteLength; at += size) {
      chunks.push(buffer.slice(at, Math.min(at + size, buffer.byteLength)));
    }
  }
  return chunks;
}

/** Bytes the weights of `specs` take (float32/int32: 4, bool: 1; the cache stores no others). */
function expectedBytes(specs: readonly io.WeightsManifestEntry[]): number {
  return specs.reduce(
    (n, s) => n + s.shape.reduce((a, d) => a * d, 1) * (s.dtype === 'bool' ? 1 : 4),
    0,
  );
}

function isRecord(value: unknown): value is EntryRecord {
  const r = value as Partial<EntryRecord> | undefined;
  return (
    !!r &&
    typeof r.identity === 'string' &&
    typeof r.id === 'string' &&
    Array.isArray(r.specs) &&
    Array.isArray(r.chunks) &&
    typeof r.originalParams === 'number' &&
    !!r.topology
  );
}

/**
 * The cache in IndexedDB database `inception-lens-folded` (see the file comment). The database
 * is opened on first use; `chunkBytes` and `maxEntries` are for tests.
 */
export function indexedDbFoldedCache(
  factory: IDBFactory,
  options: { chunkBytes?: number; maxEntries?: number } = {},
): FoldedCache {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  let opened: Promise<IDBDatabase> | null = null;
  const db = (): Promise<IDBDatabase> => {
    opened ??= (() => {
      const req = factory.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      return idbRequest(req);
    })();
    opened.catch(() => (opened = null)); // a failed open is tried again next time
    return opened;
  };

  /** Deletes an entry's record (when it is still `record`) and its chunks. */
  async function remove(slot: string, record: EntryRecord | null): Promise<void> {
    const tx = (await db()).transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    if (record) store.delete(chunkRange(record.id));
    store.delete(entryKey(slot));
    await transactionDone(tx);
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
  }

  return {
    async get(slot, identity) {
      const record = await readRecord(slot);
      if (record === undefined) return null;
      if (!isRecord(record) || record.identity !== identity) {
        await remove(slot, isRecord(record) ? record : null); // stale or unreadable
        return null;
      }
      const tx = (await db()).transaction(STORE, 'readonly');
      const store = tx.objectStore(STORE);
      const chunks = await Promise.all(
        record.chunks.map((_, i) => idbRequest(store.get(chunkKey(record.id, i)))),
      );
      const fits =
        chunks.every((c, i) => c instanceof ArrayBuffer && c.byteLength === record.chunks[i]) &&
        record.chunks.reduce((n, b) => n + b, 0) === expectedBytes(record.specs);
      if (!fits) {
        await remove(slot, record); // a chunk lost or cut short: rebuild
        return null;
      }
      return {
        artifacts: {
          modelTopology: record.topology as io.ModelArtifacts['modelTopology'],
          weightSpecs: record.specs,
          weightData: chunks as ArrayBuffer[],
        },
        originalParams: record.originalParams,
      };
    },

    async put(slot, identity, fold) {
      const { artifacts, originalParams } = fold;
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('nothing to cache');
      const previous = await readRecord(slot);
      const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const chunks = split(artifacts.weightData, chunkBytes);
      try {
        for (const [i, chunk] of chunks.entries()) {
          const tx = (await db()).transaction(STORE, 'readwrite');
          tx.objectStore(STORE).put(chunk, chunkKey(id, i));
          await transactionDone(tx);
        }
        const record: EntryRecord = {
          identity,
          id,
          topology: artifacts.modelTopology,
          specs: artifacts.weightSpecs,
          chunks: chunks.map((c) => c.byteLength),
          originalParams,
          savedAt: Date.now(),
        };
        // The record last, with the old entry's chunks gone in the same small transaction.
        const tx = (await db()).transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        if (isRecord(previous)) store.delete(chunkRange(previous.id));
        store.put(record, entryKey(slot));
        await transactionDone(tx);
      } catch (error) {
        // Refused (e.g. QuotaExceededError): take back what was written, best effort.
        try {
          const tx = (await db()).transaction(STORE, 'readwrite');
          tx.objectStore(STORE).delete(chunkRange(id));
          await transactionDone(tx);
        } catch {
          // nothing more to do: orphan chunks are unreachable and overwritten by nothing
        }
        throw error;
      }
      await evict();
    },

    async drop(slot) {
      const record = await readRecord(slot);
      await remove(slot, isRecord(record) ? record : null);
    },
  };
}
