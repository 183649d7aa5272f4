import { describe, expect, test } from 'vitest';
import type { InferenceClient } from '../../../inference/client';
// eslint-disable-next-line no-restricted-imports -- the test runs the worker's real handlers in place of the worker
import { createPhotosHandlers } from '../../../inference/photos/handlers';
import type { LibraryVectors } from './library-store';
import { PhotoIndexSync } from './photos-client';

/** A client whose photos-* calls run the worker's real handlers here; it counts the calls. */
function fakeClient() {
  let handlers = createPhotosHandlers();
  const calls: string[] = [];
  const client = {
    call: (name: string, request: unknown) => {
      calls.push(name);
      const handler = (handlers as Record<string, (r: unknown, c: unknown) => Promise<unknown>>)[
        name
      ]!;
      return handler(request, { progress: () => undefined });
    },
  } as unknown as InferenceClient;
  return { client, calls, restart: () => (handlers = createPhotosHandlers()) };
}

/** `count` deterministic, varied 16-d vectors. */
function vectors(count: number): { id: string; vector: Int8Array }[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `p${n}`,
    vector: Int8Array.from({ length: 16 }, (_, i) => Math.round(Math.sin(n * 1.7 + i * 0.9) * 127)),
  }));
}

/** The store's batches of those vectors, `size` at a time. */
function batchesOf(rows: { id: string; vector: Int8Array }[], size: number) {
  return async function* (): AsyncGenerator<LibraryVectors> {
    for (let i = 0; i < rows.length; i += size) {
      await Promise.resolve(); // as the store's reads, each batch after a wait
      const part = rows.slice(i, i + size);
      const data = new Int8Array(part.length * 16);
      part.forEach((r, j) => data.set(r.vector, j * 16));
      yield { ids: part.map((r) => r.id), dim: 16, data };
    }
  };
}

const none = batchesOf([], 1);

describe('PhotoIndexSync', () => {
  test('vectors added one by one as results arrive give the same neighbours as a bulk load', async () => {
    const rows = vectors(60);
    const bulk = fakeClient();
    const fromStore = new PhotoIndexSync(bulk.client, 'lib', batchesOf(rows, 7));
    const live = fakeClient();
    const arriving = new PhotoIndexSync(live.client, 'lib', none, { flushCount: 5, flushMs: 1 });
    await arriving.load(); // an empty library, loaded before the photos come
    for (const r of rows) arriving.add(r.id, r.vector);
    for (const id of ['p0', 'p13', 'p59']) {
      const want = await fromStore.similar(id, 10);
      const got = await arriving.similar(id, 10);
      expect(got.neighbours).toHaveLength(10);
      expect(got.neighbours).toEqual(want.neighbours);
    }
    // the incremental one sent them in small batches, never as one bulk copy on the question
    expect(live.calls.filter((c) => c === 'photos-index').length).toBeGreaterThanOrEqual(12);
    fromStore.dispose();
    arriving.dispose();
  });

  test('vectors arriving while the background load runs are sent after it, not lost', async () => {
    const rows = vectors(30);
    const { client } = fakeClient();
    const sync = new PhotoIndexSync(client, 'lib', batchesOf(rows.slice(0, 20), 4), {
      flushMs: 1,
    });
    const loading = sync.load();
    for (const r of rows.slice(20)) sync.add(r.id, r.vector);
    await loading;
    const { neighbours } = await sync.similar('p25', 29);
    expect(neighbours.map((n) => n.key).sort()).toEqual(
      rows
        .map((r) => r.id)
        .filter((id) => id !== 'p25')
        .sort(),
    );
    sync.dispose();
  });

  test('a first question after the load sends nothing more; a restarted worker is filled again', async () => {
    const rows = vectors(20);
    const fake = fakeClient();
    const sync = new PhotoIndexSync(fake.client, 'lib', batchesOf(rows, 8));
    await sync.load();
    const sent = fake.calls.length;
    await sync.similar('p3');
    expect(fake.calls.slice(sent)).toEqual(['photos-similar']);
    fake.restart();
    const again = await sync.similar('p3', 5);
    expect(again.neighbours).toHaveLength(5);
    sync.dispose();
  });

  test('after dispose nothing more is sent', async () => {
    const fake = fakeClient();
    const sync = new PhotoIndexSync(fake.client, 'lib', none, { flushMs: 1 });
    await sync.load();
    const before = fake.calls.length;
    sync.dispose();
    for (const r of vectors(5)) sync.add(r.id, r.vector);
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.calls.length).toBe(before);
  });
});
