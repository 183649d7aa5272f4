/**
 * Where measured engine choices are remembered: IndexedDB (workers can use it), falling back to
 * memory where it is missing or refuses. Errors never propagate: a lost choice is measured again.
 */
import { idbRequest, openIdb } from '../seam/idb';
import type { EngineStore, RememberedEngine } from './engine-choice';

/** A store in memory (tests, and the fallback). */
export function memoryEngineStore(): EngineStore {
  const map = new Map<string, RememberedEngine>();
  return {
    get: (key) => Promise.resolve(map.get(key) ?? null),
    put: (key, value) => {
      map.set(key, value);
      return Promise.resolve();
    },
  };
}

const DB = 'inception-lens-engine';
const STORE = 'engine-choice';

/** The IndexedDB store, or memory when IndexedDB is unavailable. */
export function browserEngineStore(): EngineStore {
  const fallback = memoryEngineStore();
  if (typeof indexedDB === 'undefined') return fallback;
  let db: Promise<IDBDatabase> | null = null;
  const store = async (mode: IDBTransactionMode): Promise<IDBObjectStore> => {
    db ??= openIdb(indexedDB, DB, STORE);
    return (await db).transaction(STORE, mode).objectStore(STORE);
  };
  return {
    async get(key) {
      try {
        const value = (await idbRequest((await store('readonly')).get(key))) as unknown;
        return isRemembered(value) ? value : await fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    async put(key, value) {
      await fallback.put(key, value);
      try {
        await idbRequest((await store('readwrite')).put(value, key));
      } catch {
        // storage full or blocked: the choice lasts for this session only
      }
    },
  };
}

function isRemembered(value: unknown): value is RememberedEngine {
  const v = value as Partial<RememberedEngine> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.engine === 'string' &&
    typeof v.tfjsMs === 'number' &&
    typeof v.litertMs === 'number' &&
    typeof v.measuredAt === 'number'
  );
}
