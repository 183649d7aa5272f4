/**
 * The `.tflite` files LiteRT.js was chosen with, kept in IndexedDB for the next visit
 * (`inception-lens-tflite`, one slot per model address, bounded writes, the file itself in OPFS
 * where there is one: `seam/chunked-store.ts`),
 * with what a return visit needs to start photos on LiteRT.js straight from the file, before
 * TensorFlow.js builds anything (`engines/kept-engine.ts`): TensorFlow.js' own answer on the
 * known-answer input when the file was made (LiteRT.js must reproduce it again), and the model's
 * shape (input size, classes, parameters, where its pooled features are).
 *
 * An entry belongs to one version of the model's files (their `modelIdentity`) and of the
 * converter and LiteRT.js ({@link keptIdentity}); any other is stale and dropped when read.
 */
import type { FeatureSource } from '../../classify/features';
import { opfsByteFiles, type ByteFiles } from '../../seam/byte-files';
import { indexedDbChunkedStore, type ChunkedStore } from '../../seam/chunked-store';
import type { EngineOutput } from '../engine-choice';
import { LITERT_VERSION } from './litert-engine';

/** Bumped when the converter writes different files for the same model. */
const TFLITE_FORMAT = 1;

/** What is kept beside the file. */
export interface KeptTfliteMeta {
  /** TensorFlow.js' answer on the known-answer input, when the file was made */
  answer: EngineOutput;
  inputSize: number;
  numClasses: number;
  /** the Keras-structured original's parameter count */
  params: number;
  /** where the pooled features are (null: none), as TensorFlow.js' model named them */
  feature: FeatureSource | null;
}

/** A kept file read back. */
export interface KeptTflite {
  file: Uint8Array;
  meta: KeptTfliteMeta;
}

/** The store (IndexedDB in the worker, fake-indexeddb in tests). */
export interface KeptTfliteStore {
  get(slot: string, identity: string): Promise<KeptTflite | null>;
  has(slot: string, identity: string): Promise<boolean>;
  put(slot: string, identity: string, file: Uint8Array, meta: KeptTfliteMeta): Promise<void>;
  drop(slot: string): Promise<void>;
}

/** The identity a kept file is stored under: the model's files, the converter, LiteRT.js. */
export function keptIdentity(modelIdentity: string): string {
  return `${modelIdentity}\ntflite v${TFLITE_FORMAT}\nlitert ${LITERT_VERSION}`;
}

function isOutput(value: unknown): value is EngineOutput {
  const v = value as Partial<EngineOutput> | null;
  return (
    !!v &&
    v.probs instanceof Float32Array &&
    (v.features === null || v.features instanceof Float32Array)
  );
}

function isMeta(value: unknown): value is KeptTfliteMeta {
  const m = value as Partial<KeptTfliteMeta> | null;
  return (
    !!m &&
    isOutput(m.answer) &&
    typeof m.inputSize === 'number' &&
    typeof m.numClasses === 'number' &&
    typeof m.params === 'number' &&
    m.answer.probs.length === m.numClasses &&
    (m.feature === null || typeof m.feature?.name === 'string')
  );
}

/** The store in IndexedDB database `inception-lens-tflite`; options are for tests. */
export function indexedDbKeptTflite(
  factory: IDBFactory,
  options: { chunkBytes?: number; maxEntries?: number; files?: ByteFiles | null } = {},
): KeptTfliteStore {
  const store: ChunkedStore<KeptTfliteMeta> = indexedDbChunkedStore(factory, {
    database: 'inception-lens-tflite',
    version: 1,
    store: 'entries',
    chunkBytes: options.chunkBytes ?? 8 * 1024 * 1024,
    // each InceptionV3 file is ≈ 96 MB, beside its ≈ 95 MB folded copy
    maxEntries: options.maxEntries ?? 2,
    isMeta,
    // the file as a file where the browser has OPFS (`seam/byte-files.ts`)
    files: options.files === undefined ? opfsByteFiles('inception-lens-tflite') : options.files,
  });
  return {
    async get(slot, identity) {
      const entry = await store.get(slot, keptIdentity(identity));
      if (!entry) return null;
      // A file read whole is used as it is; chunks are joined.
      if (entry.chunks.length === 1)
        return { file: new Uint8Array(entry.chunks[0]!), meta: entry.meta };
      const file = new Uint8Array(entry.chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const chunk of entry.chunks) {
        file.set(new Uint8Array(chunk), at);
        at += chunk.byteLength;
      }
      return { file, meta: entry.meta };
    },
    has: (slot, identity) => store.has(slot, keptIdentity(identity)),
    put: (slot, identity, file, meta) => store.put(slot, keptIdentity(identity), meta, file),
    drop: (slot) => store.drop(slot),
  };
}

let browserStore: KeptTfliteStore | null | undefined;

/** This worker's store, or null where there is no IndexedDB. */
export function browserKeptTflite(): KeptTfliteStore | null {
  browserStore ??=
    typeof indexedDB === 'undefined' ? null : indexedDbKeptTflite(globalThis.indexedDB);
  return browserStore;
}
