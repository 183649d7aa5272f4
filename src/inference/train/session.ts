/**
 * The worker's side of the Teach view: it keeps the example photos (RGBA at the model's input
 * size) and their cached features for the session, runs training on the active model as the base
 * (without changing it), and keeps the last trained model until it is saved into the model
 * library's store (IndexedDB). Listing, renaming, exporting and deleting saved models are the
 * library's requests (`library/handlers.ts`), shared with "Open model…".
 */
import * as tf from '@tensorflow/tfjs';
import { artifactsOf } from '../../models/tfjs-artifacts';
import { inputSizeOf } from '../classify/classifier';
import { namedEntry } from '../library/handlers';
import { newModelKey, storeLabelledModel, type ModelStore } from '../library/store';
import {
  MAX_EXAMPLES,
  checkSettings,
  type TrainPlan,
  type TrainReport,
  type TrainRequests,
} from '../protocol';
import { RequestError, type Handler, type HandlerContext, type Handlers } from '../seam/handlers';
import {
  imagesToTensor,
  perChannelInput,
  pixelSpecOf,
  type PerChannelMode,
  type StoredPixels,
} from './data';
import { createDatasetHandlers } from './dataset/handlers';
import {
  indexedDbFeatureStore,
  memoryFeatureStore,
  type FeatureStore,
} from './dataset/feature-store';
import { featureCutOf, modelInputSize, planCounts } from './model';
import { estimateTraining, scratchName, trainClassifier, type RunHooks } from './run';

/** What the session needs from its surroundings (the worker's, or a test's). */
export interface TrainSessionDeps {
  store: ModelStore;
  now(): number;
  /** lets queued messages (a cancel) through */
  pause(): Promise<void>;
  date(): Date;
  newKey(): string;
  /** told of each newly trained model, and of null once it is saved (the Keras export reads it) */
  onTrained?(trained: { model: tf.LayersModel; classNames: string[] } | null): void;
  /** where datasets' features are kept across reloads (IndexedDB in the browser) */
  features?: FeatureStore;
}

/** The last trained model, until it is saved or replaced. */
interface Trained {
  model: tf.LayersModel;
  report: TrainReport;
  inputRange: [number, number];
  /** the base's per-channel `preprocess_input`, which the trained model needs too */
  perChannel?: PerChannelMode;
}

/**
 * The active model as a base for training (in its Keras structure, built now if only its folded
 * copy was loaded), or an error that says why it cannot be one.
 */
export async function activeBase(context: HandlerContext<keyof TrainRequests>): Promise<{
  model: tf.LayersModel;
  name: string;
  key: string;
  /** the linear range photos are made (and augmented) in */
  range: [number, number];
  /** then Keras' per-channel `preprocess_input`, for 'caffe' and 'torch' bases */
  perChannel?: PerChannelMode;
}> {
  const classifier = context.classifier;
  if (!classifier) {
    throw new RequestError('no-model', 'No model is loaded: load one to train on top of it.');
  }
  if (!classifier.original) throw new Error(`${classifier.info.name} cannot be used as a base.`);
  const { info } = classifier;
  // 'caffe' (ResNet50, VGG16) and 'torch' are not one linear range: photos are made in 0..255,
  // augmented there, then given the base's own per-channel preprocessing.
  const spec = pixelSpecOf(classifier.entry?.preprocess, info.inputRange);
  const model = await classifier.original();
  // Features read through a pooling Teach adds (VGG16) get their own key, so features cached
  // before Teach pooled (fc2's) are never taken for these.
  let pooled = '';
  try {
    const cut = featureCutOf(model);
    if (cut.pool) pooled = `|avg:${cut.layer.name}`;
  } catch {
    // no features at all: planning and training say why
  }
  return {
    model,
    name: info.name,
    key: `${info.id}|${info.url}|${info.params}${pooled}`,
    range: spec.range,
    ...(spec.perChannel ? { perChannel: spec.perChannel } : {}),
  };
}

/** Creates the Teach handlers with their session state (one per worker). */
export function createTrainHandlers(
  getDeps: () => TrainSessionDeps,
): Handlers<keyof TrainRequests> {
  const photos = new Map<string, StoredPixels>();
  /** head-only features, for one base at a time */
  let cache = { key: '', features: new Map<string, Float32Array>() };
  let trained: Trained | null = null;

  const cacheFor = (key: string): Map<string, Float32Array> => {
    if (cache.key !== key) cache = { key, features: new Map() };
    return cache.features;
  };

  // Features kept in memory when the deps bring no store (tests that do not care).
  const fallbackFeatures = memoryFeatureStore();
  const datasetHandlers = createDatasetHandlers(() => {
    const deps = getDeps();
    return {
      features: deps.features ?? fallbackFeatures,
      now: () => deps.now(),
      pause: () => deps.pause(),
      base: activeBase,
      adopt: (model, report, inputRange, perChannel) => {
        trained?.model.dispose();
        trained = { model, report, inputRange, ...(perChannel ? { perChannel } : {}) };
        deps.onTrained?.({ model, classNames: report.classNames });
      },
    };
  });

  const preview: Handler<'train-preview'> = async ({ pixels, width, height }) => {
    const current = trained;
    if (!current) throw new Error('Train a model first: the preview uses the model just trained.');
    const bytes = new Uint8Array(pixels);
    if (!(width > 0 && height > 0) || bytes.length !== width * height * 4) {
      throw new Error(`expected ${width}×${height} RGBA pixels, got ${bytes.length} bytes`);
    }
    const size = modelInputSize(current.model);
    const probs = tf.tidy(() => {
      let x = imagesToTensor([{ pixels: bytes, width, height }], size, current.inputRange);
      if (current.perChannel) x = perChannelInput(x, current.perChannel);
      return current.model.predict(x) as tf.Tensor;
    });
    try {
      const probabilities = Array.from(await probs.data());
      return { classNames: [...current.report.classNames], probabilities };
    } finally {
      probs.dispose();
    }
  };

  const hooksFor = (context: HandlerContext<'train-plan' | 'train-start'>): RunHooks => {
    const deps = getDeps();
    return {
      onProgress: (progress) => context.progress(progress),
      isCancelled: () => context.isCancelled(),
      pause: () => deps.pause(),
      now: () => deps.now(),
    };
  };

  const add: Handler<'train-add'> = ({ examples }) => {
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
    return Promise.resolve({ stored: photos.size });
  };

  const removeExamples: Handler<'train-remove'> = ({ ids }) => {
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
    return Promise.resolve({ stored: photos.size });
  };

  const plan: Handler<'train-plan'> = async (req, context) => {
    const base = await activeBase(context);
    const { strategy, blocks } = req.settings;
    const problem = checkSettings(req.settings);
    if (problem) throw new Error(problem);
    const counts = planCounts(base.model, strategy, Math.max(req.numClasses, 1), blocks);
    const result: TrainPlan = {
      strategy,
      baseName: strategy === 'scratch' ? scratchName(base.name) : base.name,
      featureLayer: counts.featureLayer.name,
      ...(counts.cut.pool ? { featurePooled: true } : {}),
      featureSize: counts.cut.size,
      inputSize: inputSizeOf(base.model, namedEntry(base.name)),
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
          ...(base.perChannel ? { perChannel: base.perChannel } : {}),
          photos,
          examples: req.examples,
          classNames: Array.from({ length: req.numClasses }, (_, i) => `class ${i}`),
          settings: req.settings,
          featureCache: cacheFor(base.key),
        },
        hooksFor(context),
      );
      const { featurePhotos, featureMs, stepMs, measuredBatch, steps, totalMs } = estimate;
      result.estimate = { featurePhotos, featureMs, stepMs, measuredBatch, steps, totalMs };
    }
    return { plan: result };
  };

  const start: Handler<'train-start'> = async (req, context) => {
    const base = await activeBase(context);
    // A cancelled run throws TrainCancelled; the service answers 'cancelled'.
    {
      const { model, report } = await trainClassifier(
        {
          base: base.model,
          baseName: base.name,
          inputRange: base.range,
          ...(base.perChannel ? { perChannel: base.perChannel } : {}),
          photos,
          examples: req.examples,
          classNames: req.classNames,
          settings: req.settings,
          featureCache: cacheFor(base.key),
        },
        hooksFor(context),
      );
      trained?.model.dispose();
      // From scratch keeps the base's architecture, and so its preprocessing.
      trained = {
        model,
        report,
        inputRange: base.range,
        ...(base.perChannel ? { perChannel: base.perChannel } : {}),
      };
      getDeps().onTrained?.({ model, classNames: report.classNames });
      return { report };
    }
  };

  const save: Handler<'train-save'> = async ({ name }) => {
    const current = trained;
    if (!current) throw new Error('There is no newly trained model to save: train one first.');
    const clean = name.trim();
    if (!clean) throw new Error('Give the model a name.');
    const { report } = current;
    const artifacts = await artifactsOf(current.model);
    const deps = getDeps();
    const record = await storeLabelledModel(
      deps.store,
      deps.newKey(),
      artifacts,
      {
        name: clean,
        labels: report.classNames,
        inputSize: inputSizeOf(current.model, namedEntry(clean)),
        inputRange: current.inputRange,
        ...(current.perChannel ? { preprocess: current.perChannel } : {}),
        params: current.model.countParams(),
        detail: `trained in Teach (${STRATEGY_TEXT[report.strategy]} on ${report.baseName})`,
        note: `${report.evaluatedOn} accuracy ${(report.accuracy * 100).toFixed(1)} % on ${report.evaluatedOn === 'validation' ? report.valCount : report.trainCount} photos`,
      },
      deps.date(),
    );
    // It is in the store now; loading it from there is what "use" does, so free this copy.
    current.model.dispose();
    trained = null;
    deps.onTrained?.(null);
    return { model: record };
  };

  return {
    'train-add': add,
    'train-remove': removeExamples,
    'train-plan': plan,
    'train-start': start,
    'train-save': save,
    'train-preview': preview,
    ...datasetHandlers,
  };
}

const STRATEGY_TEXT: Record<TrainReport['strategy'], string> = {
  head: 'head only',
  'fine-tune': 'fine-tuned',
  scratch: 'from scratch',
};

/** The worker's dependencies: the model library's IndexedDB store and real time. */
export function browserTrainDeps(store: ModelStore): TrainSessionDeps {
  return {
    store,
    now: () => performance.now(),
    pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
    date: () => new Date(),
    newKey: () => newModelKey(),
    features: indexedDbFeatureStore(),
  };
}
