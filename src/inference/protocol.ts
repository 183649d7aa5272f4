/**
 * The one message contract between the page and the inference worker. Both sides import these
 * types, so they cannot drift. Every request carries an `id`; every response names the request
 * it answers.
 */
import type { ModelEntry } from '../models/registry';
import type { InspectRequest, InspectResponse } from './inspect/protocol';
// The page imports every message type from here (lint allows it this file and client.ts only).
export * from './inspect/protocol';
export * from './library/protocol';
export * from './train/protocol';
import type { ModelLibraryRequest, ModelLibraryResponse } from './library/protocol';
import type { TrainRequest, TrainResponse } from './train/protocol';

/** TensorFlow.js backends, in the order "first available" would try them. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** One TensorFlow.js backend. */
export type BackendName = (typeof BACKENDS)[number];
/** What the user asks for: a specific backend or automatic choice. */
export type BackendChoice = 'auto' | BackendName;

/** True for a string that names a backend or 'auto'. */
export function isBackendChoice(value: unknown): value is BackendChoice {
  return value === 'auto' || (BACKENDS as readonly unknown[]).includes(value);
}

/** What the worker found out about one backend while choosing. */
export interface BackendReport {
  backend: BackendName;
  /** the device offers it at all (an adapter, a context, WebAssembly) */
  available: boolean;
  /** initialised and passed the known-answer check */
  ok: boolean;
  /** a software GPU (SwiftShader, llvmpipe, a fallback WebGPU adapter) */
  software: boolean;
  /** whether it was tried at all (auto stops at the first that works) */
  tried: boolean;
  detail: string;
  /** measured with the loaded model: its first inference (compilation, upload), ms */
  firstMs?: number;
  /** measured with the loaded model: median of `runs` inferences after the first, ms */
  steadyMs?: number;
  runs?: number;
  /** when those numbers were measured (epoch ms); older ones come from a remembered choice */
  measuredAt?: number;
}

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

/** Page → worker. */
export type WorkerRequest =
  | {
      type: 'load';
      id: number;
      model: ModelEntry;
      backend: BackendChoice;
      /** backends that stopped working earlier in this session: not attempted */
      avoid?: BackendName[];
      /** performance options (benchmarks, Settings → re-measure) */
      tuning?: LoadTuning;
    }
  /** diagnostics: tensor count and bytes held by TensorFlow.js */
  | { type: 'memory'; id: number }
  /** diagnostics: make the GPU backend lose its device (tests fault recovery) */
  | { type: 'simulate-backend-loss'; id: number }
  | {
      type: 'classify';
      id: number;
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
    }
  | { type: 'cancel'; id: number; target: number }
  | InspectRequest
  | ModelLibraryRequest
  | TrainRequest;

/** Stages of loading a model, reported with progress. */
export type LoadStage = 'backend' | 'download' | 'warming';

/** Worker → page. */
export type WorkerResponse =
  | {
      type: 'progress';
      id: number;
      stage: LoadStage;
      fraction: number;
      backend?: BackendName;
      /** something worth telling the user, e.g. that a download is being retried */
      note?: string;
    }
  | {
      type: 'ready';
      id: number;
      backend: BackendName;
      model: LoadedModelInfo;
      backends: BackendReport[];
      warmupMs: number;
    }
  | {
      type: 'result';
      id: number;
      predictions: Prediction[];
      ms: number;
      backend: BackendName;
      also?: AlsoResult;
    }
  | { type: 'cancelled'; id: number }
  | { type: 'memory-result'; id: number; numTensors: number; numBytes: number; backend: string }
  | { type: 'simulate-backend-loss-result'; id: number; backend: string }
  /** unsolicited (id 0): the GPU under the active backend is gone; restart without it */
  | { type: 'backend-lost'; id: number; backend: BackendName; reason: string }
  | {
      type: 'error';
      id: number;
      message: string;
      backends?: BackendReport[];
      /** a failed load that left the previous model active (it still answers classify) */
      kept?: { model: LoadedModelInfo; backend: BackendName };
    }
  | InspectResponse
  | ModelLibraryResponse
  | TrainResponse;
