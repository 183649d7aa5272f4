/**
 * The model photos run through, ready to predict — the seam between loading a model and running
 * it. Loading is two steps:
 *
 * 1. {@link prepareModel} needs no backend, so it runs while one starts: it reads `model.json`,
 *    names the model's version ({@link modelIdentity}) and either takes the folded inference copy
 *    kept from an earlier visit (`folded-cache.ts`) or downloads the weights and folds them in
 *    plain JavaScript (`fold-artifacts.ts`).
 * 2. {@link buildInferenceModel} builds only that folded model on the backend. The Keras-structured
 *    original (with its BatchNormalization layers, for Inspect, Grad-CAM, feature maps, Teach and
 *    export) is built from its own files the first time one of them asks (`loadOriginal`).
 *
 * A model that cannot be folded this way (a stored one, a zoo model built in code, `?fold=off`,
 * weights the folder does not recognise) is built as before: the original, then its folded form
 * made from it (fold-batch-norm.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { zooEntry } from '../../models/zoo/zoo';
import type { LoadTuning, StartupStep } from '../protocol';
import { foldArtifacts } from './fold-artifacts';
import { inferenceFormOf } from './fold-batch-norm';
import { layersModelFromMemory } from './layers-from-memory';
import type { FoldedCache } from './folded-cache';
import { metadataUrl } from './labels';
import { fetchModelFile, loadFailure, requireOk, retryingFetch, withSignal } from './model-fetch';

/** Bumped when the folded files change form, so older cached copies count as stale. */
const FOLD_FORMAT = 1;

/** Time marks of one load, in ms since it started (reported in `ReadyInfo.startup`). */
export class StartupClock {
  private readonly start: number;
  readonly steps: StartupStep[] = [];
  constructor(private readonly now: () => number = () => performance.now()) {
    this.start = now();
  }
  /** Records that `step` just ended. */
  mark(step: string): void {
    this.steps.push({ step, atMs: Math.round(this.now() - this.start) });
  }
}

/** A model's files made ready without a backend (see the file comment). */
export type PreparedModel =
  | {
      kind: 'folded';
      /** the folded copy came from the cache, or was folded just now */
      source: 'cache' | 'folded';
      artifacts: tf.io.ModelArtifacts;
      originalParams: number;
      /** metadata.json beside the model (null when there is none) */
      metadata: Promise<unknown>;
      /** keeps the folded copy for the next visit (absent when it came from the cache) */
      save?: () => Promise<void>;
      /** the files' version ({@link modelIdentity}) when copies are kept (a cache) */
      identity?: string;
    }
  | { kind: 'original'; artifacts: tf.io.ModelArtifacts; metadata: Promise<unknown> }
  | {
      /**
       * Nothing read yet but `model.json`: photos can start on an engine an earlier visit kept
       * for this version (`PrepareOptions.keptEngine`), so the folded copy is not read now.
       */
      kind: 'kept';
      identity: string;
      metadata: Promise<unknown>;
      /** step 1 done the usual way, when TensorFlow.js' model is wanted after all */
      folded(): Promise<FilesReady | null>;
    };

/** Step 1's result with the model's files in hand (not 'kept'). */
export type FilesReady = Exclude<PreparedModel, { kind: 'kept' }>;

/** What {@link buildInferenceModel} gives: the model to predict with, and its original. */
export interface InferenceModel {
  /** the model photos run through (the folded copy when there is one) */
  model: tf.LayersModel;
  /**
   * Builds the Keras-structured original; absent when `model` is the original or `original`
   * holds it already.
   */
  loadOriginal?: () => Promise<tf.LayersModel>;
  /** the original, when it was built anyway (the old path) */
  original?: tf.LayersModel;
  /** the original's parameter count when `model` is not the original */
  originalParams?: number;
  /** metadata.json beside the model (for labels) */
  metadata: () => Promise<unknown>;
  /** where the folded copy came from: the cache, folded now, or none (not folded) */
  foldedCopy: 'cached' | 'made' | 'none';
  /** the files' version, when copies of it are kept (see `PreparedModel`) */
  identity?: string;
  /**
   * Keeps the folded copy for next time; resolves false when it could not be (absent: nothing to
   * keep). Not started by the build: the worker calls it once the first photos are answered, in
   * idle time, since writing ≈ 95 MB competes with them. Only the first call writes.
   */
  keepCopy?: () => Promise<boolean>;
}

/** Options of the two steps. */
export interface PrepareOptions {
  tuning?: LoadTuning;
  signal?: AbortSignal;
  /** where folded copies are kept (null: fold at every load) */
  cache?: FoldedCache | null;
  clock?: StartupClock;
  /** fold again even if the cache has a copy (the copy would not build) */
  refold?: boolean;
  /**
   * Whether photos may start on an engine kept for this version of the model
   * (`engines/kept-engine.ts`); then step 1 stops after `model.json` (a 'kept' result) and
   * reads nothing big
   */
  keptEngine?: (identity: string) => Promise<boolean>;
}

/** Hex SHA-256 of `text`. */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The version of an HTTP model a folded copy belongs to: `model.json`'s exact text (its topology
 * and weight list — the same test the service worker uses to decide a model changed), plus the
 * SHA-256 of each shard where `metadata.json` lists them (`npm run model:fetch` writes them).
 */
export async function modelIdentity(modelJsonText: string, metadata: unknown): Promise<string> {
  const shards = (metadata as { shards?: unknown } | null)?.shards;
  const hashes = Array.isArray(shards)
    ? shards.map((s) => {
        const hash = (s as { sha256?: unknown } | null)?.sha256;
        return typeof hash === 'string' ? hash : '?';
      })
    : [];
  return sha256Hex(`fold v${FOLD_FORMAT}\n${hashes.join(',')}\n${modelJsonText}`);
}

async function readMetadata(modelUrl: string): Promise<unknown> {
  try {
    const response = await fetch(metadataUrl(modelUrl));
    if (!response.ok) return null;
    return (await response.json()) as unknown;
  } catch {
    return null; // no metadata.json, or unreadable: labels fall back to their defaults
  }
}

/** True for a model built here rather than read from a server. */
function notFetched(entry: ModelEntry): boolean {
  return entry.url.startsWith('indexeddb://') || !!entry.zoo?.randomWeights;
}

/**
 * Downloads an HTTP model's weights for the `model.json` already read, reporting the fraction of
 * shards received (the first 2 % stand for model.json).
 */
async function downloadWeights(
  entry: ModelEntry,
  json: tf.io.ModelJSON,
  fetchFile: typeof fetchModelFile,
  onProgress: (fraction: number) => void,
): Promise<tf.io.ModelArtifacts> {
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const paths = manifest.flatMap((group) => group.paths);
    let done = 0;
    onProgress(0.02);
    const buffers = await Promise.all(
      paths.map(async (path) => {
        const response = await fetchFile(new URL(path, entry.url).href);
        const buffer = await response.arrayBuffer();
        onProgress(0.02 + (0.98 * ++done) / paths.length);
        return buffer;
      }),
    );
    return [manifest.flatMap((group) => group.weights), buffers];
  });
}

/**
 * Step 1 (see the file comment): the model's files, folded or from the cache. Null for a model
 * that is built here (a stored one, a zoo model with random weights). Errors carry a message
 * written for the user.
 */
export async function prepareModel(
  entry: ModelEntry,
  onProgress: (fraction: number, note?: string) => void,
  options: PrepareOptions = {},
): Promise<PreparedModel | null> {
  if (notFetched(entry)) return null;
  const { tuning = {}, signal, cache = null, clock } = options;
  let lastFraction = 0;
  const fetchFile = withSignal(
    requireOk(retryingFetch((note) => onProgress(lastFraction, note))),
    signal,
  );
  const progress = (fraction: number): void => {
    lastFraction = fraction;
    onProgress(fraction);
  };
  const metadata = readMetadata(entry.url);
  let json: tf.io.ModelJSON;
  let text: string;
  try {
    text = await (await fetchFile(entry.url)).text();
    try {
      json = JSON.parse(text) as tf.io.ModelJSON;
    } catch {
      throw new Error(`Failed to parse model JSON of response from ${entry.url}.`);
    }
  } catch (error) {
    throw loadFailure(entry, error);
  }
  clock?.mark('model.json');
  const fold = (tuning.foldBatchNorm ?? 'auto') !== 'off';
  const identity = fold && cache ? await modelIdentity(text, await metadata) : null;
  if (identity && options.keptEngine && !options.refold) {
    const kept = await options.keptEngine(identity).catch((error: unknown) => {
      console.warn('could not look for a kept engine:', error);
      return false;
    });
    if (kept) {
      clock?.mark('kept engine');
      progress(1);
      const usual: PrepareOptions = { ...options, keptEngine: undefined };
      return {
        kind: 'kept',
        identity,
        metadata,
        // without `keptEngine`, step 1 never answers 'kept'
        folded: () => prepareModel(entry, () => undefined, usual) as Promise<FilesReady | null>,
      };
    }
  }
  if (cache && identity && !options.refold) {
    const hit = await cache.get(entry.url, identity).catch((error: unknown) => {
      console.warn('folded-copy cache unreadable:', error);
      return null;
    });
    clock?.mark(hit ? 'cache hit' : 'cache miss');
    if (hit) {
      progress(1);
      return { kind: 'folded', source: 'cache', ...hit, metadata, identity };
    }
  }
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await downloadWeights(entry, json, fetchFile, progress);
  } catch (error) {
    throw loadFailure(entry, error);
  }
  clock?.mark('download');
  if (!fold) return { kind: 'original', artifacts, metadata };
  let folded: ReturnType<typeof foldArtifacts> = null;
  try {
    folded = foldArtifacts(artifacts);
  } catch (error) {
    console.warn('batch-norm folding of the files skipped:', error);
  }
  clock?.mark('fold');
  if (!folded) return { kind: 'original', artifacts, metadata };
  const { artifacts: files, originalParams } = folded;
  return {
    kind: 'folded',
    source: 'folded',
    artifacts: files,
    originalParams,
    metadata,
    ...(cache && identity
      ? {
          identity,
          save: () => cache.put(entry.url, identity, { artifacts: files, originalParams }),
        }
      : {}),
  };
}

/** Builds the original of a model that is not fetched (stored, or a zoo model built in code). */
async function buildUnfetched(
  entry: ModelEntry,
  onProgress: (fraction: number) => void,
): Promise<tf.LayersModel> {
  if (entry.zoo?.randomWeights) {
    const model = zooEntry(entry.zoo.name).build();
    onProgress(1);
    return model;
  }
  return tf.loadLayersModel(entry.url, { onProgress: (f) => onProgress(f) });
}

/** The Keras-structured original of an HTTP model, fetched again (the browser's caches answer). */
function originalLoader(entry: ModelEntry): () => Promise<tf.LayersModel> {
  return async () => {
    const prepared = await prepareModel(entry, () => undefined, {
      tuning: { foldBatchNorm: 'off' },
    });
    if (!prepared || prepared.kind === 'kept') {
      throw new Error(`${entry.name} has no files to build its original from`);
    }
    try {
      return await layersModelFromMemory(prepared.artifacts);
    } catch (error) {
      throw loadFailure(entry, error);
    }
  };
}

/**
 * Step 2 (see the file comment), on the current backend: the folded model alone when the files
 * are folded, else the original and its folded form. `prepared` is step 1's result (null: do
 * step 1 now). A cached copy that does not build is dropped and the model folded again.
 */
export async function buildInferenceModel(
  entry: ModelEntry,
  prepared: PreparedModel | null,
  onProgress: (fraction: number, note?: string) => void,
  options: PrepareOptions = {},
): Promise<InferenceModel> {
  const { tuning = {}, cache = null, clock } = options;
  let ready: FilesReady | null = prepared?.kind === 'kept' ? await prepared.folded() : prepared;
  if (!ready && !notFetched(entry)) {
    ready = (await prepareModel(entry, onProgress, {
      ...options,
      keptEngine: undefined,
    })) as FilesReady | null;
  }
  const metadata = ready ? () => ready.metadata : () => readMetadata(entry.url);
  if (ready?.kind === 'folded') {
    let model: tf.LayersModel;
    try {
      model = await layersModelFromMemory(ready.artifacts);
    } catch (error) {
      if (ready.source !== 'cache' || !cache) throw loadFailure(entry, error);
      console.warn('the cached folded copy does not build; folding again:', error);
      await cache.drop(entry.url).catch(() => undefined);
      return buildInferenceModel(entry, null, onProgress, { ...options, refold: true });
    }
    clock?.mark('build folded');
    let save = ready.save;
    let written: Promise<boolean> | null = null;
    const keepCopy = (): Promise<boolean> => {
      written ??= (save ?? (() => Promise.reject(new Error('already kept'))))().then(
        () => true,
        (error: unknown) => {
          // A full disk or a private window: the app works, it folds again next time.
          console.warn('the folded copy could not be kept:', error);
          return false;
        },
      );
      save = undefined; // the weights it holds can go once written
      return written;
    };
    return {
      model,
      loadOriginal: originalLoader(entry),
      originalParams: ready.originalParams,
      metadata,
      foldedCopy: ready.source === 'cache' ? 'cached' : 'made',
      ...(save ? { keepCopy } : {}),
      ...(ready.identity ? { identity: ready.identity } : {}),
    };
  }
  let original: tf.LayersModel;
  try {
    original = ready
      ? await layersModelFromMemory(ready.artifacts)
      : await buildUnfetched(entry, (f) => onProgress(f));
  } catch (error) {
    throw loadFailure(entry, error);
  }
  clock?.mark('build original');
  const folded = await inferenceFormOf(original, tuning.foldBatchNorm ?? 'auto');
  clock?.mark('fold built model');
  return folded
    ? { model: folded, original, metadata, foldedCopy: 'made' }
    : { model: original, metadata, foldedCopy: 'none' };
}
