/// <reference lib="webworker" />
/** Thin worker entry: wires messages to the InferenceService; all logic lives in the handlers. */
import { watchBackendLoss } from './backends/backend-loss';
import { selectBackend, tuneSelectedBackend } from './backends/select-backend';
import { diagnosticsFeatures } from './backends/diagnostics';
import { inspectFeatures } from './inspect/handlers';
import { fetchModelArtifacts, loadClassifier } from './classify/load-model';
import { modelLibraryFeatures } from './library/open-h5-in-worker';
import { indexedDbModelStore } from './library/store';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { InferenceService } from './seam/service';
import { browserTrainDeps, createTrainFeatures, type TrainSessionDeps } from './train/session';

const scope = self as unknown as DedicatedWorkerGlobalScope;

let trainDeps: TrainSessionDeps | null = null;
/** Teach's handlers, one session per worker, over the model library's IndexedDB store. */
const trainFeatures = createTrainFeatures(
  () => (trainDeps ??= browserTrainDeps(indexedDbModelStore())),
);

const service = new InferenceService({
  features: {
    ...diagnosticsFeatures,
    ...inspectFeatures,
    ...modelLibraryFeatures,
    ...trainFeatures,
  },
  post: (message: WorkerResponse, transfer: Transferable[] = []) =>
    scope.postMessage(message, transfer),
  selectBackend,
  tuneBackend: tuneSelectedBackend,
  watchBackend: watchBackendLoss,
  loadClassifier,
  prefetchModel: fetchModelArtifacts,
  now: () => performance.now(),
});

scope.onmessage = (event: MessageEvent<WorkerRequest>) => service.handle(event.data);
