/** The page's calls to the worker's model library (import, list, delete), typed. */
import type { InferenceClient } from '../../inference/client';
import type { ImportProgress, ImportSource, StoredModel } from '../../inference/protocol';
import type { WeightPrecision } from '../../models/weight-precision';

export type { ImportProgress } from '../../inference/protocol';

/** Imports a model into this browser's storage; resolves with it and the whole list. */
export async function importModel(
  client: InferenceClient,
  source: ImportSource,
  precision: WeightPrecision,
  options: { signal?: AbortSignal; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<{ model: StoredModel; models: StoredModel[] }> {
  const { signal, onProgress } = options;
  return client.call(
    'library-import',
    { source, precision },
    { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
  );
}

/** The models stored in this browser, newest first. */
export async function listModels(client: InferenceClient): Promise<StoredModel[]> {
  return (await client.call('library-list', {})).models;
}

/** Deletes a stored model; resolves with the list that remains. */
export async function deleteModel(client: InferenceClient, key: string): Promise<StoredModel[]> {
  return (await client.call('library-delete', { key })).models;
}
