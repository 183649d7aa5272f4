/**
 * Multi-threaded WebAssembly for TensorFlow.js, made to use every core.
 *
 * tfjs-backend-wasm runs XNNPACK on a pthread pool when the page is cross-origin isolated
 * (SharedArrayBuffer). Two things stood in the way, both handled here or in the build:
 * 1. The helper threads died in a minified build — see scripts/vite-tfjs-wasm-threads.ts.
 * 2. It caps the pool at `navigator.hardwareConcurrency / 2` (its C++ assumes two hyper-threads
 *    per core), even when asked for more with `setThreadsCount`: on a 2-core machine that is one
 *    thread, i.e. no parallelism at all. The cap is read once, while the WASM module starts, so we
 *    let it see twice the logical cores for that moment; the thread count we ask for stays
 *    bounded by the real core count.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { ThreadTrial } from './thread-trial';

/** tfjs pre-spawns 8 pthread workers; more threads than that would spawn workers on demand. */
const MAX_THREADS = 8;

/**
 * 'auto': one thread per logical core when isolation allows (with the thread trial); 'all': the
 * same without the trial; 'off': the single-threaded build.
 */
export type WasmThreadMode = 'auto' | 'all' | 'off';

/** Threads to ask XNNPACK for, given the logical core count (pure). */
export function wasmThreadCount(logicalCores: number | undefined): number {
  const cores = Number.isFinite(logicalCores) && (logicalCores ?? 0) >= 1 ? logicalCores! : 1;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores)));
}

/** True when this context can share memory with helper threads. */
export function canUseWasmThreads(): boolean {
  return (
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof SharedArrayBuffer === 'function'
  );
}

let configured: WasmThreadMode | null = null;

/**
 * Sets how the WASM backend will use threads. Only the first call before the backend starts has
 * an effect (a WASM module's thread pool is fixed once it runs); returns the mode in force.
 */
export function configureWasmThreads(mode: WasmThreadMode): WasmThreadMode {
  if (configured !== null) return configured;
  configured = mode;
  if (mode === 'off' || !canUseWasmThreads()) {
    // Picks the single-threaded SIMD build (no atomics overhead) instead of one thread of the
    // threaded build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else {
    setThreadsCount(wasmThreadCount(navigator.hardwareConcurrency));
  }
  return mode;
}

/**
 * Runs `start` (the WASM backend's start-up) with the core count doubled for tfjs' halving cap,
 * then restores the real value. Anything else is passed straight through.
 */
export async function withUncappedThreads<T>(start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as Navigator | undefined;
  const real = nav?.hardwareConcurrency;
  if (!nav || !real || !canUseWasmThreads() || configured === 'off') return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: real * 2, configurable: true });
  doubledFrom = real;
  try {
    return await start();
  } finally {
    // Removes the own property, so the prototype's real getter shows through again.
    delete (nav as unknown as Record<string, unknown>).hardwareConcurrency;
    doubledFrom = null;
  }
}

/** The real core count while {@link withUncappedThreads} shows tfjs a doubled one. */
let doubledFrom: number | null = null;

/**
 * `navigator.hardwareConcurrency` as it really is, even while the WASM backend starts (when
 * {@link withUncappedThreads} doubles it for tfjs): code running beside that start-up (a load's
 * first step) must not read the doubled value.
 */
export function logicalCores(): number | undefined {
  return doubledFrom ?? (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency;
}

/** The tfjs WASM module's own entry points we need beyond tfjs' API. */
interface WasmModule {
  wasm?: { tfjs?: { initWithThreadsCount?(n: number): void; getThreadsCount?(): number } };
}

/** Threads the running backend uses now (tfjs' getThreadsCount only knows the start value). */
let running: number | null = null;
/** Pools made by switching; each switch parks the previous pool's threads, so it is capped. */
let switches = 0;
const MAX_SWITCHES = 8;

/** The threads the WASM backend started with (1 when it has not started or has no threads). */
export function startedWasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

/** Threads the WASM backend runs on now. */
export function runningWasmThreads(): number {
  return running ?? startedWasmThreads();
}

/**
 * Changes the running WASM backend's thread count (1 up to the count it started with). tfjs has
 * no API for it, but its module's `init_with_threads_count` makes a fresh XNNPACK thread pool that
 * every later operation uses. Returns false when it cannot (not WASM, not threaded, too many
 * switches already).
 */
export function setRunningWasmThreads(threads: number): boolean {
  const max = startedWasmThreads();
  if (max <= 1 || switches >= MAX_SWITCHES) return false;
  const n = Math.max(1, Math.min(max, Math.floor(threads)));
  if (n === runningWasmThreads()) return true;
  const module = (tf.findBackend('wasm') as unknown as WasmModule | null)?.wasm?.tfjs;
  if (!module?.initWithThreadsCount || !module.getThreadsCount) return false;
  module.initWithThreadsCount(n);
  switches += 1;
  running = module.getThreadsCount();
  return running === n;
}

let trial: ThreadTrial | null = null;

/** Installs (or, with null, removes) the thread trial that photo inferences go through. */
export function setThreadTrial(next: ThreadTrial | null): void {
  trial = next;
}

/** Runs one photo's inference — through the thread trial while one runs on WASM. */
export function photoInference<T>(infer: () => Promise<T>): Promise<T> {
  return trial && trial.result === null && tf.getBackend() === 'wasm' ? trial.run(infer) : infer();
}

/** A short description of how WASM runs here, e.g. "SIMD, 2 threads". */
export async function describeWasm(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = runningWasmThreads();
  const why =
    threads > 1
      ? ''
      : configured === 'off'
        ? ' (threads turned off)'
        : !canUseWasmThreads()
          ? ' (no cross-origin isolation, so no threads)'
          : '';
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${why}`;
}
