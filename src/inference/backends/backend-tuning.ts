/**
 * The micro-benchmark behind automatic backend choice: the real model, a few inferences on each
 * candidate backend, the fastest wins and is remembered per device and model. Effects (switching
 * backends, running the model, storage) are injected, so the sequence is unit-tested with fakes.
 */
import { messageOf } from '../../lib/message-of';
import {
  fastestBackend,
  median,
  type BackendTiming,
  type RememberedChoice,
} from './backend-choice';
import type { ChoiceStore } from './choice-store';
import type { BackendName, BackendReport } from '../protocol';

/** What selectBackend hands over when 'auto' should be settled by measurement. */
export interface PendingTuning {
  /** where to remember the outcome (null: do not remember) */
  key: string | null;
  /** backends to compare, in preference order; includes the one selected */
  candidates: BackendName[];
}

/** The effects a measurement needs. */
export interface TuningDeps {
  /** makes `backend` current; returns why it cannot be used, or null */
  use(backend: BackendName): Promise<string | null>;
  /** one inference of the real model on the current backend; its milliseconds */
  infer(): Promise<number>;
  store: ChoiceStore;
  now(): number;
}

/** Options of one measurement. */
export interface TuningOptions {
  /** timed inferences per backend after the first (default 3) */
  runs?: number;
  /** 0..1 while it measures */
  onProgress?: (fraction: number) => void;
}

/** Copies measured numbers onto the matching backend reports. */
export function withTimings(
  reports: BackendReport[],
  timings: readonly BackendTiming[],
  measuredAt?: number,
): BackendReport[] {
  return reports.map((r) => {
    const t = timings.find((x) => x.backend === r.backend);
    if (!t) return r;
    const next: BackendReport = { ...r, firstMs: t.firstMs, steadyMs: t.steadyMs, runs: t.runs };
    if (measuredAt !== undefined) next.measuredAt = measuredAt;
    return next;
  });
}

/**
 * Measures every candidate with the real model and leaves the fastest current. `selected` is the
 * backend already current, whose first inference (`firstMs`, the warm-up) is already done. With
 * a single candidate nothing is compared and nothing extra runs. Returns the winner, the timings
 * and the updated reports.
 */
export async function tuneBackend(
  selected: BackendName,
  firstMs: number,
  pending: PendingTuning,
  reports: BackendReport[],
  deps: TuningDeps,
  options: TuningOptions = {},
): Promise<{ backend: BackendName; timings: BackendTiming[]; reports: BackendReport[] }> {
  const runs = Math.max(1, options.runs ?? 3);
  const candidates = pending.candidates.includes(selected)
    ? pending.candidates
    : [selected, ...pending.candidates];
  if (candidates.length <= 1) {
    const timings = [{ backend: selected, firstMs, steadyMs: firstMs, runs: 0 }];
    return { backend: selected, timings, reports: withTimings(reports, timings) };
  }
  // The selected backend first (it is current and warm), then the others in order.
  const order = [selected, ...candidates.filter((b) => b !== selected)];
  const timings: BackendTiming[] = [];
  const problems = new Map<BackendName, string>();
  let current = selected;
  const steps = order.length * (runs + 1);
  let done = 0;
  const tick = (): void => options.onProgress?.(Math.min(1, ++done / steps));
  for (const backend of order) {
    let first = firstMs;
    if (backend !== selected) {
      const problem = await deps.use(backend);
      if (problem) {
        problems.set(backend, problem);
        done += runs + 1;
        continue;
      }
      current = backend;
      try {
        first = await deps.infer();
      } catch (error) {
        problems.set(backend, messageOf(error));
        done += runs + 1;
        continue;
      }
    }
    tick();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push(await deps.infer());
      tick();
    }
    timings.push({ backend, firstMs: first, steadyMs: median(times), runs });
  }
  const winner = fastestBackend(timings) ?? selected;
  if (current !== winner) {
    const problem = await deps.use(winner);
    if (problem) throw new Error(`switching back to ${winner} failed: ${problem}`);
    // Weights follow the model to the backend on first use: do that now, not on a photo.
    await deps.infer();
  }
  const measuredAt = deps.now();
  if (pending.key !== null) {
    const remembered: RememberedChoice = { backend: winner, timings, measuredAt };
    await deps.store.put(pending.key, remembered);
  }
  const updated = withTimings(reports, timings, measuredAt).map((r) => {
    const problem = problems.get(r.backend);
    const next: BackendReport = { ...r, ok: r.backend === winner };
    if (order.includes(r.backend)) next.tried = true;
    if (problem) next.detail = `${r.detail}; ${problem}`;
    return next;
  });
  return { backend: winner, timings, reports: updated };
}

/**
 * The WASM report whose thread count is still to be settled: measured while tuning, but not
 * prepared as the first backend selected (decided by the typed field, not the report's text).
 */
export function wasmToSettle(reports: BackendReport[]): BackendReport | undefined {
  const wasm = reports.find((r) => r.backend === 'wasm');
  return wasm?.steadyMs !== undefined && wasm.threadsSettled !== true ? wasm : undefined;
}
