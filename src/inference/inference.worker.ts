/// <reference lib="webworker" />
/** Thin worker entry: wires messages to the InferenceService and fills its handler registry. */
import { watchBackendLoss } from './backends/backend-loss';
import { diagnosticsHandlers } from './backends/diagnostics';
import { selectBackend, tuneSelectedBackend } from './backends/select-backend';
import { fetchModelArtifacts, loadClassifier } from './classify/load-model';
import { modelSource } from './classify/model-source';
import { createCompareHandlers } from './compare/handlers';
import { keptEngineUsable, startKeptEngine } from './engines/kept-engine';
import { selectEngine } from './engines/select-engine';
import { inspectHandlers } from './inspect/handlers';
import {
  browserH5Writer,
  createKerasExportHandlers,
  type TrainedModel,
} from './keras-export/handlers';
import { createLibraryHandlers, type LibraryDeps } from './library/handlers';
import { browserLibraryDeps } from './library/worker-deps';
import { createPhotosHandlers, PHOTOS_WITHOUT_TURN } from './photos/handlers';
import type { WorkerRequest, WorkerResponse } from './protocol';
import type { HandlerRegistry } from './seam/handlers';
import { InferenceService } from './seam/service';
import { browserTrainDeps, createTrainHandlers, type TrainSessionDeps } from './train/session';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// Made on first use: nothing opens IndexedDB until a library or Teach request needs it.
let libraryDeps: LibraryDeps | null = null;
let trainDeps: TrainSessionDeps | null = null;
/** Teach's last trained model while unsaved (the Keras export reads it). */
let lastTrained: TrainedModel | null = null;

/** Every request but load and classify; the type makes a missing handler a compile error. */
const handlers: HandlerRegistry = {
  ...diagnosticsHandlers,
  ...inspectHandlers,
  ...createCompareHandlers({
    load: (entry) => loadClassifier(entry, () => undefined),
    now: () => performance.now(),
  }),
  ...createLibraryHandlers(() => (libraryDeps ??= browserLibraryDeps())),
  ...createPhotosHandlers(),
  ...createTrainHandlers(
    () =>
      (trainDeps ??= {
        ...browserTrainDeps((libraryDeps ??= browserLibraryDeps()).store),
        onTrained: (trained) => (lastTrained = trained),
      }),
  ),
  ...createKerasExportHandlers(() => ({
    trained: () => lastTrained,
    library: () => (libraryDeps ??= browserLibraryDeps()),
    writer: browserH5Writer,
  })),
};

const service = new InferenceService({
  handlers,
  withoutTurn: PHOTOS_WITHOUT_TURN,
  post: (message: WorkerResponse, transfer: Transferable[] = []) =>
    scope.postMessage(message, transfer),
  selectBackend,
  tuneBackend: tuneSelectedBackend,
  watchBackend: watchBackendLoss,
  loadClassifier,
  selectEngine,
  engineLater: true,
  prefetchModel: (entry, onProgress, signal, tuning = {}, clock) =>
    fetchModelArtifacts(entry, onProgress, signal, tuning, clock, (identity) =>
      keptEngineUsable(entry, identity, tuning),
    ),
  startKept: (entry, prefetched, tuning, clock) =>
    startKeptEngine(
      entry,
      prefetched,
      tuning,
      (files) => loadClassifier(entry, () => undefined, tuning, undefined, Promise.resolve(files)),
      clock,
    ),
  modelSource,
  now: () => performance.now(),
});

scope.onmessage = (event: MessageEvent<WorkerRequest>) => service.handle(event.data);
