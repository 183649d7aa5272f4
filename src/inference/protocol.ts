/**
 * The one message contract between the page and the inference worker. Both sides import these
 * types, so they cannot drift. Every request carries an `id`; every response names the request
 * it answers.
 */
import type { ModelEntry } from '../models/registry';

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

/** Page → worker. */
export type WorkerRequest =
  | { type: 'load'; id: number; model: ModelEntry; backend: BackendChoice }
  | {
      type: 'classify';
      id: number;
      /** RGBA bytes, row-major, `width × height × 4`; transferred, not copied */
      pixels: ArrayBuffer;
      width: number;
      height: number;
      topK: number;
    }
  | { type: 'cancel'; id: number; target: number };

/** Stages of loading a model, reported with progress. */
export type LoadStage = 'backend' | 'download' | 'warming';

/** Worker → page. */
export type WorkerResponse =
  | { type: 'progress'; id: number; stage: LoadStage; fraction: number; backend?: BackendName }
  | {
      type: 'ready';
      id: number;
      backend: BackendName;
      model: LoadedModelInfo;
      backends: BackendReport[];
      warmupMs: number;
    }
  | { type: 'result'; id: number; predictions: Prediction[]; ms: number; backend: BackendName }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string; backends?: BackendReport[] };
