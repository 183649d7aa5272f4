/**
 * The worker's side of datasets: features computed once per photo (below the frozen base) and
 * kept in a {@link FeatureStore} (IndexedDB), never in the worker's memory between requests; head-only
 * training reads them from there. No pixels are kept either: the page sends a photo's pixels only
 * when its features are not stored, and they are dropped once its batch has gone through the base.
 * So what an import leaves in the worker does not grow with the number of photos.
 */
import * as tf from '@tensorflow/tfjs';
import type { Handler, HandlerContext, Handlers } from '../../seam/handlers';
import {
  augmentBatch,
  drawAugmentation,
  imagesToTensor,
  perChannelInput,
  seededRandom,
  type PerChannelMode,
  type StoredPixels,
} from '../data';
import { featureCutOf, modelInputSize } from '../model';
import type { TrainReport, TrainRequests } from '../protocol';
import { headCacheKey, trainClassifier, type RunHooks } from '../run';
import type { FeatureStore } from './feature-store';
import { featureKey, variantsFor } from './protocol';

/** The active model as a base (the session's `activeBase`). */
export interface DatasetBase {
  model: tf.LayersModel;
  name: string;
  /** identifies the base's weights: part of every feature key */
  key: string;
  range: [number, number];
  /** Keras' per-channel `preprocess_input` applied after `range` ('caffe', 'torch') */
  perChannel?: PerChannelMode;
}

/** What the dataset handlers need from the session around them. */
export interface DatasetDeps {
  features: FeatureStore;
  now(): number;
  pause(): Promise<void>;
  /** the active model as a base, or throws saying why it cannot be one */
  base(context: HandlerContext<keyof TrainRequests>): Promise<DatasetBase>;
  /** hands a trained model to the session (it becomes the one to save or preview) */
  adopt(
    model: tf.LayersModel,
    report: TrainReport,
    inputRange: [number, number],
    perChannel?: PerChannelMode,
  ): void;
}

/** Photos per forward pass while computing features. */
const FEATURE_BATCH = 8;

/** A 32-bit FNV-1a hash of a string, to seed a photo's fixed augmentation. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Feature vectors read from the store at a time while gathering a training run's features. */
const READ_BATCH = 512;

/**
 * Creates the dataset handlers. They keep no per-photo state between requests: features live in
 * the store (the import used to keep every vector in a session map as well, 8 KB a photo and a
 * variant, for as long as the worker lived, on top of IndexedDB's copy).
 */
export function createDatasetHandlers(
  getDeps: () => DatasetDeps,
): Handlers<'dataset-features' | 'dataset-train'> {
  /** the feature extractor of a base: a view sharing its weights (never disposed) */
  const extractors = new WeakMap<tf.LayersModel, tf.LayersModel>();
  /** extractors whose output is a spatial map, averaged into features (GlobalAveragePooling2D) */
  const pooledExtractors = new WeakSet<tf.LayersModel>();

  const extractorOf = (model: tf.LayersModel): tf.LayersModel => {
    let found = extractors.get(model);
    if (!found) {
      const cut = featureCutOf(model);
      // A view (no new layer on the model in use); a pooled cut is averaged in `features` below.
      found = tf.model({ inputs: model.inputs, outputs: cut.layer.output });
      if (cut.pool) pooledExtractors.add(found);
      extractors.set(model, found);
    }
    return found;
  };

  const features: Handler<'dataset-features'> = async ({ items, pixels, variant }, context) => {
    const deps = getDeps();
    const base = await deps.base(context);
    const variants = variantsFor(variant.augment);
    const keysOf = (hash: string): string[] =>
      variants.map((v) => featureKey(hash, base.key, variant.resize, v, variant.augment));
    // Whether every variant of each photo is stored: asked by key, no vector is read.
    const stored = async (hashes: string[]): Promise<boolean[]> => {
      const keys = hashes.flatMap(keysOf);
      const found = keys.length > 0 ? await deps.features.has(keys) : [];
      return hashes
        .map((_, i) => found.slice(i * variants.length, (i + 1) * variants.length))
        .map((part) => part.every(Boolean));
    };

    let reused = 0;
    const missing: string[] = [];
    const present = await stored(items.map((i) => i.hash));
    items.forEach((item, i) => {
      if (present[i]) reused += 1;
      else missing.push(item.id);
    });

    // Photos sent with pixels: computed unless they turn out stored after all.
    const sentPresent = await stored(pixels.map((p) => p.hash));
    const todo = pixels.filter((_, i) => !sentPresent[i]);
    reused += pixels.length - todo.length;
    const size = modelInputSize(base.model);
    const extractor = extractorOf(base.model);
    for (let from = 0; from < todo.length; from += FEATURE_BATCH) {
      await deps.pause();
      if (context.isCancelled()) break;
      const batch = todo.slice(from, from + FEATURE_BATCH);
      const photos: StoredPixels[] = batch.map((p) => {
        const bytes = new Uint8Array(p.pixels);
        if (!(p.width > 0 && p.height > 0) || bytes.length !== p.width * p.height * 4) {
          throw new Error(`photo ${p.id}: expected ${p.width}×${p.height} RGBA pixels`);
        }
        return { pixels: bytes, width: p.width, height: p.height };
      });
      const written: [string, Float32Array][] = [];
      for (const v of variants) {
        const out = tf.tidy(() => {
          let x = imagesToTensor(photos, size, base.range);
          if (v > 0) {
            // Fixed per photo content and variant, so the cached variant is always the same one.
            const draws = batch.map((p) =>
              drawAugmentation(variant.augment, seededRandom(seedOf(`${p.hash}#${v}`))),
            );
            x = augmentBatch(x, draws, base.range);
          }
          if (base.perChannel) x = perChannelInput(x, base.perChannel);
          const out = extractor.predict(x) as tf.Tensor;
          return pooledExtractors.has(extractor) ? tf.mean(out, [1, 2]) : out;
        });
        let data: Float32Array;
        try {
          data = (await out.data()) as Float32Array;
        } finally {
          out.dispose();
        }
        const n = data.length / batch.length;
        batch.forEach((p, i) => {
          const key = featureKey(p.hash, base.key, variant.resize, v, variant.augment);
          // A copy of its own: a view would make the store keep the whole batch's buffer.
          written.push([key, data.slice(i * n, (i + 1) * n)]);
        });
      }
      await deps.features.putMany(written);
    }
    return { reused, computed: todo.length, missing };
  };

  const train: Handler<'dataset-train'> = async (req, context) => {
    const deps = getDeps();
    const base = await deps.base(context);
    const { settings, items, classNames, resize } = req;
    if (settings.strategy !== 'head') {
      throw new Error('A dataset trains the head only: its photos are not kept in memory.');
    }
    const variants = variantsFor(settings.augment);
    const seen = new Set<string>();
    const wanted: { key: string; cacheKey: string; id: string }[] = [];
    for (const item of items) {
      if (seen.has(item.id)) throw new Error(`photo ${item.id} is listed twice`);
      seen.add(item.id);
      for (const v of variants) {
        wanted.push({
          key: featureKey(item.hash, base.key, resize, v, settings.augment),
          cacheKey: headCacheKey(item.id, v, settings),
          id: item.id,
        });
      }
    }
    // This run's features, read from the store; they go when the run ends.
    const featureCache = new Map<string, Float32Array>();
    const lacking = new Set<string>();
    for (let from = 0; from < wanted.length; from += READ_BATCH) {
      await deps.pause();
      if (context.isCancelled()) throw new Error('cancelled');
      const part = wanted.slice(from, from + READ_BATCH);
      const found = await deps.features.getMany(part.map((w) => w.key));
      part.forEach((w, i) => {
        const vector = found[i];
        if (vector) featureCache.set(w.cacheKey, vector);
        else lacking.add(w.id);
      });
    }
    if (lacking.size > 0) {
      throw new Error(
        `${lacking.size} photos have no features for this model and these settings yet: compute them first.`,
      );
    }
    const withSplit = items.some((i) => i.split !== null);
    const validationIds = withSplit
      ? new Set(items.filter((i) => i.split === 'validation').map((i) => i.id))
      : undefined;
    const hooks: RunHooks = {
      onProgress: (p) => context.progress(p),
      isCancelled: () => context.isCancelled(),
      pause: () => deps.pause(),
      now: () => deps.now(),
    };
    const { model, report } = await trainClassifier(
      {
        base: base.model,
        baseName: base.name,
        inputRange: base.range,
        ...(base.perChannel ? { perChannel: base.perChannel } : {}),
        photos: new Map(),
        examples: items.map(({ id, label }) => ({ id, label })),
        classNames,
        settings,
        featureCache,
        ...(validationIds ? { validationIds } : {}),
      },
      hooks,
    );
    deps.adopt(model, report, base.range, base.perChannel);
    return { report };
  };

  return { 'dataset-features': features, 'dataset-train': train };
}
