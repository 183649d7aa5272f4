/**
 * The `load` request: choose a backend while the model downloads, build and warm the model, let
 * 'auto' settle on the fastest backend, then make it the active model. The previous model stays
 * active until its successor works, unless its backend is gone.
 */
import { messageOf } from '../../lib/message-of';
import type { ModelEntry } from '../../models/registry';
import type {
  BackendChoice,
  BackendName,
  BackendReport,
  EngineReport,
  LoadProgress,
  LoadTuning,
  ModelSource,
  ReadyInfo,
  RequestOf,
} from '../protocol';
import { RequestError } from '../seam/handlers';
import type { ActiveModel } from './active-model';
import type { Classifier } from './classifier';
import { StartupClock, type PreparedModel } from './inference-model';

/** Downloads and builds a classifier (see `load-model.ts`). */
export type LoadClassifier = (
  entry: ModelEntry,
  onProgress: (fraction: number, note?: string) => void,
  tuning?: LoadTuning,
  /** stops a download */
  signal?: AbortSignal,
  /** the model's files, fetched meanwhile by `prefetchModel` */
  prefetched?: Promise<PreparedModel | null>,
  /** marks the load's steps (`ReadyInfo.startup`) */
  clock?: StartupClock,
  /** leave keeping the folded copy to the caller (`Classifier.keepFoldedCopy`) */
  copyLater?: boolean,
) => Promise<Classifier>;

/** What a load needs from the outside world. */
export interface LoadDeps {
  selectBackend(
    choice: BackendChoice,
    avoid?: readonly BackendName[],
    /** the model about to load, and its performance options */
    options?: { modelId?: string; tuning?: LoadTuning },
  ): Promise<{
    backend: BackendName;
    reports: BackendReport[];
    /**
     * set when 'auto' may still be settled by measuring the loaded model on these backends
     * (`tuneBackend`; with the selected one alone, nothing is measured)
     */
    tuning?: { candidates: readonly BackendName[] } | null;
  }>;
  /**
   * Settles an 'auto' selection once the model is warm, by measuring it on the candidate
   * backends; leaves the winner current (optional).
   */
  tuneBackend?(
    classifier: Classifier,
    selected: { backend: BackendName; reports: BackendReport[] },
    warmupMs: number,
    onProgress: (fraction: number) => void,
  ): Promise<{ backend: BackendName; reports: BackendReport[] }>;
  loadClassifier: LoadClassifier;
  /**
   * A return visit's fast start (engines/kept-engine.ts): photos on LiteRT.js from the `.tflite`
   * an earlier visit kept, TensorFlow.js' model built on first need. Resolves null (the usual
   * load follows) unless step 1 answered 'kept' and the kept engine starts and checks (optional).
   */
  startKept?(
    entry: ModelEntry,
    prefetched: Promise<PreparedModel | null>,
    tuning: LoadTuning,
    clock: StartupClock,
  ): Promise<Classifier | null>;
  /** Where the model's bytes will come from (optional; said with every progress update). */
  modelSource?(entry: ModelEntry): Promise<ModelSource>;
  /**
   * Picks the engine photos run on once the backend is settled (engines/select-engine.ts;
   * optional: without it, TensorFlow.js). Never fails a load: a failure means TensorFlow.js.
   */
  selectEngine?(
    classifier: Classifier,
    backend: BackendName,
    tuning: LoadTuning,
    onProgress?: (fraction: number) => void,
    /** runs each step that needs the worker's models when photos leave it free (see the service) */
    turn?: <T>(step: () => Promise<T>) => Promise<T>,
    /** false once the classifier is no longer the active one: nothing is installed */
    stillWanted?: () => boolean,
  ): Promise<EngineReport | undefined>;
  /**
   * Choose the photo engine after the load, in idle time (the service does it), when the choice
   * would measure (automatic, on WebAssembly); the load then answers on TensorFlow.js with a
   * pending report. Without it the choice is part of the load.
   */
  engineLater?: boolean;
  /**
   * Starts downloading a model's files before a backend is ready (optional): the download and
   * the backend's start-up then overlap. Resolves null when there is nothing to fetch.
   */
  prefetchModel?(
    entry: ModelEntry,
    onProgress: (fraction: number, note?: string) => void,
    signal: AbortSignal,
    tuning?: LoadTuning,
    clock?: StartupClock,
  ): Promise<PreparedModel | null>;
}

/** The report a load gives while the engine is chosen after it (see `LoadDeps.engineLater`). */
export const PENDING_ENGINE: EngineReport = {
  engine: 'tfjs',
  detail: 'TensorFlow.js for now: LiteRT.js is tried once the first photos are answered',
  pending: true,
};

/**
 * Whether the engine choice waits until after the first photos: only an automatic choice on
 * WebAssembly measures anything (a forced LiteRT.js starts with the load, as asked; elsewhere
 * photos stay on TensorFlow.js, engines/select-engine.ts).
 */
export function deferEngine(tuning: LoadTuning, backend: BackendName): boolean {
  return (tuning.engine ?? 'auto') === 'auto' && backend === 'wasm';
}

/** Runs one load (see the file comment); a failure carries its backend reports. */
export async function runLoad(
  deps: LoadDeps,
  active: ActiveModel,
  request: RequestOf<'load'>,
  progress: (update: LoadProgress) => void,
): Promise<ReadyInfo> {
  const { model: entry, backend: choice, avoid = [], tuning = {} } = request;
  // Known before the first progress, so the page never says "Downloading" for a stored model.
  const source = deps.modelSource
    ? await deps.modelSource(entry).catch((): ModelSource => 'network')
    : undefined;
  const report = (
    stage: LoadProgress['stage'],
    fraction: number,
    backend?: BackendName,
    note?: string,
  ): void => {
    const update: LoadProgress = { stage, fraction };
    if (backend) update.backend = backend;
    if (note) update.note = note;
    if (source) update.source = source;
    progress(update);
  };
  let reports: BackendReport[] | undefined;
  const clock = new StartupClock();
  // The download needs no backend, so it starts now and overlaps the backend's start-up.
  const stopDownload = new AbortController();
  let shownBackend: BackendName | undefined;
  let fetched = 0;
  const prefetched = deps.prefetchModel?.(
    entry,
    (fraction, note) => {
      fetched = fraction;
      report('download', fraction, shownBackend, note);
    },
    stopDownload.signal,
    tuning,
    clock,
  );
  prefetched?.catch(() => undefined); // reported by loadClassifier, or moot if the backend fails
  // A return visit's kept engine needs no backend either: it starts beside the backend too.
  const keptStart =
    deps.startKept && prefetched && (tuning.engine ?? 'auto') !== 'tfjs'
      ? deps.startKept(entry, prefetched, tuning, clock).catch((error: unknown) => {
          console.warn('the kept engine did not start; loading as usual:', error);
          return null;
        })
      : null;
  try {
    report('backend', 0);
    const selected = await deps.selectBackend(choice, avoid, {
      modelId: `${entry.id} ${entry.url}`,
      tuning,
    });
    reports = selected.reports;
    clock.mark(`backend ${selected.backend}`);
    // The previous model stays active until its successor works, unless its backend is gone.
    if (active.useBackend(selected.backend)) active.replace(null);
    shownBackend = selected.backend;
    report('download', fetched, selected.backend);
    // A kept LiteRT.js is used only on WebAssembly settled without measuring (a measurement
    // times TensorFlow.js' model); started on another backend, it is let go.
    let kept = keptStart ? await keptStart : null;
    const measuring = (selected.tuning?.candidates ?? []).some((b) => b !== selected.backend);
    if (kept && (selected.backend !== 'wasm' || measuring)) {
      kept.dispose();
      kept = null;
    }
    const classifier =
      kept ??
      (await deps.loadClassifier(
        entry,
        (f, note) => report('download', f, selected.backend, note),
        tuning,
        undefined,
        prefetched,
        clock,
        true,
      ));
    report('warming', 0, selected.backend);
    let warmupMs: number;
    let settled = { backend: selected.backend, reports: selected.reports };
    try {
      // Priming on a small input will do unless the warm-up is timed against other backends.
      warmupMs = await classifier.warmUp({ prime: !measuring });
      clock.mark('warm-up');
      // Auto: measure the warm model on the other candidate backends; the fastest stays.
      if (deps.tuneBackend) {
        settled = await deps.tuneBackend(classifier, selected, warmupMs, (f) =>
          report('warming', f, selected.backend),
        );
      }
    } catch (error) {
      classifier.dispose();
      throw error;
    }
    let engine: EngineReport | undefined;
    if (classifier.engineReport) {
      engine = classifier.engineReport; // the load started it (a kept engine)
    } else if (deps.selectEngine && deps.engineLater && deferEngine(tuning, settled.backend)) {
      engine = PENDING_ENGINE;
    } else if (deps.selectEngine) {
      engine = await deps
        .selectEngine(classifier, settled.backend, tuning, (f) =>
          report('warming', f, settled.backend),
        )
        .catch((error: unknown) => ({
          engine: 'tfjs' as const,
          detail: `TensorFlow.js: choosing the engine failed (${messageOf(error)})`,
        }));
    }
    reports = settled.reports;
    active.useBackend(settled.backend);
    active.replace(classifier);
    if (deps.tuneBackend) clock.mark('backend settled');
    return {
      backend: settled.backend,
      model: classifier.info,
      backends: settled.reports,
      warmupMs,
      startup: clock.steps,
      ...(engine ? { engine } : {}),
    };
  } catch (error) {
    stopDownload.abort();
    void keptStart?.then((c) => {
      if (c && c !== active.classifier) c.dispose();
    });
    const found = (error as { reports?: BackendReport[] } | null)?.reports ?? reports;
    const { classifier, backend } = active;
    throw new RequestError(
      error instanceof RequestError ? error.code : undefined,
      messageOf(error),
      {
        ...(found ? { backends: found } : {}),
        ...(classifier && backend ? { kept: { model: classifier.info, backend } } : {}),
      },
    );
  }
}
