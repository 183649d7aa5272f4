/**
 * The compare part of the worker contract: several models run on the same photos, one model at
 * a time (each loaded, run on every photo, then freed before the next loads), so memory holds the
 * active model plus one compared model at most, whatever their number.
 */
import type { ModelEntry } from '../../models/registry';
import type { Prediction } from '../classify/protocol';

/** Most models one comparison runs. */
export const MAX_COMPARE_MODELS = 4;
/** Fewest models a comparison needs. */
export const MIN_COMPARE_MODELS = 2;

/** One photo prepared for each input size the chosen models need. */
export interface ComparePhoto {
  name: string;
  /** RGBA pixels per input size (one for 224, one for 299, …); transferred */
  images: { size: number; pixels: ArrayBuffer; width: number; height: number }[];
}

/** What one model made of the photos. */
export interface CompareModelResult {
  modelId: string;
  name: string;
  /** milliseconds from asking for the model to its warm-up done (download or build included) */
  loadMs: number;
  /** mean milliseconds per photo once warm; null when no photo ran */
  msPerPhoto: number | null;
  /** its top-k per photo, in the photos' order (null where that photo failed) */
  predictions: (Prediction[] | null)[];
  /** why this model could not run (the others still do) */
  error?: string;
}

/** Progress of a comparison. */
export interface CompareProgress {
  /** index of the model at work, and how many there are */
  model: number;
  models: number;
  stage: 'loading' | 'classifying';
  /** photos done for this model */
  photosDone: number;
}

/** The compare request: the request it sends, its progress and its reply. */
export interface CompareRequests {
  /** runs 2–4 models on the same photos, one model after another */
  compare: {
    request: { models: ModelEntry[]; photos: ComparePhoto[]; topK: number };
    progress: CompareProgress;
    reply: { results: CompareModelResult[] };
  };
}
