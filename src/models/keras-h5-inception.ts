/**
 * Turns a Keras InceptionV3 weight file (with or without the top) into our in-code
 * {@link inceptionV3} with those weights, the way Keras' `load_weights` does it: the layers that
 * own weights are paired in order, and every weight's shape is checked before anything is
 * copied. A file that does not fit gets an error naming the layer and the shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { copyWeightsInOrder, inceptionV3, type NamedLayerWeights } from './zoo/inception-v3';
import { WeightFileError, type KerasLayer, type KerasWeightFile } from './keras-h5';

/** Layers with weights in InceptionV3 without the top (94 convolutions + 94 batch norms). */
const BASE_WEIGHTED_LAYERS = 188;
/** Pooled feature size at the end of the base (mixed10). */
const BASE_FEATURES = 2048;

/** Which InceptionV3 a weight file fits. */
export interface InceptionVariant {
  includeTop: boolean;
  /** classes of the top (1000 for ImageNet); 0 without the top */
  classes: number;
}

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.join(',')}]`;

/** The layers of the file that own weights, in file order. */
export function weightedLayers(file: KerasWeightFile): KerasLayer[] {
  return file.layers.filter((layer) => layer.weights.length > 0);
}

/**
 * Decides from the file alone whether it holds InceptionV3 with or without the top: with the top
 * it ends in a Dense layer whose kernel is [2048, classes].
 */
export function inceptionVariantOf(file: KerasWeightFile): InceptionVariant {
  const last = weightedLayers(file).at(-1);
  const kernel = last?.weights[0]?.shape;
  if (kernel && kernel.length === 2 && kernel[0] === BASE_FEATURES && kernel[1]! > 0) {
    return { includeTop: true, classes: kernel[1]! };
  }
  return { includeTop: false, classes: 0 };
}

/** The model a variant builds: with the top as Keras has it, without it pooled to 2048 features. */
export function inceptionForVariant(variant: InceptionVariant): tf.LayersModel {
  return variant.includeTop
    ? inceptionV3({ includeTop: true, classes: variant.classes })
    : inceptionV3({ includeTop: false, pooling: 'avg' });
}

function listNames(names: string[], max = 3): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Pairs the file's layers with `model`'s weight-owning layers and checks every shape. Returns
 * the file layer for each target layer. Throws a {@link WeightFileError} naming what does not fit.
 */
export function pairLayers(
  file: KerasWeightFile,
  model: tf.LayersModel,
  fileName: string,
): KerasLayer[] {
  const source = weightedLayers(file);
  const target = model.layers.filter((layer) => layer.weights.length > 0);
  const what = `InceptionV3 ${target.length > BASE_WEIGHTED_LAYERS ? 'with' : 'without'} the top`;

  if (file.backend === 'theano') {
    throw new WeightFileError(
      `${fileName} was saved with Theano kernels; only TensorFlow-ordered Keras weights ("tf_kernels") are supported.`,
    );
  }

  if (source.length !== target.length) {
    const sourceNames = new Set(source.map((l) => l.name));
    const targetNames = new Set(target.map((l) => l.name));
    const missing = target.filter((l) => !sourceNames.has(l.name)).map((l) => l.name);
    const extra = source.filter((l) => !targetNames.has(l.name)).map((l) => l.name);
    const shared = source.length - extra.length;
    if (shared >= Math.min(source.length, target.length) * 0.9) {
      const parts: string[] = [];
      if (missing.length) parts.push(`layer ${listNames(missing)} is missing`);
      if (extra.length) parts.push(`layer ${listNames(extra)} is not part of ${what}`);
      throw new WeightFileError(
        `${fileName} does not fit ${what}: ${parts.join('; ')} ` +
          `(the file has ${source.length} layers with weights, ${what} has ${target.length}).`,
      );
    }
    throw new WeightFileError(
      `${fileName} is not an InceptionV3 weight file: it has ${source.length} layers with weights ` +
        `(first ${source[0]?.name ?? 'none'}, last ${source.at(-1)?.name ?? 'none'}); ` +
        `InceptionV3 has ${BASE_WEIGHTED_LAYERS + 1} with the top and ${BASE_WEIGHTED_LAYERS} without.`,
    );
  }

  // Keras pairs by order. When the file uses exactly our names but in another order, pairing by
  // name is the safer reading of the same intent.
  const byName = new Map(source.map((l) => [l.name, l]));
  const sameNames = target.every((l) => byName.has(l.name));
  const paired = target.map((layer, i) => (sameNames ? byName.get(layer.name)! : source[i]!));

  target.forEach((layer, i) => {
    const src = paired[i]!;
    const label =
      src.name === layer.name
        ? `layer ${layer.name}`
        : `layer ${layer.name} (${src.name} in the file)`;
    if (src.weights.length !== layer.weights.length) {
      throw new WeightFileError(
        `${fileName}: ${label} has ${src.weights.length} weights in the file; ${what} expects ` +
          `${layer.weights.length} (${layer.weights.map((w) => w.originalName.split('/').pop()).join(', ')}).`,
      );
    }
    layer.weights.forEach((weight, j) => {
      const got = src.weights[j]!;
      const expected = weight.shape;
      if (got.shape.length !== expected.length || got.shape.some((d, k) => d !== expected[k])) {
        throw new WeightFileError(
          `${fileName}: ${label}: ${got.name} has shape ${shapeText(got.shape)} in the file, ` +
            `but ${what} expects ${shapeText(expected)}.`,
        );
      }
    });
  });
  return paired;
}

/** Progress and cancellation for a conversion. */
export interface ConvertOptions {
  /** 0..1 as layers are read */
  onProgress?: (fraction: number) => void;
  /** checked between layers; when it returns true the conversion stops with an error */
  isCancelled?: () => boolean;
  /** yields to the event loop every few layers (workers stay responsive to cancel messages) */
  yieldEvery?: number;
}

/** Raised when a conversion was cancelled through {@link ConvertOptions.isCancelled}. */
export class ConversionCancelled extends Error {
  override name = 'ConversionCancelled';
  constructor() {
    super('cancelled');
  }
}

/**
 * Builds our InceptionV3 and loads the file's weights into it, layer by layer, with every shape
 * checked first. The caller owns (and disposes) the returned model.
 */
export async function inceptionFromKerasWeights(
  file: KerasWeightFile,
  fileName: string,
  options: ConvertOptions = {},
): Promise<{ model: tf.LayersModel; variant: InceptionVariant }> {
  const variant = inceptionVariantOf(file);
  const model = inceptionForVariant(variant);
  const yieldEvery = options.yieldEvery ?? 8;
  const sources: NamedLayerWeights[] = [];
  try {
    const paired = pairLayers(file, model, fileName);
    for (const [i, layer] of paired.entries()) {
      if (options.isCancelled?.()) throw new ConversionCancelled();
      sources.push({
        name: layer.name,
        weights: layer.weights.map((w) => tf.tensor(w.read(), w.shape, 'float32')),
      });
      options.onProgress?.((i + 1) / paired.length);
      if ((i + 1) % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    copyWeightsInOrder(sources, model);
    return { model, variant };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    // The model's variables keep their own references; the source tensors can go.
    for (const s of sources) tf.dispose(s.weights);
  }
}
