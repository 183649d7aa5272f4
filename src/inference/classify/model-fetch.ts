/** Fetching a model's files: retries, HTTP errors as numbers, and load errors a user can act on. */
import { messageOf } from '../../lib/message-of';
import type { ModelEntry } from '../../models/registry';
import { RequestError } from '../seam/handlers';
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
export async function fetchModelFile(
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
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
export function withSignal(
  fetchFunc: typeof fetchModelFile,
  signal?: AbortSignal,
): typeof fetchModelFile {
  return signal ? (input, init) => fetchFunc(input, { ...init, signal }) : fetchFunc;
}
