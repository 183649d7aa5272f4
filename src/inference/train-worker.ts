/** The Teach handlers as the inference worker runs them: the model library's IndexedDB store. */
import { indexedDbModelStore } from './model-store';
import { browserTrainDeps, createTrainFeatures, type TrainSessionDeps } from './train-session';

let deps: TrainSessionDeps | null = null;

/** `train-*` requests for the worker's InferenceService (one session per worker). */
export const trainFeatures = createTrainFeatures(
  () => (deps ??= browserTrainDeps(indexedDbModelStore())),
);
