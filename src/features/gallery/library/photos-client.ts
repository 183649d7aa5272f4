/** The photo library's worker calls: the feature index, "more like this", near-duplicates. */
import type { InferenceClient } from '../../../inference/client';
import type { PhotoNeighbour } from '../../../inference/protocol';
import type { LibraryVectors } from './library-store';

/** How many similar photos are asked for. */
export const SIMILAR_COUNT = 12;

/** When new vectors go to the worker: this long after the first one waiting, or this many. */
const FLUSH_MS = 250;
const FLUSH_COUNT = 64;

/**
 * Keeps the worker's index of one library in step with the store, so "More like this" never waits
 * for a bulk copy: `load()` fills it in the background from the store, a batch of vectors at a time
 * (after a reload); each photo kept meanwhile goes to the worker within {@link FLUSH_MS} (or with
 * {@link FLUSH_COUNT} others). A restarted worker answers `known: false`: the index is filled again.
 */
export class PhotoIndexSync {
  /** the worker's index holds what the store held when `load()` ran */
  private loaded: Promise<void> | null = null;
  private ready = false;
  private pending: { id: string; vector: Int8Array }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly client: InferenceClient,
    readonly library: string,
    private readonly readBatches: () => AsyncIterable<LibraryVectors>,
    private readonly options: { flushMs?: number; flushCount?: number } = {},
  ) {}

  /** A new photo's vector: sent to the worker shortly, with the others arriving meanwhile. */
  add(id: string, vector: Int8Array): void {
    if (this.disposed) return;
    this.pending.push({ id, vector });
    if (!this.ready) return; // sent once the background load is done
    if (this.pending.length >= (this.options.flushCount ?? FLUSH_COUNT)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? FLUSH_MS);
  }

  /** Fills the worker's index from the store in the background (once; again after a restart). */
  load(): Promise<void> {
    this.loaded ??= this.fill().catch((error: unknown) => {
      this.loaded = null; // the next question tries again
      throw error;
    });
    return this.loaded;
  }

  private async fill(): Promise<void> {
    this.ready = false;
    let first = true;
    let dim = 0;
    for await (const batch of this.readBatches()) {
      if (this.disposed) return;
      if (batch.dim === 0 || (dim !== 0 && batch.dim !== dim)) continue;
      dim = batch.dim;
      await this.send(batch.ids, batch.dim, batch.data, first);
      first = false;
    }
    if (first) await this.client.call('photos-forget', { library: this.library });
    this.ready = true;
    await this.flush();
  }

  /** Sends the vectors waiting (one message per vector length), after any send under way. */
  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.ready || this.pending.length === 0 || this.disposed) return this.sending;
    const batch = this.pending;
    this.pending = [];
    const byDim = new Map<number, { id: string; vector: Int8Array }[]>();
    for (const p of batch) byDim.set(p.vector.length, [...(byDim.get(p.vector.length) ?? []), p]);
    this.sending = this.sending.then(async () => {
      for (const [dim, rows] of byDim) {
        const data = new Int8Array(rows.length * dim);
        rows.forEach((r, i) => data.set(r.vector, i * dim));
        await this.send(
          rows.map((r) => r.id),
          dim,
          data,
          false,
        );
      }
    });
    return this.sending;
  }

  private async send(ids: string[], dim: number, data: Int8Array, reset: boolean): Promise<void> {
    if (dim === 0) return;
    const vectors = new Int8Array(data).buffer;
    await this.client.call(
      'photos-index',
      { library: this.library, keys: ids, dim, vectors, ...(reset ? { reset: true } : {}) },
      { transfer: [vectors] },
    );
  }

  /** Photos gone from the library. */
  async forget(ids: readonly string[] | null): Promise<void> {
    this.pending = this.pending.filter((p) => ids !== null && !ids.includes(p.id));
    await this.client.call('photos-forget', {
      library: this.library,
      ...(ids ? { keys: [...ids] } : {}),
    });
  }

  /** The index is up to date: loaded, and every vector that arrived sent. */
  private async current(): Promise<void> {
    await this.load();
    await this.flush();
  }

  /** The photos nearest to `id`, nearest first (the worker's index refilled if it forgot). */
  async similar(
    id: string,
    k = SIMILAR_COUNT,
  ): Promise<{ neighbours: PhotoNeighbour[]; ms: number }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.current();
      const reply = await this.client.call('photos-similar', { library: this.library, key: id, k });
      if (reply.known) return reply;
      this.loaded = null; // a restarted worker, or a vector not there: fill it again
    }
    return { neighbours: [], ms: 0 };
  }

  /** Groups of near-duplicates (keys), largest first. */
  async duplicates(): Promise<string[][]> {
    await this.current();
    const reply = await this.client.call('photos-duplicates', { library: this.library });
    return reply.groups;
  }

  /** Stops sending (another library shown, the page going away); what is waiting is dropped. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
