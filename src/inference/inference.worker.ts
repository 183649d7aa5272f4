/// <reference lib="webworker" />
/** Thin worker entry: wires messages to the InferenceService; all logic lives in the handlers. */
import { watchBackendLoss } from './backend-loss';
import { selectBackend, tuneSelectedBackend } from './backends';
import { diagnosticsFeatures } from './diagnostics';
import { inspectFeatures } from './inspect-handlers';
import { fetchModelArtifacts, loadClassifier } from './load-model';
import { modelLibraryFeatures } from './model-import-worker';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { InferenceService } from './service';
import { trainFeatures } from './train-worker';

const scope = self as unknown as DedicatedWorkerGlobalScope;

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
