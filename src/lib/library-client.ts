/**
 * The page's one vocabulary for models kept in this browser (list, import, rename, delete,
 * export), shared by the Models and Teach views; "use" is the app's `selectModel(model.entry)`.
 */
import type { InferenceClient } from '../inference/client';
import type { ImportProgress, ImportSource, StoredModel } from '../inference/protocol';
import type { WeightPrecision } from '../models/weight-precision';

export type { ImportProgress, StoredModel } from '../inference/protocol';

/** Imports a Keras `.h5`, a tfjs folder or a URL; resolves with it and the whole list. */
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

/** Imports a model exported by {@link exportModel} (a `.tfjs.zip`) and stores it. */
export async function importPackage(client: InferenceClient, file: File): Promise<StoredModel> {
  const bytes = await file.arrayBuffer();
  const request = { bytes, fileName: file.name };
  return (await client.call('library-import-package', request, { transfer: [bytes] })).model;
}

/** The models stored in this browser, newest first. */
export async function listModels(client: InferenceClient): Promise<StoredModel[]> {
  return (await client.call('library-list', {})).models;
}

/** Renames a stored model (its record only); resolves with the renamed model. */
export async function renameModel(
  client: InferenceClient,
  key: string,
  name: string,
): Promise<StoredModel> {
  return (await client.call('library-rename', { key, name })).model;
}

/** Deletes a stored model; resolves with the list that remains. */
export async function deleteModel(client: InferenceClient, key: string): Promise<StoredModel[]> {
  return (await client.call('library-delete', { key })).models;
}

/** One file (a ZIP of model.json, weights.bin, metadata.json) for a stored model. */
export async function exportModel(
  client: InferenceClient,
  key: string,
): Promise<{ bytes: ArrayBuffer; fileName: string }> {
  return client.call('library-export', { key });
}

/** The class names a stored model answers with (empty when they come from elsewhere). */
export function classNamesOf(model: StoredModel): string[] {
  const { labels } = model.entry;
  return labels.kind === 'list' ? [...labels.labels] : [];
}
