/** The Teach view's calls to the worker, typed (see `inference/protocol.ts`). */
import type { InferenceClient } from '../../inference/client';
import type {
  SavedModelInfo,
  TrainExamplePixels,
  TrainExampleRef,
  TrainPlan,
  TrainProgress,
  TrainReport,
  TrainResponse,
  TrainSettings,
  WorkerResponse,
} from '../../inference/protocol';

type Answer<T extends TrainResponse['type']> = Extract<TrainResponse, { type: T }>;

/** Hands example photos to the worker (their pixel buffers are transferred). */
export async function addExamples(
  client: InferenceClient,
  examples: TrainExamplePixels[],
): Promise<number> {
  const answer = await client.call<Answer<'train-added'>>(
    (id) => ({ type: 'train-add', id, examples }),
    { transfer: examples.map((e) => e.pixels) },
  );
  return answer.stored;
}

/** Forgets example photos in the worker (all of them with 'all'). */
export async function removeExamples(
  client: InferenceClient,
  ids: string[] | 'all',
): Promise<number> {
  return (await client.call<Answer<'train-removed'>>((id) => ({ type: 'train-remove', id, ids })))
    .stored;
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
  const answer = await client.call<Answer<'train-plan-result'>>(
    (id) => ({ type: 'train-plan', id, settings, examples, numClasses, measure }),
    signal ? { signal } : {},
  );
  return answer.plan;
}

/** Trains in the worker, reporting progress; aborting cancels it. */
export async function train(
  client: InferenceClient,
  request: { settings: TrainSettings; examples: TrainExampleRef[]; classNames: string[] },
  onProgress: (progress: TrainProgress) => void,
  signal: AbortSignal,
): Promise<TrainReport> {
  const answer = await client.call<Answer<'train-result'>>(
    (id) => ({ type: 'train-start', id, ...request }),
    {
      signal,
      onUpdate: (message: WorkerResponse) => {
        if (message.type === 'train-progress') onProgress(message.progress);
      },
    },
  );
  return answer.report;
}

/** Stores the model just trained under `name`. */
export async function saveTrained(client: InferenceClient, name: string): Promise<SavedModelInfo> {
  return (await client.call<Answer<'train-saved'>>((id) => ({ type: 'train-save', id, name })))
    .model;
}

/** The custom models stored by Teach. */
export async function listSaved(client: InferenceClient): Promise<SavedModelInfo[]> {
  return (await client.call<Answer<'train-listed'>>((id) => ({ type: 'train-list', id }))).models;
}

/** Renames a stored custom model. */
export async function renameSaved(
  client: InferenceClient,
  url: string,
  name: string,
): Promise<SavedModelInfo> {
  return (
    await client.call<Answer<'train-renamed'>>((id) => ({ type: 'train-rename', id, url, name }))
  ).model;
}

/** Deletes a stored custom model. */
export async function deleteSaved(client: InferenceClient, url: string): Promise<void> {
  await client.call<Answer<'train-deleted'>>((id) => ({ type: 'train-delete', id, url }));
}

/** One file (a ZIP of model.json, weights.bin, metadata.json) for a stored model. */
export async function exportSaved(
  client: InferenceClient,
  model: SavedModelInfo,
): Promise<{ bytes: ArrayBuffer; fileName: string }> {
  const answer = await client.call<Answer<'train-exported'>>((id) => ({
    type: 'train-export',
    id,
    url: model.url,
    name: model.name,
  }));
  return { bytes: answer.bytes, fileName: answer.fileName };
}

/** Imports an exported model file and stores it. */
export async function importSaved(client: InferenceClient, file: File): Promise<SavedModelInfo> {
  const bytes = await file.arrayBuffer();
  const answer = await client.call<Answer<'train-imported'>>(
    (id) => ({ type: 'train-import', id, bytes, fileName: file.name }),
    { transfer: [bytes] },
  );
  return answer.model;
}
