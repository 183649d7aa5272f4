/**
 * The model registry: every model the app knows is described by data, never by code paths.
 * The worker reads an entry to load, preprocess and label; the UI reads it to show names.
 */
import {
  isZooModelName,
  ZOO_MODEL_NAMES,
  zooFacts,
  type PreprocessMode,
  type ZooModelName,
} from './zoo/catalog';

// The zoo's facts, for the page (which may import the registry but not models/zoo, whose
// builders load TensorFlow.js); catalog.ts itself imports no TensorFlow.js.
export {
  isZooModelName,
  ZOO_FACTS,
  ZOO_MODEL_NAMES,
  type PreprocessMode,
  type ZooFacts,
  type ZooModelName,
} from './zoo/catalog';

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
  /**
   * Keras' `preprocess_input` mode for the pixels (models/zoo/catalog.ts); when set it replaces
   * the linear `inputRange` mapping ('caffe' and 'torch' are not linear maps of one range).
   */
  preprocess?: PreprocessMode;
  /**
   * A Keras application of the zoo: which one, and whether it is built in the worker with random
   * weights (Keras' `weights=None`: nothing is downloaded) instead of loaded from `url`.
   */
  zoo?: { name: ZooModelName; randomWeights: boolean };
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

/** The pixel range a `preprocess_input` mode maps 0..255 onto, as far as one range says it. */
function rangeOf(mode: PreprocessMode): [number, number] {
  // 'caffe' and 'torch' are per-channel; `preprocess` carries them, the range is only shown.
  return mode === 'tf' ? [-1, 1] : mode === 'torch' ? [-2.1179, 2.64] : [0, 255];
}

/**
 * The entry of a zoo model: its ImageNet weights from `models/<name>/model.json` (InceptionV3's
 * are the built-in `models/inception-v3/`), or with `randomWeights` the architecture built in the
 * worker with random weights, downloading nothing.
 */
export function zooModelEntry(name: ZooModelName, randomWeights = false): ModelEntry {
  const facts = zooFacts(name);
  const builtin = name === 'inceptionv3' && !randomWeights;
  if (builtin) return { ...INCEPTION_V3_IMAGENET, zoo: { name, randomWeights } };
  return {
    id: randomWeights ? `zoo:${name}:random` : `zoo:${name}`,
    name: `${facts.displayName} (${randomWeights ? 'random weights' : 'ImageNet'})`,
    // A random-weight model has no files: its address is not http(s), so nothing (the offline
    // cache included) tries to fetch it.
    url: randomWeights
      ? `zoo://${name}/random`
      : name === 'inceptionv3'
        ? INCEPTION_V3_IMAGENET.url
        : `models/${name}/model.json`,
    inputSize: facts.inputSize,
    inputRange: rangeOf(facts.preprocess),
    preprocess: facts.preprocess,
    labels: { kind: 'imagenet' },
    labelOffset: 0,
    zoo: { name, randomWeights },
    ...(randomWeights
      ? {}
      : {
          missingHint:
            `The ${facts.displayName} weights are not on this server yet. Run ` +
            `\`npm run model:fetch -- --model ${name}\` where the network is reachable, or open ` +
            `it with random weights (?model=${name}&weights=random), then reload.`,
        }),
  };
}

/** A `?model=` value that is a bare name (no path, no `.json`): meant as a zoo name. */
const BARE_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

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
 * The entry a page URL asks for: `?model=<zoo name>` (with optional `&weights=random`) a model of
 * the zoo; `?model=<url of a layers model.json>` (with optional `&range=0,1`) an ad-hoc entry;
 * otherwise the default registry entry. An unknown bare name gives an entry with `loadError`.
 */
export function entryFromSearch(search: string, base: string): ModelEntry {
  const params = new URLSearchParams(search);
  const url = params.get('model');
  const fallback = MODEL_REGISTRY[0] ?? INCEPTION_V3_IMAGENET;
  // Absolute URLs: the worker would resolve relative ones against its own script.
  if (!url) return { ...fallback, url: new URL(fallback.url, base).href };
  const weights = params.get('weights');
  if (isZooModelName(url) || (BARE_NAME.test(url) && !/\.json$/i.test(url))) {
    const problem = !isZooModelName(url)
      ? `There is no model called “${url}”. The zoo has ${ZOO_MODEL_NAMES.join(', ')}; any ` +
        'other model is opened by the address of its model.json.'
      : weights !== null && weights !== 'random' && weights !== 'imagenet'
        ? `weights=${weights} is not understood: use weights=random (or leave it out for the ImageNet weights).`
        : null;
    if (problem !== null) {
      return { ...fallback, name: url, url: new URL(fallback.url, base).href, loadError: problem };
    }
    const entry = zooModelEntry(url as ZooModelName, weights === 'random');
    return { ...entry, url: new URL(entry.url, base).href };
  }
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
