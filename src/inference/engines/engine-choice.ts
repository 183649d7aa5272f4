/**
 * Which engine classifies photos, decided by measurement the way backends are: after the model is
 * loaded and warm on its backend, LiteRT.js is started on the same weights, must reproduce
 * TensorFlow.js' answer on a known input within {@link ENGINE_TOLERANCE}, and then both run a few
 * timed inferences in alternation; LiteRT.js is kept only when clearly faster. The outcome is
 * remembered per device, backend and model. Any failure (LiteRT.js does not start, refuses an
 * operator, computes something else) leaves TensorFlow.js in charge, with the reason reported.
 * The effects are injected, so the sequence is unit-tested with fakes.
 */
import { messageOf } from '../../lib/message-of';
import { median } from '../backends/backend-choice';
import type { EngineChoice, EngineName, EngineReport } from './protocol';

/** What one inference of the model returns: the class probabilities and its pooled features. */
export interface EngineOutput {
  probs: Float32Array;
  /** null when the model has no pooled layer (or the engine does not compute it) */
  features: Float32Array | null;
}

/** An engine other than TensorFlow.js that runs the model on ready inputs ([1, size, size, 3]). */
export interface PhotoEngine {
  readonly name: Exclude<EngineName, 'tfjs'>;
  /** e.g. "LiteRT.js 2.5.3, XNNPACK, 2 threads" */
  readonly detail: string;
  readonly threads: number;
  /**
   * Where its start went, in ms (for `ReadyInfo.startup`): its runtime ready after its worker
   * was made, and the model's compile after that and the file were both at hand
   */
  readonly started?: { runtimeMs: number; compileMs: number };
  /** Runs one input; done with `input` when it returns (the caller may fill it again). */
  run(input: Float32Array): Promise<EngineOutput>;
  /** frees the engine (its worker, its copy of the weights) */
  dispose(): void;
}

/** Largest allowed |p_engine − p_tfjs| on the known-answer input. */
export const ENGINE_TOLERANCE = 1e-4;

/** LiteRT.js must be at least this much faster (median ratio) to replace TensorFlow.js. */
export const ENGINE_MARGIN = 0.97;

/** How long a remembered choice holds (browsers and engines update). */
export const ENGINE_CHOICE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** A measured choice, as remembered. */
export interface RememberedEngine {
  engine: EngineName;
  tfjsMs: number;
  litertMs: number;
  measuredAt: number;
}

/** Where measured choices are kept (IndexedDB in the worker, memory in tests). */
export interface EngineStore {
  get(key: string): Promise<RememberedEngine | null>;
  put(key: string, value: RememberedEngine): Promise<void>;
}

/** The effects a choice needs. */
export interface EngineChoiceDeps {
  /** converts the model and starts LiteRT.js on it */
  start(): Promise<PhotoEngine>;
  /** one TensorFlow.js inference of the same model on `input` */
  tfjs(input: Float32Array): Promise<EngineOutput>;
  /** the known-answer input, in the model's input range */
  input: Float32Array;
  store: EngineStore;
  /** a monotonic clock (ms) for timing */
  now(): number;
  /** wall-clock ms, for `measuredAt` */
  date(): number;
  /**
   * Waits before each timed run, so the other engine's WebAssembly threads have gone idle: both
   * pools share the same cores, and a pool still spinning after its run slows the next engine's.
   */
  settle?(): Promise<void>;
  /**
   * Runs one step that uses the worker's models (the check, each timed run) when it is its turn:
   * a choice made after the first photos lets queued photos go first (default: at once).
   */
  turn?: <T>(step: () => Promise<T>) => Promise<T>;
}

/** Options of {@link chooseEngine}. */
export interface EngineChoiceOptions {
  /** where the outcome is remembered (null: not remembered, e.g. while testing fallbacks) */
  key: string | null;
  /** ignore a remembered outcome and measure again */
  remeasure?: boolean;
  /** timed inferences per engine (default 3) */
  runs?: number;
  onProgress?: (fraction: number) => void;
}

/** The engine photos should run on, with the report the page shows. */
export interface EngineDecision {
  /** null: TensorFlow.js */
  engine: PhotoEngine | null;
  report: EngineReport;
}

/** Largest absolute difference of two equally long vectors (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!(d <= diff)) diff = d; // NaN counts as a mismatch
  }
  return diff;
}

/**
 * How far `got` is from `want` (TensorFlow.js' answer): the largest probability difference, and
 * the features' relative to their scale (they are not probabilities); Infinity when `got` lacks
 * features `want` has. The engine check passes at most {@link ENGINE_TOLERANCE}.
 */
export function outputDiff(want: EngineOutput, got: EngineOutput): number {
  let diff = maxAbsDiff(want.probs, got.probs);
  if (want.features && got.features) {
    const scale = Math.max(1, ...Array.from(want.features, Math.abs));
    diff = Math.max(diff, maxAbsDiff(want.features, got.features) / scale);
  } else if (want.features && !got.features) {
    diff = Infinity;
  }
  return diff;
}

/** The faster engine by median ms: LiteRT.js only when below {@link ENGINE_MARGIN} × TF.js. */
export function fasterEngine(tfjsMs: number, litertMs: number): EngineName {
  return Number.isFinite(litertMs) && litertMs > 0 && litertMs <= tfjsMs * ENGINE_MARGIN
    ? 'litert'
    : 'tfjs';
}

/** Whether a remembered outcome may be used now (pure). */
export function rememberedEngineValid(
  remembered: RememberedEngine | null,
  now: number,
  maxAgeMs = ENGINE_CHOICE_MAX_AGE_MS,
): remembered is RememberedEngine {
  return (
    remembered !== null &&
    (remembered.engine === 'tfjs' || remembered.engine === 'litert') &&
    now - remembered.measuredAt >= 0 &&
    now - remembered.measuredAt <= maxAgeMs
  );
}

/** The order of timed runs: T = TensorFlow.js, L = LiteRT.js (TLLTTL…, drift hits both alike). */
export function engineSchedule(runs: number): EngineName[] {
  const out: EngineName[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) out.push('tfjs', 'litert');
    else out.push('litert', 'tfjs');
  }
  return out;
}

const ms = (v: number): string => `${Math.round(v)} ms`;

/**
 * Decides the photo engine (see the file comment). `choice` 'tfjs' tries nothing; 'litert' skips
 * the timing but not the known-answer check (a wrong engine is never used, even when forced).
 */
export async function chooseEngine(
  choice: EngineChoice,
  deps: EngineChoiceDeps,
  options: EngineChoiceOptions,
): Promise<EngineDecision> {
  const tfjsOnly = (detail: string, extra: Partial<EngineReport> = {}): EngineDecision => ({
    engine: null,
    report: { engine: 'tfjs', detail, ...extra },
  });
  if (choice === 'tfjs') return tfjsOnly('TensorFlow.js, as asked (engine=tfjs)');

  let remembered: RememberedEngine | null = null;
  if (choice === 'auto' && options.key !== null && !options.remeasure) {
    const stored = await deps.store.get(options.key).catch(() => null);
    if (rememberedEngineValid(stored, deps.date())) remembered = stored;
  }
  if (remembered?.engine === 'tfjs') {
    return tfjsOnly(
      `TensorFlow.js: measured faster here earlier (${ms(remembered.tfjsMs)} against LiteRT.js' ${ms(remembered.litertMs)})`,
      { tfjsMs: remembered.tfjsMs, litertMs: remembered.litertMs },
    );
  }
  const turn = deps.turn ?? (<T>(step: () => Promise<T>): Promise<T> => step());
  const runs = Math.max(1, options.runs ?? 3);
  const steps = 2 + (remembered || choice === 'litert' ? 0 : 2 * runs);
  let done = 0;
  const tick = (): void => options.onProgress?.(Math.min(1, ++done / steps));

  let engine: PhotoEngine;
  try {
    engine = await deps.start();
  } catch (error) {
    return tfjsOnly(`TensorFlow.js: LiteRT.js could not start (${messageOf(error)})`);
  }
  tick();
  let diff: number;
  try {
    const [want, got] = await turn(async () => {
      const tfjs = await deps.tfjs(deps.input);
      return [tfjs, await engine.run(deps.input)] as const;
    });
    diff = outputDiff(want, got);
  } catch (error) {
    engine.dispose();
    return tfjsOnly(`TensorFlow.js: LiteRT.js failed its check (${messageOf(error)})`);
  }
  tick();
  if (!(diff <= ENGINE_TOLERANCE)) {
    engine.dispose();
    return tfjsOnly(
      `TensorFlow.js: LiteRT.js computed a different answer (off by ${diff.toExponential(1)}, more than ${ENGINE_TOLERANCE})`,
      { maxAbsDiff: diff },
    );
  }
  const base = { maxAbsDiff: diff, litertThreads: engine.threads };
  if (choice === 'litert') {
    return {
      engine,
      report: { engine: 'litert', detail: `${engine.detail}, as asked (engine=litert)`, ...base },
    };
  }
  if (remembered) {
    return {
      engine,
      report: {
        engine: 'litert',
        detail: `${engine.detail}: measured faster here earlier (${ms(remembered.litertMs)} against TensorFlow.js' ${ms(remembered.tfjsMs)})`,
        tfjsMs: remembered.tfjsMs,
        litertMs: remembered.litertMs,
        ...base,
      },
    };
  }

  const times: Record<EngineName, number[]> = { tfjs: [], litert: [] };
  try {
    for (const name of engineSchedule(runs)) {
      times[name].push(
        await turn(async () => {
          await deps.settle?.();
          const start = deps.now();
          await (name === 'tfjs' ? deps.tfjs(deps.input) : engine.run(deps.input));
          return deps.now() - start;
        }),
      );
      tick();
    }
  } catch (error) {
    engine.dispose();
    return tfjsOnly(`TensorFlow.js: LiteRT.js failed while measured (${messageOf(error)})`, base);
  }
  const tfjsMs = median(times.tfjs);
  const litertMs = median(times.litert);
  const winner = fasterEngine(tfjsMs, litertMs);
  if (options.key !== null) {
    await deps.store
      .put(options.key, { engine: winner, tfjsMs, litertMs, measuredAt: deps.date() })
      .catch(() => undefined);
  }
  const measured = { tfjsMs, litertMs, ...base };
  if (winner === 'tfjs') {
    engine.dispose();
    return tfjsOnly(
      `TensorFlow.js: measured ${ms(tfjsMs)} a photo against LiteRT.js' ${ms(litertMs)}`,
      measured,
    );
  }
  return {
    engine,
    report: {
      engine: 'litert',
      detail: `${engine.detail}: measured ${ms(litertMs)} a photo against TensorFlow.js' ${ms(tfjsMs)}`,
      ...measured,
    },
  };
}
