/** Downloads a layers model named by a registry entry and wraps it as a classifier. */
import { messageOf } from '../../lib/message-of';
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { createClassifier, numClassesOf, type Classifier } from './classifier';
import { inferenceFormOf } from './fold-batch-norm';
import { metadataUrl, resolveLabels } from './labels';
import type { LoadTuning } from '../protocol';
import { RequestError } from '../seam/handlers';
// Also registers the Keras layers tfjs lacks (Rescaling, Normalization, …), which zoo model.json files use.
import { zooEntry } from '../../models/zoo/zoo';
import { isStoredModelGone, modelGoneMessage } from '../library/store';

/** A model file's server answered with a status other than 2xx. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    /** the HTTP status, e.g. 404 */
    readonly status: number,
    url: string,
  ) {
    super(`Request to ${url} failed with status code ${status}`);
  }
}

/** A model file's address answered with a web page (status 200, text/html) instead. */
export class NotAModelError extends Error {
  override readonly name = 'NotAModelError';
  constructor(url: string) {
    super(`${url} served a web page instead of a model file`);
  }
}

/** A loader error as the page sees it: explained, and coded when the page can act on it. */
export function loadFailure(entry: ModelEntry, error: unknown): Error {
  const message = explainLoadError(entry, error);
  if (isStoredGone(entry, error)) return new RequestError('model-deleted', message);
  if (isModelMissing(error)) return new RequestError('model-missing', message);
  return new Error(message, { cause: error });
}

/** True when the server has no model at the address: a 404, or a web page in its place. */
function isModelMissing(error: unknown): boolean {
  return (
    (error instanceof HttpStatusError && error.status === 404) || error instanceof NotAModelError
  );
}

/** True when `entry` is a stored model and TensorFlow.js found nothing under its URL. */
function isStoredGone(entry: ModelEntry, error: unknown): boolean {
  return entry.url.startsWith('indexeddb://') && isStoredModelGone(error);
}

/** Turns TensorFlow.js' loader errors into sentences a user can act on. */
export function explainLoadError(entry: ModelEntry, error: unknown): string {
  const raw = messageOf(error);
  if (isStoredGone(entry, error)) return modelGoneMessage(entry.name);
  const hint = entry.missingHint ? ` ${entry.missingHint}` : '';
  if (error instanceof HttpStatusError && error.status === 404) {
    return `The model was not found at ${entry.url} (HTTP 404).${hint}`;
  }
  if (error instanceof NotAModelError) {
    return `The model was not found at ${entry.url} (the server answered with a web page).${hint}`;
  }
  if (error instanceof HttpStatusError) {
    return `The server refused the model at ${entry.url} (HTTP ${error.status}).${hint}`;
  }
  // What is left comes from the browser or TensorFlow.js, which say it only in English.
  if (/failed to fetch|networkerror|load failed|network/i.test(raw)) {
    return `The model could not be downloaded from ${entry.url}: the network is unreachable.${hint}`;
  }
  if (/parse model json|json/i.test(raw) && /parse|unexpected token/i.test(raw)) {
    return `The file at ${entry.url} is not a valid model.json.`;
  }
  return `The model at ${entry.url} could not be loaded: ${raw}`;
}

/** The address a fetch() call asks for, as text. */
function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * fetch() for the model files that treats an HTML answer as "missing": single-page hosts (and
 * `vite preview`) answer unknown paths with index.html and status 200.
 */
async function fetchModelFile(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.ok && (response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new NotAModelError(urlOf(input));
  }
  return response;
}

/**
 * `fetchFunc` that turns a non-2xx answer into an {@link HttpStatusError}, so the status reaches
 * {@link loadFailure} as a number (TensorFlow.js would only put it in an English sentence).
 */
export function requireOk(fetchFunc: typeof fetchModelFile): typeof fetchModelFile {
  return async (input, init) => {
    const response = await fetchFunc(input, init);
    if (!response.ok) throw new HttpStatusError(response.status, urlOf(input));
    return response;
  };
}

/** Attempts per model file: a dropped connection or a server hiccup is retried twice. */
const ATTEMPTS = 3;

/**
 * fetch() for model files that retries network failures and 5xx answers with a growing pause,
 * reporting each retry, so a flaky first download still completes.
 */
export function retryingFetch(
  onRetry: (note: string) => void,
  fetchOnce: typeof fetchModelFile = fetchModelFile,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): typeof fetchModelFile {
  return async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const response = await fetchOnce(input, init);
        if (response.status < 500 || attempt >= ATTEMPTS) return response;
        problem = `HTTP ${response.status}`;
      } catch (error) {
        const stopped = init?.signal?.aborted ?? false; // stopped on purpose: not a network fault
        if (attempt >= ATTEMPTS || stopped || error instanceof NotAModelError) throw error;
        problem = messageOf(error);
      }
      const url = urlOf(input);
      const file = url.split('/').pop() ?? url;
      onRetry(`Download of ${file} failed (${problem}); retrying (${attempt} of ${ATTEMPTS - 1})…`);
      await pause(400 * 3 ** (attempt - 1));
    }
  };
}

/** `fetchFunc` with `signal` added to every request (unchanged without one). */
function withSignal(fetchFunc: typeof fetchModelFile, signal?: AbortSignal): typeof fetchModelFile {
  return signal ? (input, init) => fetchFunc(input, { ...init, signal }) : fetchFunc;
}

async function readMetadata(modelUrl: string): Promise<unknown> {
  const response = await fetch(metadataUrl(modelUrl));
  if (!response.ok) return null;
  return (await response.json()) as unknown;
}

/** The HTTP loader for `entry`, with retries, progress and an optional stop. */
function httpHandler(
  entry: ModelEntry,
  onProgress: (fraction: number, note?: string) => void,
  signal?: AbortSignal,
): tf.io.IOHandler {
  let lastFraction = 0;
  return tf.io.http(entry.url, {
    onProgress: (fraction) => {
      lastFraction = fraction;
      onProgress(fraction);
    },
    fetchFunc: withSignal(
      requireOk(retryingFetch((note) => onProgress(lastFraction, note))),
      signal,
    ),
  });
}

/**
 * Downloads a model's files (model.json and its weights) without building anything, so it needs
 * no backend and can run while one starts. Null for a model kept in this browser (read when it is
 * built). Errors carry a message written for the user.
 */
export async function fetchModelArtifacts(
  entry: ModelEntry,
  onProgress: (fraction: number, note?: string) => void,
  signal?: AbortSignal,
): Promise<tf.io.ModelArtifacts | null> {
  if (entry.url.startsWith('indexeddb://') || entry.zoo?.randomWeights) return null;
  const handler = httpHandler(entry, onProgress, signal);
  try {
    if (!handler.load) throw new Error('this browser cannot download models');
    return await handler.load();
  } catch (error) {
    throw loadFailure(entry, error);
  }
}

/**
 * A zoo architecture with random weights (Keras' `weights=None`): nothing to download, so the
 * "download" is done at once.
 */
function buildRandom(name: string, onProgress: (fraction: number) => void): tf.LayersModel {
  const model = zooEntry(name).build();
  onProgress(1);
  return model;
}

/**
 * Loads `entry`'s model with download progress (0..1) and resolves its labels. Errors carry a
 * message written for the user.
 */
export async function loadClassifier(
  entry: ModelEntry,
  /** fraction downloaded, and a note when something needs saying (a retry) */
  onProgress: (fraction: number, note?: string) => void,
  /** performance options; by default batch norm is folded for inference */
  tuning: LoadTuning = {},
  /** stops the download (not a stored model's read, which is local and quick) */
  signal?: AbortSignal,
  /** its files, already on their way (see {@link fetchModelArtifacts}); null: load as usual */
  prefetched?: Promise<tf.io.ModelArtifacts | null>,
): Promise<Classifier> {
  const artifacts = prefetched ? await prefetched : null; // its errors are already explained
  let model: tf.LayersModel;
  try {
    // Models kept in this browser (the model library) load through tfjs' IndexedDB handler.
    model = entry.zoo?.randomWeights
      ? buildRandom(entry.zoo.name, onProgress)
      : artifacts
        ? await tf.loadLayersModel(tf.io.fromMemory(artifacts))
        : entry.url.startsWith('indexeddb://')
          ? await tf.loadLayersModel(entry.url, { onProgress: (f) => onProgress(f) })
          : await tf.loadLayersModel(httpHandler(entry, onProgress, signal));
  } catch (error) {
    throw loadFailure(entry, error);
  }
  try {
    const labels = await resolveLabels(entry, numClassesOf(model, entry), () =>
      readMetadata(entry.url),
    );
    const inferenceModel = await inferenceFormOf(model, tuning.foldBatchNorm ?? 'auto');
    return createClassifier(model, entry, labels, inferenceModel ? { inferenceModel } : {});
  } catch (error) {
    model.dispose();
    throw error;
  }
}
