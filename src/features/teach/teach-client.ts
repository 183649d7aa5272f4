/** The Teach view's calls to the worker, typed by the request map (see `inference/protocol.ts`). */
import type { InferenceClient } from '../../inference/client';
import { listModels } from '../../lib/library-client';
import {
  isTeachModel,
  type StoredModel,
  type TrainExamplePixels,
  type TrainExampleRef,
  type TrainPlan,
  type TrainProgress,
  type TrainReport,
  type TrainSettings,
} from '../../inference/protocol';

/** Hands example photos to the worker (their pixel buffers are transferred). */
export async function addExamples(
  client: InferenceClient,
  examples: TrainExamplePixels[],
): Promise<number> {
  const transfer = examples.map((e) => e.pixels);
  return (await client.call('train-add', { examples }, { transfer })).stored;
}

/** Forgets example photos in the worker (all of them with 'all'). */
export async function removeExamples(
  client: InferenceClient,
  ids: string[] | 'all',
): Promise<number> {
  return (await client.call('train-remove', { ids })).stored;
}

/** What a strategy means for the active model; `measure` adds a timed estimate. */
export async function planTraining(
  client: InferenceClient,
  settings: TrainSettings,
  examples: TrainExampleRef[],
  numClasses: number,
  measure: boolean,
  signal?: AbortSignal,
): Promise<TrainPlan> {
  const request = { settings, examples, numClasses, measure };
  return (await client.call('train-plan', request, signal ? { signal } : {})).plan;
}

/** Trains in the worker, reporting progress; aborting cancels it. */
export async function train(
  client: InferenceClient,
  request: { settings: TrainSettings; examples: TrainExampleRef[]; classNames: string[] },
  onProgress: (progress: TrainProgress) => void,
  signal: AbortSignal,
): Promise<TrainReport> {
  return (await client.call('train-start', request, { signal, onProgress })).report;
}

/** Stores the model just trained under `name`. */
export async function saveTrained(client: InferenceClient, name: string): Promise<StoredModel> {
  return (await client.call('train-save', { name })).model;
}

/** The custom models made in Teach (the library holds them with the imported ones). */
export async function listTeachModels(client: InferenceClient): Promise<StoredModel[]> {
  return (await listModels(client)).filter(isTeachModel);
}
