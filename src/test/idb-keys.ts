/** Test helper: every key in one object store of an IndexedDB database (to see what a store left). */
export async function keysIn(
  factory: IDBFactory,
  database: string,
  store = 'entries',
): Promise<string[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(database);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB failed'));
  });
  try {
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const req = db.transaction(store).objectStore(store).getAllKeys();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB failed'));
    });
    return keys.map(String).sort();
  } finally {
    db.close();
  }
}
