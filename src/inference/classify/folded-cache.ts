/**
 * The folded inference copies of models, kept in IndexedDB beside (not instead of) the models
 * themselves, so a return visit builds the folded model straight from them: nothing to download,
 * decode or fold. One slot per model address; each entry carries the identity of the model it was
 * folded from (see `model-identity.ts`), and an entry whose identity differs is stale and dropped.
 *
 * Writes are bounded and a read checks what it gets (`seam/chunked-store.ts`): the weights go in
 * one file of the origin-private file system where the browser has one, else in chunks of a few
 * MB, the record that points at them last; a file or chunk missing or cut short, or
 * weights of another size than their specs say, is dropped and reported as a miss, so the caller
 * rebuilds.
 */
import type { io } from '@tensorflow/tfjs';
import { opfsByteFiles, type ByteFiles } from '../seam/byte-files';
import { indexedDbChunkedStore } from '../seam/chunked-store';

/** What the cache gives back on a hit. */
export interface CachedFold {
  artifacts: io.ModelArtifacts;
  /** the Keras-structured original's parameter count */
  originalParams: number;
}

/** The folded-copy cache (IndexedDB in the worker, in memory or failing in tests). */
export interface FoldedCache {
  /** The copy in `slot` when it was made from the model `identity` names; null otherwise. */
  get(slot: string, identity: string): Promise<CachedFold | null>;
  /** Keeps `fold` in `slot` for `identity`, replacing what was there; rejects when it cannot. */
  put(slot: string, identity: string, fold: CachedFold): Promise<void>;
  /** Forgets `slot` (e.g. its copy would not build). */
  drop(slot: string): Promise<void>;
}

/** What the cache keeps beside the weights' bytes. */
interface FoldMeta {
  topology: unknown;
  specs: io.WeightsManifestEntry[];
  originalParams: number;
}

const DB_NAME = 'inception-lens-folded';
/**
 * Version 2, and the store made whenever it is missing: a database of this name opened without
 * a version by someone else (DevTools, a test) exists at version 1 with no store at all.
 */
const DB_VERSION = 2;
const STORE = 'entries';
/** Bytes per chunk: small enough that one transaction never holds a whole model. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Entries kept (the oldest go first): each InceptionV3 copy is ≈ 95 MB. */
export const MAX_ENTRIES = 3;

/** Bytes the weights of `specs` take (float32/int32: 4, bool: 1; the cache stores no others). */
function expectedBytes(specs: readonly io.WeightsManifestEntry[]): number {
  return specs.reduce(
    (n, s) => n + s.shape.reduce((a, d) => a * d, 1) * (s.dtype === 'bool' ? 1 : 4),
    0,
  );
}

function isFoldMeta(value: unknown): value is FoldMeta {
  const m = value as Partial<FoldMeta> | undefined;
  return !!m && Array.isArray(m.specs) && typeof m.originalParams === 'number' && !!m.topology;
}

/**
 * The cache in IndexedDB database `inception-lens-folded` (see the file comment). The database
 * is opened on first use; `chunkBytes` and `maxEntries` are for tests.
 */
export function indexedDbFoldedCache(
  factory: IDBFactory,
  options: { chunkBytes?: number; maxEntries?: number; files?: ByteFiles | null } = {},
): FoldedCache {
  const store = indexedDbChunkedStore<FoldMeta>(factory, {
    database: DB_NAME,
    version: DB_VERSION,
    store: STORE,
    chunkBytes: options.chunkBytes ?? CHUNK_BYTES,
    maxEntries: options.maxEntries ?? MAX_ENTRIES,
    isMeta: isFoldMeta,
    fits: (meta, total) => total === expectedBytes(meta.specs),
    // the weights as one file where the browser has OPFS (`seam/byte-files.ts`)
    files: options.files === undefined ? opfsByteFiles(DB_NAME) : options.files,
  });
  return {
    async get(slot, identity) {
      const entry = await store.get(slot, identity);
      if (!entry) return null;
      return {
        artifacts: {
          modelTopology: entry.meta.topology as io.ModelArtifacts['modelTopology'],
          weightSpecs: entry.meta.specs,
          weightData: entry.chunks,
        },
        originalParams: entry.meta.originalParams,
      };
    },
    async put(slot, identity, fold) {
      const { artifacts, originalParams } = fold;
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('nothing to cache');
      const meta: FoldMeta = {
        topology: artifacts.modelTopology,
        specs: artifacts.weightSpecs,
        originalParams,
      };
      await store.put(slot, identity, meta, artifacts.weightData);
    },
    drop: (slot) => store.drop(slot),
  };
}
