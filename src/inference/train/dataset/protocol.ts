/**
 * Teach at dataset size: the part of the worker contract for datasets of thousands of photos.
 * The worker never keeps a dataset's pixels: each photo's features (the output of the frozen
 * base) are computed once and kept in IndexedDB, keyed by {@link featureKey}; training is head
 * only, on those features. `../../protocol.ts` joins these requests into the one request map.
 */
import type { AugmentOptions, TrainProgress, TrainReport, TrainSettings } from '../protocol';

/** How photos are fitted to the model's square input (changes the pixels, so part of the key). */
export type DatasetResizeMode = 'squash';

/** Augmented variants cached per photo when augmentation is on (variant 0 is the photo as is). */
export const DATASET_VARIANTS = 2;

/** One photo of a dataset as the worker sees it: an id (its path) and its content hash. */
export interface DatasetItem {
  id: string;
  /** SHA-256 of the file's bytes, hex */
  hash: string;
}

/** A photo's pixels at the model's input size, sent only when its features are not cached. */
export interface DatasetPixels extends DatasetItem {
  /** RGBA bytes, `width × height × 4` (transferred) */
  pixels: ArrayBuffer;
  width: number;
  height: number;
}

/** A photo of the dataset to train on. */
export interface DatasetTrainItem extends DatasetItem {
  label: number;
  /** 'validation' when the dataset's own split keeps it aside; null: the random split decides */
  split: 'train' | 'validation' | null;
}

/** What {@link DatasetRequests}' `dataset-features` found and did. */
export interface FeaturesReply {
  /** photos whose features came from the cache (memory or IndexedDB) */
  reused: number;
  /** photos whose features were computed now */
  computed: number;
  /** ids of the photos whose features are not cached and whose pixels were not sent */
  missing: string[];
}

/** The pixel-changing settings a feature depends on. */
export interface FeatureVariantSettings {
  resize: DatasetResizeMode;
  augment: AugmentOptions;
}

/**
 * The cache key of one photo's features: its content, the base model, the resize mode and the
 * augmented variant (with the options that draw it). Head settings (epochs, learning rate, …)
 * are not in it, so changing them reuses the features.
 */
export function featureKey(
  hash: string,
  baseKey: string,
  resize: DatasetResizeMode,
  variant: number,
  augment: AugmentOptions,
): string {
  const aug =
    variant === 0 ? 'plain' : `v${variant}:${+augment.flip}${+augment.crop}${+augment.brightness}`;
  return `${hash}|${baseKey}|${resize}|${aug}`;
}

/** The variants cached for a photo under these options: 0, plus 1…N when anything augments. */
export function variantsFor(augment: AugmentOptions): number[] {
  const any = augment.flip || augment.crop || augment.brightness;
  return any ? [0, ...Array.from({ length: DATASET_VARIANTS }, (_, i) => i + 1)] : [0];
}

/** The dataset requests: the request each sends, its progress (if any) and its reply. */
export interface DatasetRequests {
  /**
   * Makes the features of these photos available for training: from memory, from IndexedDB, or
   * computed from the pixels sent along. Photos with neither come back in `missing`.
   */
  'dataset-features': {
    request: {
      items: DatasetItem[];
      pixels: DatasetPixels[];
      variant: FeatureVariantSettings;
    };
    reply: FeaturesReply;
  };
  /** trains a new head over the active model on the dataset's cached features */
  'dataset-train': {
    request: {
      /** head only; its `augment` picks the cached variants */
      settings: TrainSettings;
      resize: DatasetResizeMode;
      items: DatasetTrainItem[];
      classNames: string[];
    };
    progress: TrainProgress;
    reply: { report: TrainReport };
  };
  /** the model just trained (not yet saved) on one photo: every class's probability */
  'train-preview': {
    request: { pixels: ArrayBuffer; width: number; height: number };
    reply: { classNames: string[]; probabilities: number[] };
  };
}
