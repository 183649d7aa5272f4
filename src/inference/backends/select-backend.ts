/**
 * Backend selection inside the worker: probe what the device offers, then initialise backends in
 * the order backend-order.ts decides, and accept one only when a known-answer computation returns
 * the right numbers (a driver that initialises but computes garbage is not "available").
 */
import { messageOf } from '../../lib/message-of';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  choiceKey,
  measurementCandidates,
  rememberedStillValid,
  type RememberedChoice,
} from './backend-choice';
import { backendAttemptOrder, type Capability } from './backend-order';
import { tuneBackend, wasmToSettle, withTimings, type PendingTuning } from './backend-tuning';
import type { Classifier } from '../classify/classifier';
import { browserChoiceStore, type ChoiceStore } from './choice-store';
import { loadBackendCode } from './gpu-backends';
import { knownAnswerCheck } from './known-answer';
import type { BackendChoice, BackendName, BackendReport, LoadTuning } from '../protocol';
import { ThreadTrial, trialSchedule } from './thread-trial';
import {
  configureWasmThreads,
  describeWasm,
  setRunningWasmThreads,
  setThreadTrial,
  startedWasmThreads,
  withUncappedThreads,
} from './wasm-threads';

// The WASM binaries come from our own origin (they are emitted into the build), never a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

const NAMES: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU',
};

/** Raised when no backend (or not the forced one) can be used; carries what was found. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(
    message: string,
    readonly reports: BackendReport[],
  ) {
    super(message);
  }
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|lavapipe/i;

async function probeWebGpu(): Promise<Capability> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu)
    return {
      backend: 'webgpu',
      present: false,
      software: false,
      detail: 'this browser has no WebGPU',
    };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        backend: 'webgpu',
        present: false,
        software: false,
        detail: 'no WebGPU adapter on this device',
      };
    }
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
    const software =
      adapter.isFallbackAdapter === true ||
      info.isFallbackAdapter === true ||
      SOFTWARE_RENDERER.test(name);
    return { backend: 'webgpu', present: true, software, detail: name || 'adapter found' };
  } catch (error) {
    return { backend: 'webgpu', present: false, software: false, detail: String(error) };
  }
}

function probeWebGl(): Capability {
  if (typeof OffscreenCanvas === 'undefined') {
    return {
      backend: 'webgl',
      present: false,
      software: false,
      detail: 'no OffscreenCanvas in workers',
    };
  }
  const canvas = new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl)
    return {
      backend: 'webgl',
      present: false,
      software: false,
      detail: 'WebGL is disabled or missing',
    };
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return {
    backend: 'webgl',
    present: true,
    software: SOFTWARE_RENDERER.test(renderer),
    detail: renderer,
  };
}

async function probeAll(): Promise<Capability[]> {
  return [
    await probeWebGpu(),
    probeWebGl(),
    {
      backend: 'wasm',
      present: typeof WebAssembly === 'object',
      software: false,
      detail: typeof WebAssembly === 'object' ? 'WebAssembly' : 'no WebAssembly',
    },
    { backend: 'cpu', present: true, software: false, detail: 'plain JavaScript' },
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${ms / 1000} s`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Backends whose known-answer check is made to fail (test switch `?debug=1&fail=`). */
let failingOnPurpose: readonly BackendName[] = [];

async function initialise(backend: BackendName): Promise<string | null> {
  try {
    await loadBackendCode(backend);
    const start = () => withTimeout(tf.setBackend(backend), 60_000, `starting ${NAMES[backend]}`);
    const ok = await (backend === 'wasm' ? withUncappedThreads(start) : start());
    if (!ok) return `${NAMES[backend]} failed to start`;
    await tf.ready();
    return await knownAnswerCheck({ corrupt: failingOnPurpose.includes(backend) });
  } catch (error) {
    return messageOf(error);
  }
}

/** What {@link selectBackend} settled on. */
export interface SelectedBackend {
  backend: BackendName;
  reports: BackendReport[];
  /** set when 'auto' should still be settled by measuring the loaded model */
  tuning?: PendingTuning;
  /** the WASM thread mode asked for */
  wasmThreads?: LoadTuning['wasmThreads'];
}

/** Remembered backend choices (IndexedDB), per device and model. */
const choices: ChoiceStore = browserChoiceStore();

/**
 * Prepares WASM's threads for a new model: all of them, with a trial on the first photos that
 * switches to one thread where that is clearly faster (thread-trial.ts). Returns the report detail.
 */
async function prepareWasmThreads(mode: LoadTuning['wasmThreads']): Promise<string> {
  setThreadTrial(null);
  const all = startedWasmThreads();
  if (all <= 1) return describeWasm();
  setRunningWasmThreads(all);
  if (mode === 'all') return describeWasm();
  setThreadTrial(
    new ThreadTrial(all, {
      setThreads: (n) => setRunningWasmThreads(n),
      decided: () => undefined,
      now: () => performance.now(),
    }),
  );
  return `${await describeWasm()}; the first ${trialSchedule(all).length} photos also try 1 thread`;
}

/** This device as the probes see it: a measured choice holds only for the same description. */
function deviceOf(capabilities: Capability[]): string {
  const nav = globalThis.navigator as Navigator | undefined;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return [
    nav?.userAgent ?? 'unknown agent',
    `cores ${nav?.hardwareConcurrency ?? '?'}`,
    `isolated ${String(isolated)}`,
    ...capabilities.map((c) => `${c.backend}: ${c.present ? c.detail : 'absent'}`),
  ].join('; ');
}

/**
 * Settles an 'auto' selection by measuring the loaded, warmed-up model on each candidate
 * (see backend-tuning.ts), leaves the fastest backend current and remembers it. `firstMs` is the
 * warm-up just done on `selected.backend`. Without pending tuning it returns the selection as is.
 */
export async function tuneSelectedBackend(
  classifier: Classifier,
  selected: SelectedBackend,
  firstMs: number,
  onProgress?: (fraction: number) => void,
): Promise<{ backend: BackendName; reports: BackendReport[] }> {
  if (!selected.tuning) return { backend: selected.backend, reports: selected.reports };
  const result = await tuneBackend(
    selected.backend,
    firstMs,
    selected.tuning,
    selected.reports,
    {
      use: initialise,
      infer: () => classifier.warmUp(),
      store: choices,
      now: () => Date.now(),
    },
    onProgress ? { onProgress } : {},
  );
  if (result.backend !== 'wasm') setThreadTrial(null);
  const wasm = wasmToSettle(result.reports);
  if (wasm) {
    // WASM was measured here, not selected first: settle its thread count now.
    const detail =
      result.backend === 'wasm'
        ? await prepareWasmThreads(selected.wasmThreads)
        : await describeWasm();
    wasm.detail = `${wasm.detail}, ${detail}`;
    wasm.threadsSettled = true;
  }
  return { backend: result.backend, reports: result.reports };
}

/**
 * Makes TensorFlow.js use the chosen backend (or, for `auto`, the best one that works here) and
 * returns it with a report on every backend. Throws {@link BackendUnavailableError} when none works.
 */
export async function selectBackend(
  choice: BackendChoice,
  /** backends that failed during this session (e.g. a lost GPU): never attempted */
  avoid: readonly BackendName[] = [],
  /** the model about to load (the measured choice is remembered per device and model) */
  options: { modelId?: string; tuning?: LoadTuning } = {},
): Promise<SelectedBackend> {
  const tuning = options.tuning ?? {};
  configureWasmThreads(tuning.wasmThreads ?? 'auto');
  failingOnPurpose = tuning.failKnownAnswer ?? [];
  const capabilities = (await probeAll()).map((c) =>
    avoid.includes(c.backend)
      ? { ...c, present: false, detail: `${c.detail}; stopped working earlier in this session` }
      : c,
  );
  const reports: BackendReport[] = capabilities.map((c) => ({
    backend: c.backend,
    available: c.present,
    ok: false,
    software: c.software,
    tried: false,
    detail: c.detail,
  }));
  const report = (name: BackendName): BackendReport =>
    reports.find((r) => r.backend === name) as BackendReport;

  const forced = choice !== 'auto' ? capabilities.find((c) => c.backend === choice) : undefined;
  if (forced && !forced.present) {
    report(forced.backend).tried = true;
    throw new BackendUnavailableError(
      `${NAMES[forced.backend]} is not available here (${forced.detail}). Choose another backend in Settings.`,
      reports,
    );
  }
  // ?measure=all: software GPUs count as GPUs, so the WebGPU → WebGL → WASM chain runs here too.
  const order = backendAttemptOrder(choice, capabilities, {
    softwareAsGpu: tuning.measureAll === true,
  });
  // Auto: a choice measured earlier on this device for this model goes first. A choice made
  // while backends fail on purpose is neither used nor remembered.
  const key =
    options.modelId && failingOnPurpose.length === 0
      ? choiceKey(deviceOf(capabilities), options.modelId)
      : null;
  let remembered: RememberedChoice | null = null;
  if (choice === 'auto' && key !== null) {
    if (tuning.remeasure) await choices.delete(key);
    const stored = await choices.get(key);
    if (rememberedStillValid(stored, order, Date.now())) {
      remembered = stored;
      order.splice(order.indexOf(stored.backend), 1);
      order.unshift(stored.backend);
    }
  }
  for (const [index, backend] of order.entries()) {
    const r = report(backend);
    r.tried = true;
    const problem = await initialise(backend);
    if (!problem) {
      r.ok = true;
      if (backend === 'wasm') {
        r.detail = `${r.detail}, ${await prepareWasmThreads(tuning.wasmThreads)}`;
        r.threadsSettled = true;
      }
      if (choice !== 'auto') return { backend, reports };
      if (remembered?.backend === backend) {
        return {
          backend,
          reports: withTimings(reports, remembered.timings, remembered.measuredAt),
        };
      }
      // Not settled yet: compare this one with the rest of the order by measurement.
      const byName = new Map(capabilities.map((c) => [c.backend, c]));
      const candidates = measurementCandidates(
        order.slice(index).map((b) => byName.get(b) as Capability),
        tuning.measureAll === true,
      );
      return {
        backend,
        reports,
        tuning: { key, candidates },
        wasmThreads: tuning.wasmThreads ?? 'auto',
      };
    }
    r.detail = `${r.detail}; ${problem}`;
  }
  const what =
    choice === 'auto' ? 'No TensorFlow.js backend works' : `${NAMES[choice]} does not work`;
  throw new BackendUnavailableError(
    `${what} in this browser. Choose another backend in Settings.`,
    reports,
  );
}
