/**
 * Where a dataset's features live between runs and reloads: IndexedDB in the worker, a Map in
 * tests. Values are the feature vectors (Float32Array), keys come from `featureKey`.
 */

/** Reads and writes feature vectors by key, many at a time. */
export interface FeatureStore {
  /** whether a vector is kept for each of `keys`, in order, without reading the vectors */
  has(keys: readonly string[]): Promise<boolean[]>;
  /** the vectors for `keys`, in order (undefined where none is kept) */
  getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]>;
  putMany(entries: readonly (readonly [string, Float32Array])[]): Promise<void>;
}

/**
 * A store in memory (tests; or when IndexedDB is not available). Like IndexedDB it keeps copies,
 * so a caller's vectors are never held by it; `vectorsRead` counts the vectors `getMany` returned.
 */
export function memoryFeatureStore(): FeatureStore & {
  map: Map<string, Float32Array>;
  vectorsRead: number;
} {
  const map = new Map<string, Float32Array>();
  const store = {
    map,
    vectorsRead: 0,
    has: (keys: readonly string[]) => Promise.resolve(keys.map((k) => map.has(k))),
    getMany: (keys: readonly string[]) => {
      const found = keys.map((k) => map.get(k)?.slice());
      store.vectorsRead += found.filter(Boolean).length;
      return Promise.resolve(found);
    },
    putMany: (entries: readonly (readonly [string, Float32Array])[]) => {
      for (const [k, v] of entries) map.set(k, v.slice());
      return Promise.resolve();
    },
  };
  return store;
}

const DB_NAME = 'inception-lens-features';
const STORE = 'features';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * The browser's store: its own database (not the model library's), so features can be dropped
 * without touching saved models. Opened on first use.
 */
export function indexedDbFeatureStore(factory: IDBFactory = indexedDB): FeatureStore {
  let opened: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => {
        opened = null;
        reject(req.error ?? new Error('the feature cache could not be opened'));
      };
    }));
  return {
    async has(keys) {
      if (keys.length === 0) return [];
      const db = await open();
      const store = db.transaction(STORE, 'readonly').objectStore(STORE);
      // count() answers from the key alone: the vectors are not read into memory.
      return Promise.all(keys.map((k) => request(store.count(k)).then((n) => n > 0)));
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const db = await open();
      const store = db.transaction(STORE, 'readonly').objectStore(STORE);
      // All gets queued in one transaction, then awaited together.
      return Promise.all(
        keys.map((k) =>
          request(store.get(k) as IDBRequest<Float32Array | undefined>).then((v) =>
            v instanceof Float32Array ? v : undefined,
          ),
        ),
      );
    },
    async putMany(entries) {
      if (entries.length === 0) return;
      const db = await open();
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      for (const [k, v] of entries) store.put(v, k);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('the feature cache could not be written'));
        tx.onabort = () => reject(tx.error ?? new Error('writing the feature cache was aborted'));
      });
    },
  };
}
