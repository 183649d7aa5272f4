/**
 * The model registry: every model the app knows is described by data, never by code paths.
 * The worker reads an entry to load, preprocess and label; the UI reads it to show names.
 */

/** Where an entry's class names come from. */
export type LabelSource =
  | { kind: 'imagenet' }
  | { kind: 'list'; labels: readonly string[] }
  /** `metadata.json` beside `model.json` when present, else ImageNet for 1000 outputs. */
  | { kind: 'auto' };

/** One classifier the app can load. */
export interface ModelEntry {
  id: string;
  name: string;
  /** URL of a TensorFlow.js layers `model.json`, absolute or relative to the page. */
  url: string;
  /** Square input size in pixels; `null` means "read it from the model's input shape". */
  inputSize: number | null;
  /** Pixel values 0..255 are mapped linearly onto this range before inference. */
  inputRange: readonly [number, number];
  labels: LabelSource;
  /** Index of the first real class in the output (1 for models with a "background" class). */
  labelOffset: number;
  /** Shown in the UI when the model cannot be loaded. */
  missingHint?: string;
  /** Set when the entry could not be made as asked (e.g. a malformed `?model=`); shown to the user. */
  loadError?: string;
}

/** Keras' InceptionV3(weights='imagenet'), converted by `npm run model:fetch`, served by our origin. */
export const INCEPTION_V3_IMAGENET: ModelEntry = {
  id: 'inception-v3',
  name: 'InceptionV3 (ImageNet)',
  url: 'models/inception-v3/model.json',
  inputSize: 299,
  inputRange: [-1, 1],
  labels: { kind: 'imagenet' },
  labelOffset: 0,
  missingHint:
    'The InceptionV3 weights are not on this server yet. Run `npm run model:fetch` where the ' +
    'network is reachable (or open a model of your own), then reload.',
};

/** All built-in entries; the first is the default. */
export const MODEL_REGISTRY: readonly ModelEntry[] = [INCEPTION_V3_IMAGENET];

/** Parses `range=lo,hi` (e.g. `0,1`); returns `null` for anything malformed. */
export function parseRange(text: string | null): [number, number] | null {
  if (!text) return null;
  const raw = text.split(',').map((p) => p.trim());
  if (raw.length !== 2 || raw.some((p) => p === '')) return null;
  const parts = raw.map(Number);
  const [lo, hi] = parts as [number, number];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) return null;
  return [lo, hi];
}

/**
 * The entry a page URL asks for: `?model=<url of a layers model.json>` (with optional
 * `&range=0,1`) builds an ad-hoc entry; otherwise the default registry entry.
 */
export function entryFromSearch(search: string, base: string): ModelEntry {
  const params = new URLSearchParams(search);
  const url = params.get('model');
  const fallback = MODEL_REGISTRY[0] ?? INCEPTION_V3_IMAGENET;
  // Absolute URLs: the worker would resolve relative ones against its own script.
  if (!url) return { ...fallback, url: new URL(fallback.url, base).href };
  let absolute: string;
  try {
    absolute = new URL(url, base).href;
  } catch {
    return {
      ...fallback,
      url: new URL(fallback.url, base).href,
      loadError: `“${url}” is not a valid model address.`,
    };
  }
  return {
    id: `url:${absolute}`,
    name: modelNameFromUrl(absolute),
    url: absolute,
    inputSize: null,
    inputRange: parseRange(params.get('range')) ?? [-1, 1],
    labels: { kind: 'auto' },
    labelOffset: 0,
  };
}

/** A readable name for a model known only by URL: its folder name. */
export function modelNameFromUrl(url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const file = parts.pop();
  const folder = file && /\.json$/i.test(file) ? parts.pop() : file;
  if (!folder) return url;
  try {
    return decodeURIComponent(folder);
  } catch {
    return folder; // a stray % in the name
  }
}
