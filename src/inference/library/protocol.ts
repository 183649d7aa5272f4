/**
 * The model-library part of the worker contract: importing a model (a Keras `.h5`, a tfjs
 * folder, a URL) into this browser's storage, listing and deleting stored models. `protocol.ts`
 * adds these to its unions; the page and the worker both import the types from here.
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
  /** ISO date of the import */
  created: string;
  /** e.g. that an InceptionV3 without its top only outputs features */
  note?: string;
}

/** Stages of an import, reported with progress. */
export type ImportStage = 'downloading' | 'reading' | 'verifying' | 'converting' | 'storing';

/** Page → worker. */
export type ModelLibraryRequest =
  | {
      type: 'import-model';
      id: number;
      source: ImportSource;
      /** precision to store a converted `.h5` in (tfjs folders are stored as they come) */
      precision: WeightPrecision;
    }
  | { type: 'list-models'; id: number }
  | { type: 'delete-model'; id: number; key: string };

/** Worker → page. */
export type ModelLibraryResponse =
  | {
      type: 'import-model-progress';
      id: number;
      stage: ImportStage;
      /** 0..1, or null when the stage cannot tell */
      fraction: number | null;
      detail?: string;
    }
  | { type: 'model-imported'; id: number; model: StoredModel; models: StoredModel[] }
  | { type: 'model-list'; id: number; models: StoredModel[] };
