/**
 * The `photos-*` handlers: one {@link VectorIndex} per photo library, in the worker's memory. The
 * page owns the library (IndexedDB) and sends vectors as they arrive, or all of them after a reload
 * or a worker restart (a `photos-similar` answering `known: false` tells it to).
 */
import type { Handlers } from '../seam/handlers';
import { NEAR_DUPLICATE_COSINE, type PhotosRequests } from './protocol';
import { VectorIndex } from './vector-index';

/**
 * The photo-library requests use no model, only their own indexes, and each handler runs to its
 * end in one go: they are answered at once, without waiting for the photo under way (whose engine
 * may be running in its own worker), so "More like this" stays quick while a library is classified.
 */
export const PHOTOS_WITHOUT_TURN: ReadonlySet<keyof PhotosRequests> = new Set([
  'photos-index',
  'photos-similar',
  'photos-duplicates',
  'photos-forget',
]);

/** The photo-library handlers around their own indexes (one per library id). */
export function createPhotosHandlers(
  now: () => number = () => performance.now(),
): Handlers<keyof PhotosRequests> {
  const indexes = new Map<string, VectorIndex>();
  const info = (library: string) => {
    const index = indexes.get(library);
    return { size: index?.size ?? 0, dim: index?.dim ?? 0 };
  };

  return {
    'photos-index': ({ library, keys, dim, vectors, reset }) => {
      const bytes = new Int8Array(vectors);
      if (bytes.length !== keys.length * dim) {
        return Promise.reject(
          new Error(
            `${keys.length} vectors of ${dim} need ${keys.length * dim} bytes, got ${bytes.length}`,
          ),
        );
      }
      let index = reset ? undefined : indexes.get(library);
      // Features of another length come from another model: they start a new index.
      if (!index || index.dim !== dim) {
        index = new VectorIndex(dim);
        indexes.set(library, index);
      }
      for (let i = 0; i < keys.length; i++) {
        index.put(keys[i]!, bytes.subarray(i * dim, (i + 1) * dim));
      }
      return Promise.resolve(info(library));
    },
    'photos-similar': ({ library, key, k }) => {
      const start = now();
      const index = indexes.get(library);
      const neighbours = index?.nearest(key, Math.max(0, Math.floor(k))) ?? null;
      return Promise.resolve({
        neighbours: neighbours ?? [],
        known: neighbours !== null,
        size: index?.size ?? 0,
        ms: now() - start,
      });
    },
    'photos-duplicates': ({ library, threshold }, context) => {
      const start = now();
      const index = indexes.get(library);
      const groups = index
        ? index.duplicates(threshold ?? NEAR_DUPLICATE_COSINE, (fraction) =>
            context.progress({ fraction }),
          )
        : [];
      return Promise.resolve({ groups, size: index?.size ?? 0, ms: now() - start });
    },
    'photos-forget': ({ library, keys }) => {
      if (!keys) indexes.delete(library);
      else for (const key of keys) indexes.get(library)?.remove(key);
      return Promise.resolve(info(library));
    },
  };
}
