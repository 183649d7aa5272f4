/**
 * "Auto" means the fastest backend *measured* with the real model, not the first one available.
 * The rules, kept pure so they are unit-tested without a browser: which backends are worth
 * measuring, which measurement wins, and when a remembered choice still applies.
 */
import type { Capability } from './backend-order';
import { BACKENDS, type BackendName } from '../protocol';

/** One backend measured with the real model. */
export interface BackendTiming {
  backend: BackendName;
  /** the first inference (kernel compilation, weight upload), ms */
  firstMs: number;
  /** median of the timed inferences after it, ms (equals firstMs when none were run) */
  steadyMs: number;
  /** how many timed inferences the median is over */
  runs: number;
}

/** A choice remembered for one device and model. */
export interface RememberedChoice {
  backend: BackendName;
  timings: BackendTiming[];
  /** epoch ms */
  measuredAt: number;
}

/** True for a GPU backend that is really a software rasteriser, and for the plain-JS backend. */
export function isSlowTier(c: Pick<Capability, 'backend' | 'software'>): boolean {
  return c.backend === 'cpu' || ((c.backend === 'webgpu' || c.backend === 'webgl') && c.software);
}

/**
 * The backends worth measuring, given those that started and passed the known-answer check
 * (`working`, in attempt order). Real GPUs and WASM are compared; software GPUs (SwiftShader,
 * llvmpipe, fallback adapters) and the plain CPU backend are many times slower, so they are only
 * measured when nothing faster works — or when `all` asks for everything.
 */
export function measurementCandidates(working: Capability[], all = false): BackendName[] {
  if (all) return working.map((c) => c.backend);
  const fast = working.filter((c) => !isSlowTier(c));
  return (fast.length > 0 ? fast : working).map((c) => c.backend);
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The winner: lowest steady time. Within 3 % of each other counts as a tie, settled by the usual
 * preference (webgpu, webgl, wasm, cpu), since a GPU backend also leaves the CPU free.
 */
export function fastestBackend(timings: readonly BackendTiming[]): BackendName | null {
  const valid = timings.filter((t) => Number.isFinite(t.steadyMs) && t.steadyMs > 0);
  if (valid.length === 0) return null;
  const best = Math.min(...valid.map((t) => t.steadyMs));
  const close = valid.filter((t) => t.steadyMs <= best * 1.03);
  close.sort((a, b) => BACKENDS.indexOf(a.backend) - BACKENDS.indexOf(b.backend));
  return (close[0] as BackendTiming).backend;
}

/**
 * Whether a remembered choice can be used as it is: it names a backend that is present now,
 * and is not older than `maxAgeMs` (browsers and drivers update).
 */
export function rememberedStillValid(
  remembered: RememberedChoice | null,
  present: readonly BackendName[],
  now: number,
  maxAgeMs = 30 * 24 * 3600 * 1000,
): remembered is RememberedChoice {
  return (
    remembered !== null &&
    present.includes(remembered.backend) &&
    now - remembered.measuredAt >= 0 &&
    now - remembered.measuredAt <= maxAgeMs
  );
}

/** The key a choice is remembered under: this device (as the probes describe it) and model. */
export function choiceKey(device: string, modelId: string): string {
  return `${modelId}\n${device}`;
}
