/**
 * The classify part of the worker contract: loading a model (with progress) and classifying a
 * photo, with an optional second model on the same pixels.
 */
import type { ModelEntry } from '../../models/registry';
import type { BackendChoice, BackendName, BackendReport } from '../backends/protocol';
import type { EngineChoice, EngineReport } from '../engines/protocol';

/** How a load may trade set-up time for speed; every field is optional (defaults: 'auto'). */
export interface LoadTuning {
  /** measure the candidate backends again instead of using the remembered choice ('auto' only) */
  remeasure?: boolean;
  /** also measure software GPUs and the CPU backend, which auto skips when WASM works */
  measureAll?: boolean;
  /**
   * WASM threads: 'auto' = one per core when cross-origin isolated, kept unless the first photos
   * run clearly faster on one; 'all' = one per core, no trial; 'off' = the single-threaded build
   * (fixed once WASM starts in a worker)
   */
  wasmThreads?: 'auto' | 'all' | 'off';
  /** fold batch norm into the convolutions for inference */
  foldBatchNorm?: 'auto' | 'off';
  /** keep the folded copy between visits (IndexedDB) and build only it at load; 'off' folds every time */
  foldCache?: 'auto' | 'off';
  /** test switch (`?debug=1&fail=`): these backends' known-answer checks fail on purpose */
  failKnownAnswer?: BackendName[];
  /** the photo engine: 'auto' measures LiteRT.js against TensorFlow.js (`?engine=`) */
  engine?: EngineChoice;
}

/** What the page learns about a loaded model. */
export interface LoadedModelInfo {
  id: string;
  name: string;
  url: string;
  inputSize: number;
  inputRange: readonly [number, number];
  numClasses: number;
  /** where the class names came from */
  labelSource: 'imagenet' | 'metadata' | 'list' | 'index';
  params: number;
}

/** One ranked class. */
export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

/**
 * What a second model made of the same photo: ImageNet's top-k next to a custom model's. Either
 * `predictions` or `error` is set; an error here never fails the photo itself.
 */
export interface AlsoResult {
  modelId: string;
  name: string;
  predictions?: Prediction[];
  error?: string;
  /** milliseconds this model took for the photo */
  ms?: number;
}

/** Stages of loading a model, reported with progress. */
export type LoadStage = 'backend' | 'download' | 'warming';

/**
 * Where a model's bytes come from: the network, this browser (IndexedDB, or the offline cache
 * the service worker filled), or nowhere (random weights are built in place).
 */
export type ModelSource = 'network' | 'browser' | 'built';

/** Progress of a load (also of a second model that a photo waits for). */
export interface LoadProgress {
  stage: LoadStage;
  fraction: number;
  backend?: BackendName;
  /** where the model comes from, when the worker knows (the page then says "downloading" or not) */
  source?: ModelSource;
  /** something worth telling the user, e.g. that a download is being retried */
  note?: string;
}

/** What `load` replies: the model is active and warm. */
export interface ReadyInfo {
  backend: BackendName;
  model: LoadedModelInfo;
  backends: BackendReport[];
  warmupMs: number;
  /** when each step of this load ended, in the worker, from the request's arrival */
  startup?: StartupStep[];
  /** which engine classifies photos, and why (absent: TensorFlow.js, nothing was tried) */
  engine?: EngineReport;
}

/**
 * Unsolicited (id 0): everything the load of `modelUrl` left for later (the photo engine's choice,
 * keeping the folded copy) is done, so photos from now on share the worker with nothing else.
 * Not sent for a load that a later one replaced (that one sends its own).
 */
export interface SettledEvent {
  type: 'settled';
  id: number;
  modelId: string;
  modelUrl: string;
}

/** One step of a load and when it ended (ms since the worker received the load). */
export interface StartupStep {
  step: string;
  atMs: number;
}

/** What `classify` replies. */
export interface ClassifyResult {
  predictions: Prediction[];
  ms: number;
  backend: BackendName;
  /** the second model's answer, when one was asked for */
  also?: AlsoResult;
  /**
   * the photo's pooled features (e.g. InceptionV3's 2,048-d `avg_pool`) as 8-bit integers, scaled
   * so the largest magnitude is 127; present when asked for and the model has a pooled layer
   */
  features?: ArrayBuffer;
}

/** The `classify` request's fields. */
export interface ClassifyRequest {
  /** RGBA bytes, row-major, `width × height × 4`; transferred, not copied */
  pixels: ArrayBuffer;
  width: number;
  height: number;
  topK: number;
  /**
   * a second model to run on the same pixels (loaded on first use, kept while asked for,
   * dropped when a photo comes without it); ignored when it is the active model
   */
  also?: ModelEntry;
  /**
   * the same photo prepared at the second model's own input size (when the page knows it
   * and it differs); transferred. Without it the second model resizes `pixels`.
   */
  alsoPixels?: { pixels: ArrayBuffer; width: number; height: number };
  /** also return the photo's pooled features (for similar photos) */
  features?: boolean;
}

/** Loading and classifying: the request each sends, its progress and its reply. */
export interface ClassifyRequests {
  /** loads a model, warmed up; the previous one stays active until its successor works */
  load: {
    request: {
      model: ModelEntry;
      backend: BackendChoice;
      /** backends that stopped working earlier in this session: not attempted */
      avoid?: BackendName[];
      /** performance options (benchmarks, Settings → re-measure) */
      tuning?: LoadTuning;
    };
    progress: LoadProgress;
    reply: ReadyInfo;
  };
  /** classifies a photo with the active model; progress only while a second model loads */
  classify: { request: ClassifyRequest; progress: LoadProgress; reply: ClassifyResult };
}
