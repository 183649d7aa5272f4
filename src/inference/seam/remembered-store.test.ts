import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { idbRememberedStore, memoryRememberedStore } from './remembered-store';
import { openIdb, idbRequest } from './idb';

interface Pick {
  name: string;
  ms: number;
}

const isPick = (value: unknown): value is Pick =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Pick).name === 'string' &&
  typeof (value as Pick).ms === 'number';

let n = 0;
/** A fresh database per test (fake-indexeddb's factory lives for the whole file). */
const options = () => ({ database: `remembered-test-${++n}`, store: 'choice', isValid: isPick });

describe('remembered store', () => {
  test('memory: put, get, delete', async () => {
    const store = memoryRememberedStore<Pick>();
    expect(await store.get('a')).toBeNull();
    await store.put('a', { name: 'wasm', ms: 150 });
    expect(await store.get('a')).toEqual({ name: 'wasm', ms: 150 });
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
  });

  test('IndexedDB: a value put by one store is read back by a new one (another visit)', async () => {
    const opts = options();
    await idbRememberedStore(opts).put('k', { name: 'webgl', ms: 90 });
    expect(await idbRememberedStore(opts).get('k')).toEqual({ name: 'webgl', ms: 90 });
    const again = idbRememberedStore(opts);
    await again.delete('k');
    expect(await idbRememberedStore(opts).get('k')).toBeNull();
  });

  test('a malformed stored value counts as not stored', async () => {
    const opts = options();
    const db = await openIdb(indexedDB, opts.database, opts.store);
    await idbRequest(
      db.transaction(opts.store, 'readwrite').objectStore(opts.store).put({ name: 3 }, 'k'),
    );
    db.close();
    expect(await idbRememberedStore(opts).get('k')).toBeNull();
  });

  test('when IndexedDB refuses, the value lasts in memory for the session', async () => {
    const opts = options();
    const open = indexedDB.open.bind(indexedDB);
    indexedDB.open = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    try {
      const store = idbRememberedStore(opts);
      await store.put('k', { name: 'cpu', ms: 900 });
      expect(await store.get('k')).toEqual({ name: 'cpu', ms: 900 });
    } finally {
      indexedDB.open = open;
    }
  });
});
