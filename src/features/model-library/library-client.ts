/** The page's calls to the worker's model library (import, list, delete), typed. */
import type { InferenceClient } from '../../inference/client';
import type {
  ImportSource,
  ImportStage,
  ModelLibraryResponse,
  StoredModel,
  WorkerResponse,
} from '../../inference/protocol';
import type { WeightPrecision } from '../../models/weight-precision';

/** Where an import is. */
export interface ImportProgress {
  stage: ImportStage;
  /** 0..1, or null when the stage cannot tell */
  fraction: number | null;
  detail?: string;
}

type Imported = Extract<ModelLibraryResponse, { type: 'model-imported' }>;
type Listed = Extract<ModelLibraryResponse, { type: 'model-list' }>;

/** Imports a model into this browser's storage; resolves with it and the whole list. */
export async function importModel(
  client: InferenceClient,
  source: ImportSource,
  precision: WeightPrecision,
  options: { signal?: AbortSignal; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<{ model: StoredModel; models: StoredModel[] }> {
  const answer = await client.call<Imported>(
    (id) => ({ type: 'import-model', id, source, precision }),
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onUpdate: (message: WorkerResponse) => {
        if (message.type !== 'import-model-progress') return;
        const { stage, fraction, detail } = message;
        options.onProgress?.(
          detail === undefined ? { stage, fraction } : { stage, fraction, detail },
        );
      },
    },
  );
  return { model: answer.model, models: answer.models };
}

/** The models stored in this browser, newest first. */
export async function listModels(client: InferenceClient): Promise<StoredModel[]> {
  return (await client.call<Listed>((id) => ({ type: 'list-models', id }))).models;
}

/** Deletes a stored model; resolves with the list that remains. */
export async function deleteModel(client: InferenceClient, key: string): Promise<StoredModel[]> {
  return (await client.call<Listed>((id) => ({ type: 'delete-model', id, key }))).models;
}
