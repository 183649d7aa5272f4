/**
 * A loaded TensorFlow.js layers model wrapped as a classifier: RGBA pixels in, ranked labels out.
 * Everything tensor-shaped happens inside `tf.tidy`, so a classify leaves no tensors behind.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { labelAt, type ResolvedLabels } from './labels';
import { inputMaker, modelInputPixels } from './model-input';
import type { EngineReport, LoadedModelInfo, Prediction } from '../protocol';
import { asProbabilities, topK } from './top-k';
import { photoInference } from '../backends/wasm-threads';
import { featureSourceOf, featureVector, quantizeFeatures, type FeatureSource } from './features';
import type { EngineOutput, PhotoEngine } from '../engines/engine-choice';

/**
 * The seam where another engine takes photos over from TensorFlow.js (engines/select-engine.ts):
 * what it needs to convert and check the model, and the switch.
 */
export interface EngineHost {
  /** the model photos run through (the inference form when there is one) */
  readonly model: tf.LayersModel;
  /** the layer whose output is the pooled features, or null */
  readonly featuresLayer: string | null;
  /** where the pooled features are read (see features.ts), or null */
  readonly featureSource: FeatureSource | null;
  readonly inputSize: number;
  /** RGBA bytes at the input size → the model's input values */
  input(rgba: Uint8Array): Float32Array;
  /** one TensorFlow.js inference of a ready input, with the pooled features when there are any */
  infer(input: Float32Array): Promise<EngineOutput>;
  /** photos run on `engine` from now on (null: TensorFlow.js); the classifier then owns it */
  use(engine: PhotoEngine | null): void;
}

/** What the worker's handlers need from a model; tests supply fakes. */
export interface Classifier {
  readonly info: LoadedModelInfo;
  /**
   * The Keras-structured layers model, for features that inspect, explain or train it (absent in
   * fakes); built on the first call when the classifier was loaded from a folded copy. Photos may
   * run through an optimised copy of it (see `inferenceModel` of createClassifier): a feature
   * that changes its weights in place must wrap the model in a new classifier.
   */
  original?(): Promise<tf.LayersModel>;
  /** the entry it was loaded from and its resolved labels */
  readonly entry?: ModelEntry;
  readonly labels?: ResolvedLabels;
  /** Ranks the classes for one `width × height` RGBA image. */
  classify(rgba: Uint8Array, width: number, height: number, k: number): Promise<Prediction[]>;
  /**
   * Like `classify`, also returning the photo's pooled features as 8-bit integers (null when the
   * model has no pooled layer). Absent in fakes.
   */
  classifyWithFeatures?(
    rgba: Uint8Array,
    width: number,
    height: number,
    k: number,
  ): Promise<{ predictions: Prediction[]; features: Int8Array | null }>;
  /**
   * Runs one dummy inference so shaders/kernels are compiled; returns its milliseconds. With
   * `prime`, a load's first warm-up that nothing times against other backends, it may run on a
   * smaller input where that does the same work (see {@link warmUpSide}).
   */
  warmUp(options?: { prime?: boolean }): Promise<number>;
  /** where another engine can take photos over (absent in fakes) */
  readonly engineHost?: EngineHost;
  /**
   * Keeps the folded copy this load made for the next visit (IndexedDB); present after such a
   * load until called. The worker calls it in idle time after the first photos.
   */
  keepFoldedCopy?(): Promise<boolean>;
  /**
   * Keeps the file the photo engine was chosen with for the next visit (a `.tflite`, see
   * `engines/kept-engine.ts`); present once chosen until called. Called in idle time, as
   * `keepFoldedCopy` is.
   */
  keepEngineFile?(): Promise<void>;
  /**
   * The version of the model's files it was made from (`modelIdentity`), when they were fetched
   * and folded: what copies kept for the next visit (the folded copy, a `.tflite`) are keyed by.
   */
  identity?: string;
  /**
   * Set when photos already run on another engine as the load made it (a LiteRT.js started
   * from the `.tflite` an earlier visit kept): the load reports it instead of choosing again.
   */
  readonly engineReport?: EngineReport;
  dispose(): void;
}

/** The square input size a layers model expects, or an error that says why it cannot be used. */
export function inputSizeOf(model: tf.LayersModel, entry: ModelEntry): number {
  const shape = model.inputs[0]?.shape ?? [];
  const [, h, w, c] = shape;
  if (shape.length !== 4 || (c !== null && c !== 3)) {
    throw new Error(
      `${entry.name} expects input shape [${shape.join(', ')}]; an image classifier takes [batch, height, width, 3]`,
    );
  }
  if (typeof h === 'number' && typeof w === 'number' && h !== w) {
    throw new Error(`${entry.name} expects ${w}×${h} images; only square inputs are supported`);
  }
  const size = entry.inputSize ?? h ?? w;
  if (!size) throw new Error(`${entry.name} does not say its input size`);
  return size;
}

/** Number of classes of a model whose first output is [batch, classes]. */
export function numClassesOf(model: tf.LayersModel, entry: ModelEntry): number {
  const shape = model.outputs[0]?.shape ?? [];
  const n = shape[shape.length - 1];
  if (shape.length !== 2 || typeof n !== 'number') {
    throw new Error(`${entry.name} outputs shape [${shape.join(', ')}], not [batch, classes]`);
  }
  return n;
}

/** A photo's ranked classes, and its pooled features as 8-bit integers (or null). */
export interface PhotoAnswer {
  predictions: Prediction[];
  features: Int8Array | null;
}

/** One photo through a classifier: RGBA at `width × height`, the top `k`, features or not. */
export type PhotoRun = (
  rgba: Uint8Array,
  width: number,
  height: number,
  k: number,
  withFeatures: boolean,
) => Promise<PhotoAnswer>;

/** Throws unless `rgba` holds exactly `width × height` RGBA pixels. */
export function checkRgba(rgba: Uint8Array, width: number, height: number): void {
  if (rgba.length !== width * height * 4) {
    throw new Error(`expected ${width}×${height} RGBA pixels, got ${rgba.length} bytes`);
  }
}

/**
 * A photo's answer from one inference's outputs: the top `k` classes with their labels, and the
 * pooled features as 8-bit integers (null without `featureValues` or a `source`).
 */
export function answerOf(
  values: Float32Array,
  featureValues: ArrayLike<number> | null,
  source: FeatureSource | null,
  labels: ResolvedLabels,
  k: number,
): PhotoAnswer {
  const probabilities = asProbabilities(values);
  const predictions = topK(probabilities, k).map((index) => ({
    index,
    label: labelAt(labels, index),
    probability: probabilities[index] as number,
  }));
  return {
    predictions,
    features:
      featureValues && source ? quantizeFeatures(featureVector(featureValues, source)) : null,
  };
}

/** The side of a priming warm-up's input (InceptionV3's smallest; every zoo model takes it). */
export const PRIME_SIDE = 75;

/**
 * The side a load's priming warm-up runs at. On WebAssembly (and the plain CPU backend) what
 * makes a model's first inference slow is packing each layer's weights for XNNPACK, which does
 * not depend on the input's size, so a 75 × 75 input primes InceptionV3 for about a tenth of a
 * photo's arithmetic. GPU backends compile their programs for each shape, so they warm up at the
 * model's own size, as does a model whose layers fix the spatial size (Flatten, Reshape: VGG's
 * top, say) or that the small input does not fit (see {@link fitsSide}).
 */
export function warmUpSide(inputSize: number, backend: string, model: tf.LayersModel): number {
  const side = Math.min(inputSize, PRIME_SIDE);
  if (side === inputSize || (backend !== 'wasm' && backend !== 'cpu')) return inputSize;
  return fitsSide(model, side) ? side : inputSize;
}

type Shape = (number | null)[];

/**
 * Whether `model` runs on a `side × side` input: its layers' output shapes worked out from the
 * config alone (nothing runs), none of them empty, and no layer that needs the model's own
 * spatial size. Checked before the run, because a kernel larger than its input is not a
 * JavaScript error on WebAssembly: it writes out of bounds and spoils the backend's memory.
 */
export function fitsSide(model: tf.LayersModel, side: number): boolean {
  const outputs = new Map<tf.layers.Layer, Shape[]>();
  const asInput = (layer: tf.layers.Layer): Shape[] => {
    const shape = (layer as unknown as { batchInputShape?: Shape }).batchInputShape;
    if (!shape || shape.length !== 4) throw new Error('not an image input');
    return [[shape[0] ?? null, side, side, shape[3] ?? null]];
  };
  try {
    for (const layer of model.layers) {
      const kind = layer.getClassName();
      if (kind === 'Flatten' || kind === 'Reshape') return false;
      if (kind === 'InputLayer') {
        outputs.set(layer, asInput(layer));
        continue;
      }
      const node = layer.inboundNodes[0];
      if (!node || layer.inboundNodes.length !== 1) return false;
      const inputs = node.inboundLayers.map((from, i) => {
        const shapes = outputs.get(from) ?? (outputs.set(from, asInput(from)), outputs.get(from)!);
        const shape = shapes[node.tensorIndices[i] ?? 0];
        if (!shape) throw new Error('unknown input shape');
        return shape;
      });
      const out = layer.computeOutputShape(inputs.length === 1 ? inputs[0]! : inputs);
      const list = (Array.isArray(out[0]) ? out : [out]) as Shape[];
      if (list.some((shape) => shape.some((d) => d !== null && !(d > 0)))) return false;
      outputs.set(layer, list);
    }
    return true;
  } catch {
    return false; // a layer whose shapes cannot be worked out here: run at the model's own size
  }
}

/** Options of {@link createClassifier}. */
export interface ClassifierOptions {
  /**
   * An equivalent, inference-only form of `model` (e.g. with batch norm folded, see
   * fold-batch-norm.ts) that classify and warm-up run instead; owned and disposed with it.
   */
  inferenceModel?: tf.LayersModel;
  /**
   * Builds the Keras-structured original when `model` is only its inference form (a folded copy,
   * see inference-model.ts); called once, on the first `original()`. The result is owned and
   * disposed with the classifier.
   */
  loadOriginal?: () => Promise<tf.LayersModel>;
  /** the original's parameter count, when `model` is not the original */
  params?: number;
}

/** Wraps `model`; the classifier owns it (and `options.inferenceModel`) and disposes them. */
export function createClassifier(
  model: tf.LayersModel,
  entry: ModelEntry,
  labels: ResolvedLabels,
  options: ClassifierOptions = {},
): Classifier {
  const fast = options.inferenceModel ?? model;
  const inputSize = inputSizeOf(model, entry);
  const numClasses = numClassesOf(model, entry);
  const info: LoadedModelInfo = {
    id: entry.id,
    name: entry.name,
    url: entry.url,
    inputSize,
    inputRange: entry.inputRange,
    numClasses,
    labelSource: labels.source,
    params: options.params ?? model.countParams(),
  };

  // The original: `model` itself, unless it is to be built on first use.
  const { loadOriginal } = options;
  let original: Promise<tf.LayersModel> | null = loadOriginal ? null : Promise.resolve(model);
  let built: tf.LayersModel | null = null;
  let disposed = false;
  function getOriginal(): Promise<tf.LayersModel> {
    if (disposed) return Promise.reject(new Error(`${info.name} is no longer loaded`));
    if (!original && loadOriginal) {
      const building = loadOriginal().then((m) => {
        if (disposed) {
          m.dispose(); // the classifier went while it was being built
          throw new Error(`${info.name} is no longer loaded`);
        }
        built = m;
        return m;
      });
      // A failed build (offline, say) is tried again on the next request.
      building.catch(() => {
        if (original === building) original = null;
      });
      original = building;
    }
    return original as Promise<tf.LayersModel>;
  }

  function predict(input: tf.Tensor4D): tf.Tensor {
    const out = fast.predict(input);
    return Array.isArray(out) ? (out[0] as tf.Tensor) : out;
  }

  // Looked up once, on the first photo that asks for features.
  let pooled: FeatureSource | null | undefined;
  /** another engine running the photos (engines/), or null for TensorFlow.js */
  let engine: PhotoEngine | null = null;

  /** Each photo's input, made in one kept buffer and used at once (model-input.ts). */
  const photoInput = inputMaker(entry);

  /** `engine`'s answer for a photo, or null when TensorFlow.js must run it (and from now on). */
  async function viaEngine(
    rgba: Uint8Array,
    width: number,
    height: number,
    featureName: string | null,
  ): Promise<EngineOutput | null> {
    if (!engine || width !== inputSize || height !== inputSize) return null;
    try {
      const out = await engine.run(photoInput(rgba));
      return featureName && !out.features ? null : out;
    } catch (error) {
      // Any failure hands the photos back to TensorFlow.js for good, this one included.
      console.warn('the photo engine failed; TensorFlow.js takes over:', error);
      engine.dispose();
      engine = null;
      return null;
    }
  }

  /** One TensorFlow.js inference: the scores, and the features when `featureName` is set. */
  async function tfInfer(
    pixels: Float32Array,
    width: number,
    height: number,
    featureName: string | null,
  ): Promise<readonly [Float32Array, Float32Array | null]> {
    const outputs = tf.tidy(() => {
      let x: tf.Tensor4D = tf.tensor4d(pixels, [1, height, width, 3]);
      if (width !== inputSize || height !== inputSize) {
        x = tf.image.resizeBilinear(x, [inputSize, inputSize]);
      }
      if (!featureName) return [predict(x)];
      // One pass computes both: the scores and the pooled layer they are made from.
      return fast.execute(x, [fast.outputs[0]!.name, featureName]) as tf.Tensor[];
    });
    try {
      const data = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
      return [data[0]!, data[1] ?? null] as const;
    } finally {
      for (const t of outputs) t.dispose();
    }
  }

  const run: PhotoRun = async (rgba, width, height, k, withFeatures) => {
    checkRgba(rgba, width, height);
    if (withFeatures && pooled === undefined) pooled = featureSourceOf(fast);
    const source = withFeatures ? (pooled ?? null) : null;
    const featureName = source?.name ?? null;
    const other = await viaEngine(rgba, width, height, featureName);
    // Photo inferences go through the WASM thread trial while one runs (wasm-threads.ts). The
    // input is made as the tensor is: tfInfer copies it before its first await.
    const [values, featureValues] = other
      ? ([other.probs, featureName ? other.features : null] as const)
      : await photoInference(() => tfInfer(photoInput(rgba), width, height, featureName));
    return answerOf(values, featureValues, source, labels, k);
  };

  return {
    info,
    original: getOriginal,
    entry,
    labels,
    async classify(rgba, width, height, k) {
      return (await run(rgba, width, height, k, false)).predictions;
    },
    classifyWithFeatures(rgba, width, height, k) {
      return run(rgba, width, height, k, true);
    },
    engineHost: {
      model: fast,
      get featureSource() {
        pooled ??= featureSourceOf(fast);
        return pooled;
      },
      get featuresLayer() {
        pooled ??= featureSourceOf(fast);
        const name = pooled?.name ?? null;
        if (name === null) return null;
        const layer = fast.layers.find((l) => !Array.isArray(l.output) && l.output.name === name);
        return layer?.name ?? null;
      },
      inputSize,
      input: (rgba) => modelInputPixels(rgba, entry),
      async infer(input) {
        pooled ??= featureSourceOf(fast);
        const [probs, features] = await tfInfer(input, inputSize, inputSize, pooled?.name ?? null);
        return { probs, features };
      },
      use(next) {
        if (engine && engine !== next) engine.dispose();
        engine = next;
      },
    },
    async warmUp(options = {}) {
      const start = performance.now();
      const side = options.prime ? warmUpSide(inputSize, tf.getBackend(), fast) : inputSize;
      // `execute`, not `predict`: predict insists on the model's own input shape.
      const out = tf.tidy(() => {
        const result = fast.execute(tf.zeros([1, side, side, 3]), fast.outputs[0]!.name);
        return Array.isArray(result) ? result[0]! : result;
      });
      try {
        await out.data();
      } finally {
        out.dispose();
      }
      return performance.now() - start;
    },
    dispose() {
      disposed = true;
      engine?.dispose();
      engine = null;
      if (fast !== model) fast.dispose();
      model.dispose();
      built?.dispose();
    },
  };
}
