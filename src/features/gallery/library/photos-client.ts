/** The photo library's worker calls: the feature index, "more like this", near-duplicates. */
import type { InferenceClient } from '../../../inference/client';
import type { PhotoNeighbour } from '../../../inference/protocol';
import type { LibraryVectors } from './library-store';

/** How many similar photos are asked for. */
export const SIMILAR_COUNT = 12;

/**
 * Keeps the worker's index of one library in step with the store: all vectors at first use (and
 * after a worker restart), then each new one as it arrives.
 */
export class PhotoIndexSync {
  private synced = false;
  private pending: { id: string; vector: Int8Array }[] = [];

  constructor(
    private readonly client: InferenceClient,
    readonly library: string,
    private readonly readAll: () => Promise<LibraryVectors>,
  ) {}

  /** A new photo's vector (sent with the next question, not at once). */
  add(id: string, vector: Int8Array): void {
    if (this.synced) this.pending.push({ id, vector });
  }

  /** Photos gone from the library. */
  async forget(ids: readonly string[] | null): Promise<void> {
    this.pending = this.pending.filter((p) => !ids?.includes(p.id));
    if (!this.synced) return;
    await this.client.call('photos-forget', {
      library: this.library,
      ...(ids ? { keys: [...ids] } : {}),
    });
  }

  private async ensure(): Promise<void> {
    if (!this.synced) {
      this.pending = [];
      const all = await this.readAll();
      await this.send(all.ids, all.dim, all.data, true);
      this.synced = true;
      return;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const dim = batch[0]!.vector.length;
    const same = batch.filter((p) => p.vector.length === dim);
    const data = new Int8Array(same.length * dim);
    same.forEach((p, i) => data.set(p.vector, i * dim));
    await this.send(
      same.map((p) => p.id),
      dim,
      data,
      false,
    );
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

  /** The photos nearest to `id`, nearest first (the worker's index refilled if it forgot). */
  async similar(
    id: string,
    k = SIMILAR_COUNT,
  ): Promise<{ neighbours: PhotoNeighbour[]; ms: number }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.ensure();
      const reply = await this.client.call('photos-similar', { library: this.library, key: id, k });
      if (reply.known) return reply;
      this.synced = false; // a restarted worker, or a vector not sent yet: fill it again
    }
    return { neighbours: [], ms: 0 };
  }

  /** Groups of near-duplicates (keys), largest first. */
  async duplicates(): Promise<string[][]> {
    this.synced = false; // a full refill first, so the groups see every photo kept
    await this.ensure();
    const reply = await this.client.call('photos-duplicates', { library: this.library });
    return reply.groups;
  }
}
