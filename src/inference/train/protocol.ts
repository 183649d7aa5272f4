/**
 * The "customise" part of the worker contract: teaching a model new classes by transfer learning.
 * `../protocol.ts` joins its requests into the one request map; the page (the Teach view) imports
 * the types from there.
 *
 * The worker keeps the example photos (RGBA at the model's input size) and their cached features;
 * the page keeps only ids, class names and thumbnails.
 */

import type { StoredModel } from '../library/protocol';
import type { DatasetRequests } from './dataset/protocol';

export * from './dataset/protocol';

/** How much of the network learns. */
export type TrainStrategy = 'head' | 'fine-tune' | 'scratch';

/** Random changes made to training photos so a few photos go further. */
export interface AugmentOptions {
  /** mirror left-right, half of the time */
  flip: boolean;
  /** a random crop of 80–100 % of the side, resized back */
  crop: boolean;
  /** brighten or darken by up to 20 % */
  brightness: boolean;
}

/** Everything the user chooses before training. */
export interface TrainSettings {
  strategy: TrainStrategy;
  /** fine-tune only: how many of the top blocks (mixed10, mixed9, …) learn */
  blocks: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** fraction of each class's photos kept aside for validation, 0 … 0.5 */
  validationSplit: number;
  augment: AugmentOptions;
  /** stop after this many epochs without a lower validation loss (0: never stop early) */
  patience: number;
  /** seed of the split, the shuffling and the augmentation, so runs can be repeated */
  seed: number;
}

/** One example photo the worker holds, by id, with its class index. */
export interface TrainExampleRef {
  id: string;
  label: number;
}

/** Pixels of one example photo, sent once when it is added (the buffer is transferred). */
export interface TrainExamplePixels {
  id: string;
  /** RGBA bytes, `width × height × 4` */
  pixels: ArrayBuffer;
  width: number;
  height: number;
}

/** What a strategy means for the active model, before anything is trained. */
export interface TrainPlan {
  strategy: TrainStrategy;
  /** name of the model the new classes build on */
  baseName: string;
  /** the layer whose output feeds the new head (e.g. `avg_pool`) */
  featureLayer: string;
  /**
   * true when the features are `featureLayer`'s output averaged over space by a pooling Teach adds
   * (a base without one, VGG16: Keras' `include_top=False, pooling='avg'`)
   */
  featurePooled?: boolean;
  featureSize: number;
  /** input side of the network that will be trained */
  inputSize: number;
  /** block names, top first (mixed10, mixed9, …), that fine-tuning can unfreeze */
  blocks: string[];
  /** fine-tune: the last frozen layer; everything after it learns */
  frozenUpTo: string | null;
  trainableParams: number;
  frozenParams: number;
  /** present when a time estimate was asked for */
  estimate?: TrainEstimate;
}

/** A measured time estimate: one real training step, times the number of steps. */
export interface TrainEstimate {
  /** photos whose features must be computed first, and the measured time per photo */
  featurePhotos: number;
  featureMs: number;
  /** time of one training step (one batch), measured on `measuredBatch` photos and scaled */
  stepMs: number;
  measuredBatch: number;
  steps: number;
  totalMs: number;
}

/** Loss and accuracy after one epoch. */
export interface EpochLog {
  /** 1-based */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  ms: number;
}

/** Where a training run is. */
export interface TrainProgress {
  phase: 'preparing' | 'features' | 'training' | 'evaluating';
  /** steps done and to do in this phase (photos for features, batches for training) */
  done: number;
  total: number;
  /** 1-based epoch being trained (0 before training starts) */
  epoch: number;
  epochs: number;
  /** estimated milliseconds left for the whole run, when known */
  etaMs: number | null;
  /** set on the message that ends an epoch */
  log?: EpochLog;
}

/** How the trained model saw one evaluation photo. */
export interface ExamplePrediction {
  id: string;
  label: number;
  predicted: number;
  probability: number;
  /** every class's probability; present for misclassified photos */
  scores?: number[];
}

/** The outcome of a training run. */
export interface TrainReport {
  classNames: string[];
  strategy: TrainStrategy;
  baseName: string;
  epochs: EpochLog[];
  stoppedEarly: boolean;
  /** the epoch whose weights were kept (the one with the lowest validation loss) */
  bestEpoch: number;
  /** 'training' when there was no validation set (the numbers are then optimistic) */
  evaluatedOn: 'validation' | 'training';
  accuracy: number;
  perClass: { correct: number; total: number }[];
  /** `confusion[actual][predicted]` counts */
  confusion: number[][];
  predictions: ExamplePrediction[];
  trainCount: number;
  valCount: number;
  trainableParams: number;
  frozenParams: number;
  ms: number;
}

/** Most example photos the worker keeps (≈ 360 KB each at 299 × 299); the page checks it too. */
export const MAX_EXAMPLES = 1000;

/** Teach's requests (datasets' included): the request each sends, its progress and its reply. */
export interface TrainRequests extends DatasetRequests {
  /** hands example photos to the worker (their pixel buffers are transferred) */
  'train-add': { request: { examples: TrainExamplePixels[] }; reply: { stored: number } };
  /** forgets example photos ('all': every one) */
  'train-remove': { request: { ids: string[] | 'all' }; reply: { stored: number } };
  /** what a strategy means for the active model; `measure` adds a timed estimate */
  'train-plan': {
    request: {
      settings: TrainSettings;
      examples: TrainExampleRef[];
      numClasses: number;
      /** also measure a time estimate (runs one real training step) */
      measure: boolean;
    };
    progress: TrainProgress;
    reply: { plan: TrainPlan };
  };
  /** trains new classes on top of the active model */
  'train-start': {
    request: { settings: TrainSettings; examples: TrainExampleRef[]; classNames: string[] };
    progress: TrainProgress;
    reply: { report: TrainReport };
  };
  /** stores the model just trained in the model library, under `name` */
  'train-save': { request: { name: string }; reply: { model: StoredModel } };
}

/** Sensible starting settings for a strategy (the learning rates follow the Keras examples). */
export function defaultSettings(strategy: TrainStrategy = 'head'): TrainSettings {
  return {
    strategy,
    blocks: 1,
    epochs: strategy === 'head' ? 20 : strategy === 'fine-tune' ? 5 : 30,
    batchSize: strategy === 'head' ? 16 : 8,
    learningRate: strategy === 'fine-tune' ? 1e-4 : 1e-3,
    validationSplit: 0.2,
    augment: { flip: true, crop: false, brightness: false },
    patience: 0,
    seed: 1,
  };
}

/** Says what is wrong with settings, or returns null when they can be used. */
export function checkSettings(settings: TrainSettings): string | null {
  const { epochs, batchSize, learningRate, validationSplit, patience, blocks } = settings;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) {
    return 'Epochs must be a whole number from 1 to 1000.';
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 256) {
    return 'Batch size must be a whole number from 1 to 256.';
  }
  if (!(learningRate > 0 && learningRate <= 1)) {
    return 'The learning rate must be above 0 and at most 1.';
  }
  if (!(validationSplit >= 0 && validationSplit <= 0.5)) {
    return 'The validation split must be between 0 and 0.5.';
  }
  if (!Number.isInteger(patience) || patience < 0) {
    return 'Early-stopping patience must be a whole number (0 turns it off).';
  }
  if (settings.strategy === 'fine-tune' && (!Number.isInteger(blocks) || blocks < 1)) {
    return 'Fine-tuning needs at least one block to unfreeze.';
  }
  return null;
}
