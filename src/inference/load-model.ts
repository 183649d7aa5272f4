/** Downloads a layers model named by a registry entry and wraps it as a classifier. */
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../models/registry';
import { createClassifier, numClassesOf, type Classifier } from './classifier';
import { metadataUrl, resolveLabels } from './labels';

/** Turns TensorFlow.js' loader errors into sentences a user can act on. */
export function explainLoadError(entry: ModelEntry, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const hint = entry.missingHint ? ` ${entry.missingHint}` : '';
  const status = /status code (\d{3})/.exec(raw)?.[1];
  if (status === '404') return `The model was not found at ${entry.url} (HTTP 404).${hint}`;
  if (raw.includes(NOT_A_MODEL)) {
    return `The model was not found at ${entry.url} (the server answered with a web page).${hint}`;
  }
  if (status) return `The server refused the model at ${entry.url} (HTTP ${status}).${hint}`;
  if (/failed to fetch|networkerror|load failed|network/i.test(raw)) {
    return `The model could not be downloaded from ${entry.url}: the network is unreachable.${hint}`;
  }
  if (/parse model json|json/i.test(raw) && /parse|unexpected token/i.test(raw)) {
    return `The file at ${entry.url} is not a valid model.json.`;
  }
  return `The model at ${entry.url} could not be loaded: ${raw}`;
}

const NOT_A_MODEL = 'served a web page';

/**
 * fetch() for the model files that treats an HTML answer as "missing": single-page hosts (and
 * `vite preview`) answer unknown paths with index.html and status 200.
 */
async function fetchModelFile(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.ok && (response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`${NOT_A_MODEL} instead of a model file`);
  }
  return response;
}

async function readMetadata(modelUrl: string): Promise<unknown> {
  const response = await fetch(metadataUrl(modelUrl));
  if (!response.ok) return null;
  return (await response.json()) as unknown;
}

/**
 * Loads `entry`'s model with download progress (0..1) and resolves its labels. Errors carry a
 * message written for the user.
 */
export async function loadClassifier(
  entry: ModelEntry,
  onProgress: (fraction: number) => void,
): Promise<Classifier> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.http(entry.url, { onProgress, fetchFunc: fetchModelFile }),
    );
  } catch (error) {
    throw new Error(explainLoadError(entry, error), { cause: error });
  }
  try {
    const labels = await resolveLabels(entry, numClassesOf(model, entry), () =>
      readMetadata(entry.url),
    );
    return createClassifier(model, entry, labels);
  } catch (error) {
    model.dispose();
    throw error;
  }
}
