/**
 * The worker's side of the Teach view: it keeps the example photos (RGBA at the model's input
 * size) and their cached features for the session, runs training on the active model as the base
 * (without changing it), keeps the last trained model until it is saved, and stores, exports and
 * imports custom models. Custom models are kept in the model library's store (IndexedDB), under
 * keys that start with {@link TEACH_KEY_PREFIX}, so they also appear in "Open model…".
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { inputSizeOf, numClassesOf } from '../classify/classifier';
import type { StoredModel } from '../library/protocol';
import { precisionOf } from '../library/import-model';
import { newModelKey, storedEntry, storedModelUrl, type ModelStore } from '../library/store';
import type { WorkerRequest } from '../protocol';
import type { FeatureHandler, ServiceContext } from '../seam/service';
import type { StoredPixels } from './data';
import { planCounts } from './model';
import {
  checkSettings,
  type SavedModelInfo,
  type TrainPlan,
  type TrainReport,
  type TrainRequest,
} from './protocol';
import { estimateTraining, trainClassifier, TrainCancelled, type RunHooks } from './run';
import { packModel, unpackModel } from '../library/transfer-package';

/** Keys of models stored by the Teach view start with this. */
export const TEACH_KEY_PREFIX = 'teach-';
/** Most example photos the worker keeps (≈ 360 KB each at 299 × 299). */
export const MAX_EXAMPLES = 1000;

/** What the session needs from its surroundings (the worker's, or a test's). */
export interface TrainSessionDeps {
  store: ModelStore;
  /** the artifacts of a stored model, by its `indexeddb://` URL */
  loadArtifacts(url: string): Promise<tf.io.ModelArtifacts>;
  now(): number;
  /** lets queued messages (a cancel) through */
  pause(): Promise<void>;
  date(): Date;
  newKey(): string;
}

/** The last trained model, until it is saved or replaced. */
interface Trained {
  model: tf.LayersModel;
  report: TrainReport;
  inputRange: [number, number];
}

function narrow<T extends TrainRequest['type']>(
  request: WorkerRequest,
  type: T,
): Extract<TrainRequest, { type: T }> {
  if (request.type !== type) throw new Error(`expected a '${type}' request, got '${request.type}'`);
  return request as Extract<TrainRequest, { type: T }>;
}

/** The active model as a base for training, or an error that says why it cannot be one. */
function activeBase(context: ServiceContext): {
  model: tf.LayersModel;
  name: string;
  key: string;
  range: [number, number];
} {
  const classifier = context.classifier;
  if (!classifier) throw new Error('No model is loaded: load one to train on top of it.');
  if (!classifier.model) throw new Error(`${classifier.info.name} cannot be used as a base.`);
  const { info } = classifier;
  return {
    model: classifier.model,
    name: info.name,
    key: `${info.id}|${info.url}|${info.params}`,
    range: [info.inputRange[0], info.inputRange[1]],
  };
}

function artifactsFrom(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  return new Promise((resolve, reject) => {
    model
      .save(
        tf.io.withSaveHandler((artifacts) => {
          resolve(artifacts);
          return Promise.resolve({
            modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
          });
        }),
      )
      .catch(reject);
  });
}

function byteLength(data: tf.io.WeightData | undefined): number {
  if (data === undefined) return 0;
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
}

/** The page's view of a stored custom model. */
export function savedInfo(record: StoredModel): SavedModelInfo {
  const { entry } = record;
  return {
    entry,
    url: entry.url,
    name: entry.name,
    labels: entry.labels.kind === 'list' ? [...entry.labels.labels] : [],
    inputSize: entry.inputSize ?? 0,
    inputRange: [entry.inputRange[0], entry.inputRange[1]],
    params: record.params,
    bytes: record.bytes,
    savedAt: record.created,
  };
}

/** A file name for an export: letters, digits and dashes. */
export function exportFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .toLowerCase()
    .slice(0, 60);
  return `${slug || 'custom-model'}.tfjs.zip`;
}

/** Creates the Teach handlers with their session state (one per worker). */
export function createTrainFeatures(
  getDeps: () => TrainSessionDeps,
): Partial<Record<WorkerRequest['type'], FeatureHandler>> {
  const photos = new Map<string, StoredPixels>();
  /** head-only features, for one base at a time */
  let cache = { key: '', features: new Map<string, Float32Array>() };
  let trained: Trained | null = null;

  const cacheFor = (key: string): Map<string, Float32Array> => {
    if (cache.key !== key) cache = { key, features: new Map() };
    return cache.features;
  };

  const hooksFor = (context: ServiceContext, id: number): RunHooks => {
    const deps = getDeps();
    return {
      onProgress: (progress) => context.post({ type: 'train-progress', id, progress }),
      isCancelled: () => context.isCancelled(),
      pause: () => deps.pause(),
      now: () => deps.now(),
    };
  };

  /** Stores a model under a new Teach key with its class names; returns the record. */
  const store = async (
    artifacts: tf.io.ModelArtifacts,
    fields: {
      name: string;
      labels: string[];
      inputSize: number;
      inputRange: [number, number];
      params: number;
      detail: string;
      note?: string;
    },
    key = `${TEACH_KEY_PREFIX}${getDeps().newKey()}`,
  ): Promise<StoredModel> => {
    const entry = storedEntry(key, {
      name: fields.name,
      inputSize: fields.inputSize,
      inputRange: fields.inputRange,
      labels: { kind: 'list', labels: fields.labels },
      labelOffset: 0,
    });
    const record: StoredModel = {
      key,
      entry,
      source: { kind: 'trained', detail: fields.detail },
      bytes: byteLength(artifacts.weightData),
      precision: precisionOf(artifacts.weightSpecs ?? []),
      params: fields.params,
      numClasses: fields.labels.length,
      created: getDeps().date().toISOString(),
      ...(fields.note ? { note: fields.note } : {}),
    };
    const { name, labels, inputRange } = fields;
    await getDeps().store.put(record, {
      ...artifacts,
      userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), name, labels, inputRange },
    });
    return record;
  };

  const add: FeatureHandler = (request, context) => {
    const { id, examples } = narrow(request, 'train-add');
    if (photos.size + examples.length > MAX_EXAMPLES) {
      throw new Error(`At most ${MAX_EXAMPLES} example photos can be kept; remove some first.`);
    }
    for (const example of examples) {
      const { width, height } = example;
      const pixels = new Uint8Array(example.pixels);
      if (!(width > 0 && height > 0) || pixels.length !== width * height * 4) {
        throw new Error(
          `photo ${example.id}: expected ${width}×${height} RGBA pixels, got ${pixels.length} bytes`,
        );
      }
    }
    for (const { id: photoId, pixels, width, height } of examples) {
      photos.set(photoId, { pixels: new Uint8Array(pixels), width, height });
    }
    context.post({ type: 'train-added', id, stored: photos.size });
    return Promise.resolve();
  };

  const removeExamples: FeatureHandler = (request, context) => {
    const { id, ids } = narrow(request, 'train-remove');
    if (ids === 'all') {
      photos.clear();
      cache.features.clear();
    } else {
      const gone = new Set(ids);
      for (const photoId of gone) photos.delete(photoId);
      for (const key of [...cache.features.keys()]) {
        if (gone.has(key.slice(0, key.indexOf('#')))) cache.features.delete(key);
      }
    }
    context.post({ type: 'train-removed', id, stored: photos.size });
    return Promise.resolve();
  };

  const plan: FeatureHandler = async (request, context) => {
    const req = narrow(request, 'train-plan');
    const base = activeBase(context);
    const { strategy, blocks } = req.settings;
    const problem = checkSettings(req.settings);
    if (problem) throw new Error(problem);
    const counts = planCounts(base.model, strategy, Math.max(req.numClasses, 1), blocks);
    const result: TrainPlan = {
      strategy,
      baseName: strategy === 'scratch' ? 'InceptionV3 (random weights)' : base.name,
      featureLayer: strategy === 'scratch' ? 'avg_pool' : counts.featureLayer.name,
      featureSize:
        strategy === 'scratch' ? 2048 : ((counts.featureLayer.outputShape as number[])[1] ?? 0),
      inputSize: strategy === 'scratch' ? 299 : inputSizeOf(base.model, baseEntry(base.name)),
      blocks: counts.blockNames,
      frozenUpTo: counts.boundary,
      trainableParams: counts.trainable,
      frozenParams: counts.frozen,
    };
    if (req.measure) {
      const estimate = await estimateTraining(
        {
          base: base.model,
          baseName: base.name,
          inputRange: base.range,
          photos,
          examples: req.examples,
          classNames: Array.from({ length: req.numClasses }, (_, i) => `class ${i}`),
          settings: req.settings,
          featureCache: cacheFor(base.key),
        },
        hooksFor(context, req.id),
      );
      const { featurePhotos, featureMs, stepMs, measuredBatch, steps, totalMs } = estimate;
      result.estimate = { featurePhotos, featureMs, stepMs, measuredBatch, steps, totalMs };
    }
    if (context.isCancelled()) return;
    context.post({ type: 'train-plan-result', id: req.id, plan: result });
  };

  const start: FeatureHandler = async (request, context) => {
    const req = narrow(request, 'train-start');
    const base = activeBase(context);
    try {
      const { model, report } = await trainClassifier(
        {
          base: base.model,
          baseName: base.name,
          inputRange: base.range,
          photos,
          examples: req.examples,
          classNames: req.classNames,
          settings: req.settings,
          featureCache: cacheFor(base.key),
        },
        hooksFor(context, req.id),
      );
      trained?.model.dispose();
      const inputRange: [number, number] =
        req.settings.strategy === 'scratch' ? [-1, 1] : base.range;
      trained = { model, report, inputRange };
      context.post({ type: 'train-result', id: req.id, report });
    } catch (error) {
      if (error instanceof TrainCancelled) return; // the service answers 'cancelled'
      throw error;
    }
  };

  const save: FeatureHandler = async (request, context) => {
    const { id, name } = narrow(request, 'train-save');
    const current = trained;
    if (!current) throw new Error('There is no newly trained model to save: train one first.');
    const clean = name.trim();
    if (!clean) throw new Error('Give the model a name.');
    const { report } = current;
    const artifacts = await artifactsFrom(current.model);
    const record = await store(artifacts, {
      name: clean,
      labels: report.classNames,
      inputSize: inputSizeOf(current.model, baseEntry(clean)),
      inputRange: current.inputRange,
      params: current.model.countParams(),
      detail: `trained in Teach (${STRATEGY_TEXT[report.strategy]} on ${report.baseName})`,
      note: `${report.evaluatedOn} accuracy ${(report.accuracy * 100).toFixed(1)} % on ${report.evaluatedOn === 'validation' ? report.valCount : report.trainCount} photos`,
    });
    // It is in the store now; loading it from there is what "use" does, so free this copy.
    current.model.dispose();
    trained = null;
    context.post({ type: 'train-saved', id, model: savedInfo(record) });
  };

  const exportModel: FeatureHandler = async (request, context) => {
    const { id, url, name } = narrow(request, 'train-export');
    const artifacts = await getDeps().loadArtifacts(url);
    const meta = (artifacts.userDefinedMetadata ?? {}) as {
      labels?: unknown;
      inputRange?: unknown;
    };
    const labels = Array.isArray(meta.labels) ? (meta.labels as string[]) : null;
    if (!labels)
      throw new Error(`${name} has no class names stored with it, so it cannot be exported.`);
    const inputRange = (Array.isArray(meta.inputRange) ? meta.inputRange : [-1, 1]) as [
      number,
      number,
    ];
    const zip = packModel({ artifacts, metadata: { name, labels, inputRange } });
    if (context.isCancelled()) return;
    const bytes = zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
    // The zip can be the size of the model: moved to the page, not copied.
    context.post({ type: 'train-exported', id, bytes, fileName: exportFileName(name) }, [bytes]);
  };

  const importModel: FeatureHandler = async (request, context) => {
    const { id, bytes, fileName } = narrow(request, 'train-import');
    const fallback = fileName.replace(/(\.tfjs)?\.zip$/i, '') || 'imported model';
    const { artifacts, metadata } = await unpackModel(new Uint8Array(bytes), fallback);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new Error(
        `the file's model.json and weights do not make a working model: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let fields;
    try {
      const entry = baseEntry(metadata.name);
      const numClasses = numClassesOf(model, entry);
      if (numClasses !== metadata.labels.length) {
        throw new Error(
          `the model has ${numClasses} outputs but the file names ${metadata.labels.length} classes`,
        );
      }
      fields = {
        name: metadata.name,
        labels: metadata.labels,
        inputSize: inputSizeOf(model, entry),
        inputRange: metadata.inputRange,
        params: model.countParams(),
        detail: `imported in Teach from ${fileName}`,
      };
    } finally {
      model.dispose();
    }
    if (context.isCancelled()) return;
    const record = await store(artifacts, fields);
    context.post({ type: 'train-imported', id, model: savedInfo(record) });
  };

  const rename: FeatureHandler = async (request, context) => {
    const { id, url, name } = narrow(request, 'train-rename');
    const clean = name.trim();
    if (!clean) throw new Error('Give the model a name.');
    const key = url.slice(storedModelUrl('').length);
    if (!key.startsWith(TEACH_KEY_PREFIX) || storedModelUrl(key) !== url) {
      throw new Error(`${url} is not a model kept by Teach.`);
    }
    const records = await getDeps().store.list();
    const record = records.find((r) => r.key === key);
    if (!record) throw new Error('That model is no longer stored in this browser.');
    // Only the record changes: the name shown, used and exported is the record's.
    const updated: StoredModel = { ...record, entry: { ...record.entry, name: clean } };
    await getDeps().store.update(updated);
    context.post({ type: 'train-renamed', id, model: savedInfo(updated) });
  };

  const list: FeatureHandler = async (request, context) => {
    const { id } = narrow(request, 'train-list');
    const records = await getDeps().store.list();
    context.post({
      type: 'train-listed',
      id,
      models: records.filter((r) => r.key.startsWith(TEACH_KEY_PREFIX)).map(savedInfo),
    });
  };

  const deleteStored: FeatureHandler = async (request, context) => {
    const { id, url } = narrow(request, 'train-delete');
    const key = url.slice(storedModelUrl('').length);
    if (!key.startsWith(TEACH_KEY_PREFIX) || storedModelUrl(key) !== url) {
      throw new Error(`${url} is not a model kept by Teach.`);
    }
    await getDeps().store.remove(key);
    context.post({ type: 'train-deleted', id });
  };

  return {
    'train-add': add,
    'train-remove': removeExamples,
    'train-plan': plan,
    'train-start': start,
    'train-save': save,
    'train-export': exportModel,
    'train-import': importModel,
    'train-rename': rename,
    'train-list': list,
    'train-delete': deleteStored,
  };
}

const STRATEGY_TEXT: Record<TrainReport['strategy'], string> = {
  head: 'head only',
  'fine-tune': 'fine-tuned',
  scratch: 'from scratch',
};

/** A throwaway entry so the classifier helpers can name the model in their errors. */
function baseEntry(name: string): ModelEntry {
  return {
    id: 'teach',
    name,
    url: '',
    inputSize: null,
    inputRange: [-1, 1],
    labels: { kind: 'auto' },
    labelOffset: 0,
  };
}

/** The worker's dependencies: the model library's IndexedDB store and real time. */
export function browserTrainDeps(store: ModelStore): TrainSessionDeps {
  return {
    store,
    async loadArtifacts(url) {
      const handler = tf.io.getLoadHandlers(url)[0];
      if (!handler?.load) throw new Error(`${url} cannot be read in this browser`);
      try {
        return await handler.load();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/cannot find model/i.test(message)) {
          throw new Error('That model is no longer stored in this browser.');
        }
        throw error;
      }
    },
    now: () => performance.now(),
    pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
    date: () => new Date(),
    newKey: () => newModelKey(),
  };
}
