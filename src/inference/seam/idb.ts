/** Small IndexedDB helpers shared by the worker's stores (the model library, remembered backends). */

/** An IndexedDB request as a promise: its result, or its error. */
export function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens database `name` (version 1), creating its one object store `store` the first time. */
export function openIdb(
  factory: IDBFactory,
  name: string,
  store: string,
  options?: IDBObjectStoreParameters,
): Promise<IDBDatabase> {
  const req = factory.open(name, 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore(store, options);
  };
  return idbRequest(req);
}

/** Resolves when `tx` commits; rejects when it fails or is aborted. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}
