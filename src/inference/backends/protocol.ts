/**
 * The backends' part of the worker contract: the backend names, what choosing one found out,
 * the diagnostics requests (memory, simulated loss) and the event sent when a GPU goes away.
 */

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
  /** WASM only: its threads were prepared and `detail` already says how many */
  threadsSettled?: boolean;
  /** measured with the loaded model: its first inference (compilation, upload), ms */
  firstMs?: number;
  /** measured with the loaded model: median of `runs` inferences after the first, ms */
  steadyMs?: number;
  runs?: number;
  /** when those numbers were measured (epoch ms); older ones come from a remembered choice */
  measuredAt?: number;
}

/** Tensor count and bytes held by TensorFlow.js, for the debug panel. */
export interface MemoryReport {
  numTensors: number;
  numBytes: number;
  backend: string;
}

/** The backends' requests: the request each sends, and its reply. */
export interface BackendRequests {
  /** diagnostics: tensor count and bytes held by TensorFlow.js */
  memory: { request: Record<never, never>; reply: MemoryReport };
  /** diagnostics: make the GPU backend lose its device (tests fault recovery) */
  'simulate-backend-loss': { request: Record<never, never>; reply: { backend: string } };
}

/** Unsolicited (id 0): the GPU under the active backend is gone; restart without it. */
export interface BackendLostEvent {
  type: 'backend-lost';
  id: number;
  backend: BackendName;
  reason: string;
}
