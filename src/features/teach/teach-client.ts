/** The Teach view's calls to the worker, typed by the request map (see `inference/protocol.ts`). */
import type { InferenceClient } from '../../inference/client';
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

/**
 * A model made in Teach, as its "saved models" panel shows it: the library's stored model
 * (`key`, `entry`), with the fields the panel reads spelled out.
 */
export interface SavedModelInfo {
  key: string;
  /** what the app loads to use it (`selectModel(entry)`) */
  entry: StoredModel['entry'];
  /** `indexeddb://…`, the address the model loader understands */
  url: string;
  name: string;
  labels: string[];
  inputSize: number;
  inputRange: [number, number];
  params: number;
  /** bytes of weights */
  bytes: number;
  /** ISO date */
  savedAt: string;
}

/** The panel's view of a stored model. */
export function savedInfo(record: StoredModel): SavedModelInfo {
  const { entry } = record;
  return {
    key: record.key,
    entry,
    url: entry.url,
    name: entry.name,
    labels: entry.labels.kind === 'list' ? [...entry.labels.labels] : [],
    inputSize: entry.inputSize ?? 0,
    inputRange: [entry.inputRange[0], entry.inputRange[1]],
    params: record.params,
    bytes: record.bytes,
    savedAt: record.created,
  };
}

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
export async function saveTrained(client: InferenceClient, name: string): Promise<SavedModelInfo> {
  return savedInfo((await client.call('train-save', { name })).model);
}

/** The custom models made in Teach (the library holds them with the imported ones). */
export async function listSaved(client: InferenceClient): Promise<SavedModelInfo[]> {
  const { models } = await client.call('library-list', {});
  return models.filter(isTeachModel).map(savedInfo);
}

/** Renames a stored custom model. */
export async function renameSaved(
  client: InferenceClient,
  key: string,
  name: string,
): Promise<SavedModelInfo> {
  return savedInfo((await client.call('library-rename', { key, name })).model);
}

/** Deletes a stored custom model. */
export async function deleteSaved(client: InferenceClient, key: string): Promise<void> {
  await client.call('library-delete', { key });
}

/** One file (a ZIP of model.json, weights.bin, metadata.json) for a stored model. */
export async function exportSaved(
  client: InferenceClient,
  model: SavedModelInfo,
): Promise<{ bytes: ArrayBuffer; fileName: string }> {
  return client.call('library-export', { key: model.key });
}

/** Imports an exported model file and stores it. */
export async function importSaved(client: InferenceClient, file: File): Promise<SavedModelInfo> {
  const bytes = await file.arrayBuffer();
  const request = { bytes, fileName: file.name };
  return savedInfo(
    (await client.call('library-import-package', request, { transfer: [bytes] })).model,
  );
}
