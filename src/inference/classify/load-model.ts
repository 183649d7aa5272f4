/** Loads a layers model named by a registry entry and wraps it as a classifier. */
import type { ModelEntry } from '../../models/registry';
import type { LoadTuning, StartupStep } from '../protocol';
import { createClassifier, numClassesOf, type Classifier } from './classifier';
import { indexedDbFoldedCache, type FoldedCache } from './folded-cache';
import {
  buildInferenceModel,
  prepareModel,
  StartupClock,
  type PreparedModel,
} from './inference-model';
import { resolveLabels } from './labels';
// Also registers the Keras layers tfjs lacks (Rescaling, Normalization, …), which zoo model.json files use.
import '../../models/zoo/zoo';

export {
  explainLoadError,
  HttpStatusError,
  loadFailure,
  NotAModelError,
  requireOk,
  retryingFetch,
} from './model-fetch';

let workerCache: FoldedCache | null | undefined;

/**
 * The folded-copy cache of this worker: IndexedDB where there is one (null elsewhere, e.g. in
 * Node), unless `tuning.foldCache` is 'off'.
 */
export function foldedCacheFor(tuning: LoadTuning = {}): FoldedCache | null {
  if (tuning.foldCache === 'off') return null;
  workerCache ??=
    typeof indexedDB === 'undefined' ? null : indexedDbFoldedCache(globalThis.indexedDB);
  return workerCache;
}

/**
 * Gets a model's files ready while the backend starts (see `inference-model.ts`): the folded copy
 * from the cache, or the files downloaded and folded. Null for a model built here. Errors carry a
 * message written for the user.
 */
export function fetchModelArtifacts(
  entry: ModelEntry,
  onProgress: (fraction: number, note?: string) => void,
  signal?: AbortSignal,
  tuning: LoadTuning = {},
  clock?: StartupClock,
  /** whether photos may start on an engine kept for this version (`PrepareOptions.keptEngine`) */
  keptEngine?: (identity: string) => Promise<boolean>,
): Promise<PreparedModel | null> {
  return prepareModel(entry, onProgress, {
    tuning,
    cache: foldedCacheFor(tuning),
    ...(signal ? { signal } : {}),
    ...(clock ? { clock } : {}),
    ...(keptEngine ? { keptEngine } : {}),
  });
}

/** A classifier plus how its start-up went (`ReadyInfo.startup`). */
export type LoadedClassifier = Classifier & { startup?: StartupStep[] };

/**
 * Loads `entry`'s model with download progress (0..1) and resolves its labels. Errors carry a
 * message written for the user.
 */
export async function loadClassifier(
  entry: ModelEntry,
  /** fraction downloaded, and a note when something needs saying (a retry) */
  onProgress: (fraction: number, note?: string) => void,
  /** performance options; by default batch norm is folded for inference */
  tuning: LoadTuning = {},
  /** stops the download (not a stored model's read, which is local and quick) */
  signal?: AbortSignal,
  /** its files, already on their way (see {@link fetchModelArtifacts}); null: load as usual */
  prefetched?: Promise<PreparedModel | null>,
  /** marks the steps of the load (the same clock the prefetch used) */
  clock?: StartupClock,
  /**
   * true: leave keeping the folded copy to the caller (`Classifier.keepFoldedCopy`, the worker
   * calls it in idle time); false: start writing it now, in the background (a second model, Compare)
   */
  copyLater = false,
): Promise<Classifier> {
  const prepared = prefetched ? await prefetched : null; // its errors are already explained
  const options = {
    tuning,
    cache: foldedCacheFor(tuning),
    ...(signal ? { signal } : {}),
    ...(clock ? { clock } : {}),
  };
  const built = await buildInferenceModel(entry, prepared, onProgress, options);
  const { model } = built;
  try {
    const labels = await resolveLabels(entry, numClassesOf(model, entry), built.metadata);
    if (built.original) {
      return createClassifier(built.original, entry, labels, { inferenceModel: model });
    }
    const classifier = createClassifier(model, entry, labels, {
      ...(built.loadOriginal ? { loadOriginal: built.loadOriginal } : {}),
      ...(built.originalParams !== undefined ? { params: built.originalParams } : {}),
    });
    if (built.identity) classifier.identity = built.identity;
    const { keepCopy } = built;
    if (keepCopy && !copyLater) void keepCopy();
    else if (keepCopy) {
      // Called by the worker when idle after the first photos; then forgotten, and with it the
      // folded weights it holds.
      classifier.keepFoldedCopy = () => {
        delete classifier.keepFoldedCopy;
        return keepCopy();
      };
    }
    return classifier;
  } catch (error) {
    model.dispose();
    built.original?.dispose();
    throw error;
  }
}
