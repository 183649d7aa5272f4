/**
 * The photo-library part of the worker contract: an index of photos' pooled features (one per
 * library, held in the worker's memory), "more like this" and near-duplicate groups. The page keeps
 * the library itself (IndexedDB) and sends the vectors; `../protocol.ts` joins these requests.
 */

/** A photo near another one, by cosine similarity of their features. */
export interface PhotoNeighbour {
  key: string;
  /** cosine similarity, -1…1 (1: the same features) */
  score: number;
}

/** What the index holds for one library. */
export interface PhotoIndexInfo {
  /** number of photos indexed */
  size: number;
  /** length of each vector (0 while empty) */
  dim: number;
}

/** How near two photos' features must be, by default, to count as near-duplicates. */
export const NEAR_DUPLICATE_COSINE = 0.95;

/** The photo-library requests: each names what the page sends and what it gets back. */
export interface PhotosRequests {
  /**
   * adds (or replaces) photos' vectors: `vectors` holds `keys.length × dim` signed bytes, row by
   * row (transferred); `reset` empties the library's index first
   */
  'photos-index': {
    request: {
      library: string;
      keys: string[];
      dim: number;
      vectors: ArrayBuffer;
      reset?: boolean;
    };
    reply: PhotoIndexInfo;
  };
  /** the `k` photos nearest to `key` (itself left out), nearest first; `known` false: not indexed */
  'photos-similar': {
    request: { library: string; key: string; k: number };
    reply: { neighbours: PhotoNeighbour[]; known: boolean; size: number; ms: number };
  };
  /** groups of photos whose features nearly coincide (cosine ≥ `threshold`), largest first */
  'photos-duplicates': {
    request: { library: string; threshold?: number };
    progress: { fraction: number };
    reply: { groups: string[][]; size: number; ms: number };
  };
  /** forgets photos (`keys`) or, without keys, the whole library's index */
  'photos-forget': {
    request: { library: string; keys?: string[] };
    reply: PhotoIndexInfo;
  };
}
