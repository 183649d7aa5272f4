/**
 * The model-library part of the worker contract: importing a model (a Keras `.h5`, a tfjs
 * folder, a URL, a Teach package) into this browser's storage; listing, renaming, deleting and
 * exporting stored models. `../protocol.ts` joins these into the one request map.
 */
import type { ModelEntry } from '../../models/registry';
import type { WeightPrecision } from '../../models/weight-precision';

/** One file of a tfjs model folder, with its path inside the folder (or just its name). */
export interface FolderFile {
  path: string;
  file: Blob;
}

/** What the user opened. Files are structured-cloned to the worker (no copy of their bytes). */
export type ImportSource =
  | { kind: 'h5'; name: string; file: Blob }
  | { kind: 'folder'; name: string; files: FolderFile[] }
  | { kind: 'url'; url: string };

/** A model kept in this browser (IndexedDB), described without loading it. */
export interface StoredModel {
  key: string;
  /** what `selectModel` loads: an `indexeddb://` URL, labels, input size and range */
  entry: ModelEntry;
  /** how it got here: imported (h5, folder, url) or made in Teach ('trained', or an import of a Teach export) */
  source: { kind: ImportSource['kind'] | 'trained'; detail: string };
  /** bytes of weights stored */
  bytes: number;
  /** float32, float16, uint8, or `mixed` */
  precision: string;
  params: number;
  numClasses: number;
  /** ISO date of the import (or of the save, for a model made in Teach) */
  created: string;
  /** e.g. that an InceptionV3 without its top only outputs features */
  note?: string;
}

/** Stages of an import, reported with progress. */
export type ImportStage = 'downloading' | 'reading' | 'verifying' | 'converting' | 'storing';

/** Where an import is. */
export interface ImportProgress {
  stage: ImportStage;
  /** 0..1, or null when the stage cannot tell */
  fraction: number | null;
  detail?: string;
}

/** True for a model made in Teach (trained there, or an import of a Teach export). */
export function isTeachModel(model: StoredModel): boolean {
  return model.source.kind === 'trained';
}

/**
 * The model library's requests: one vocabulary for every model kept in this browser, whether
 * the Models view imported it or Teach made it. "Use" is the page's `selectModel(model.entry)`.
 */
export interface LibraryRequests {
  /** every stored model, newest first */
  'library-list': { request: Record<never, never>; reply: { models: StoredModel[] } };
  /** imports a Keras `.h5`, a tfjs folder or a URL into this browser's storage */
  'library-import': {
    request: {
      source: ImportSource;
      /** precision to store a converted `.h5` in (tfjs folders are stored as they come) */
      precision: WeightPrecision;
    };
    progress: ImportProgress;
    reply: { model: StoredModel; models: StoredModel[] };
  };
  /** imports a model package (a `.tfjs.zip` that `library-export` wrote); bytes transferred */
  'library-import-package': {
    request: { bytes: ArrayBuffer; fileName: string };
    reply: { model: StoredModel };
  };
  /** renames a stored model (only its record changes) */
  'library-rename': { request: { key: string; name: string }; reply: { model: StoredModel } };
  /** deletes a stored model; replies with what remains */
  'library-delete': { request: { key: string }; reply: { models: StoredModel[] } };
  /** one file (a ZIP of model.json, weights.bin, metadata.json) for a stored model */
  'library-export': { request: { key: string }; reply: { bytes: ArrayBuffer; fileName: string } };
}
