/**
 * A small async key-value store for measured choices the worker remembers between visits (the
 * backend, the photo engine): IndexedDB, which workers can use (localStorage they cannot), with a
 * copy in memory that answers when IndexedDB is missing, refuses or holds something malformed.
 * Errors never propagate: a lost choice is simply measured again.
 */
import { idbRequest, openIdb } from './idb';

/** Remembered values by key. */
export interface RememberedStore<T> {
  get(key: string): Promise<T | null>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A store in memory (tests, and the fallback). */
export function memoryRememberedStore<T>(): RememberedStore<T> {
  const map = new Map<string, T>();
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

/** Where a kind of remembered value lives, and how a stored value is recognised as one. */
export interface RememberedStoreOptions<T> {
  database: string;
  store: string;
  /** Whether a value read back has the expected shape (anything else counts as not stored). */
  isValid: (value: unknown) => value is T;
}

/** The IndexedDB store, or memory alone when IndexedDB is unavailable. */
export function idbRememberedStore<T>(options: RememberedStoreOptions<T>): RememberedStore<T> {
  const fallback = memoryRememberedStore<T>();
  if (typeof indexedDB === 'undefined') return fallback;
  let db: Promise<IDBDatabase> | null = null;
  const withStore = async <R>(
    mode: IDBTransactionMode,
    run: (store: IDBObjectStore) => IDBRequest<R>,
  ): Promise<R> => {
    db ??= openIdb(indexedDB, options.database, options.store);
    return idbRequest(run((await db).transaction(options.store, mode).objectStore(options.store)));
  };
  return {
    async get(key) {
      try {
        const value = (await withStore('readonly', (s) => s.get(key))) as unknown;
        return options.isValid(value) ? value : await fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    async put(key, value) {
      await fallback.put(key, value);
      try {
        await withStore('readwrite', (s) => s.put(value, key));
      } catch {
        // storage full or blocked: the value lasts for this session only
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
