/**
 * Where the measured backend choice is remembered: IndexedDB, which workers can use (localStorage
 * they cannot). Falls back to memory where IndexedDB is missing or refuses (Node, private modes).
 */
import type { RememberedChoice } from './backend-choice';
import { idbRequest, openIdb } from '../seam/idb';

/** A tiny async key-value store for remembered choices. */
export interface ChoiceStore {
  get(key: string): Promise<RememberedChoice | null>;
  put(key: string, value: RememberedChoice): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A store in memory (tests, and the fallback). */
export function memoryChoiceStore(): ChoiceStore {
  const map = new Map<string, RememberedChoice>();
  return {
    get: (key) => Promise.resolve(map.get(key) ?? null),
    put: (key, value) => {
      map.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      map.delete(key);
      return Promise.resolve();
    },
  };
}

const DB = 'inception-lens-perf';
const STORE = 'backend-choice';

/** The IndexedDB store, or memory when IndexedDB is unavailable. Errors never propagate. */
export function browserChoiceStore(): ChoiceStore {
  if (typeof indexedDB === 'undefined') return memoryChoiceStore();
  const fallback = memoryChoiceStore();
  let db: Promise<IDBDatabase> | null = null;
  const withStore = async <T>(
    mode: IDBTransactionMode,
    run: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> => {
    db ??= openIdb(indexedDB, DB, STORE);
    const store = (await db).transaction(STORE, mode).objectStore(STORE);
    return idbRequest(run(store));
  };
  return {
    async get(key) {
      try {
        const value = (await withStore('readonly', (s) => s.get(key))) as unknown;
        return isRemembered(value) ? value : await fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    async put(key, value) {
      await fallback.put(key, value);
      try {
        await withStore('readwrite', (s) => s.put(value, key));
      } catch {
        // storage full or blocked: the choice lasts for this session only
      }
    },
    async delete(key) {
      await fallback.delete(key);
      try {
        await withStore('readwrite', (s) => s.delete(key));
      } catch {
        // nothing stored, nothing to forget
      }
    },
  };
}

function isRemembered(value: unknown): value is RememberedChoice {
  const v = value as Partial<RememberedChoice> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.backend === 'string' &&
    Array.isArray(v.timings) &&
    typeof v.measuredAt === 'number'
  );
}
