import { describe, expect, test } from 'vitest';
import { idbRequest, transactionDone } from './idb';

/** A stand-in for an IDBRequest / IDBTransaction: only the handlers and fields the helpers use. */
type Fake = Record<string, unknown>;

describe('idb helpers', () => {
  test('idbRequest resolves with the result, and rejects with the request error', async () => {
    const ok: Fake = { result: 42 };
    const done = idbRequest(ok as unknown as IDBRequest<number>);
    (ok.onsuccess as () => void)();
    await expect(done).resolves.toBe(42);

    const bad: Fake = { error: new DOMException('no room', 'QuotaExceededError') };
    const failed = idbRequest(bad as unknown as IDBRequest<number>);
    (bad.onerror as () => void)();
    await expect(failed).rejects.toThrow('no room');
  });

  test('transactionDone resolves on complete and rejects on abort', async () => {
    const tx: Fake = { error: null };
    const committed = transactionDone(tx as unknown as IDBTransaction);
    (tx.oncomplete as () => void)();
    await expect(committed).resolves.toBeUndefined();

    const aborted: Fake = { error: null };
    const stopped = transactionDone(aborted as unknown as IDBTransaction);
    (aborted.onabort as () => void)();
    await expect(stopped).rejects.toThrow('IndexedDB transaction aborted');
  });
});
