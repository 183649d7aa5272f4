/// <reference lib="webworker" />
/** Thin worker entry: wires messages to the InferenceService; all logic lives in the handlers. */
import { selectBackend } from './backends';
import { loadClassifier } from './load-model';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { InferenceService } from './service';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const service = new InferenceService({
  post: (message: WorkerResponse) => scope.postMessage(message),
  selectBackend,
  loadClassifier,
  now: () => performance.now(),
});

scope.onmessage = (event: MessageEvent<WorkerRequest>) => service.handle(event.data);
