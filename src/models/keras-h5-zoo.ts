/**
 * Keras weight files of any zoo architecture: which architecture a file holds (from the file
 * alone, with or without the top), and the conversion into the zoo's in-code model with those
 * weights (the zoo's builder + {@link copyWeightsByName}). InceptionV3 keeps its own converter
 * (`keras-h5-inception.ts`), whose errors name the missing layer or the wrong shape.
 *
 * Recognising a file the way Keras loads one: Keras pairs the layers that own weights in order,
 * so an architecture is known by how many such layers it has and the shapes of the first and the
 * last of its base. Those differ between every two zoo models (the MobileNet alphas by width).
 */
import * as tf from '@tensorflow/tfjs';
import {
  ConversionCancelled,
  inceptionFromKerasWeights,
  weightedLayers,
  type ConvertOptions,
} from './keras-h5-inception';
import { WeightFileError, type KerasWeightFile } from './keras-h5';
import { copyWeightsByName, type WeightSource } from './zoo/weights';
import { ZOO, zooEntry, type ZooEntry, type ZooModelName } from './zoo/zoo';
import { sameShape } from '../lib/same-shape';

/** How a zoo model's weight-owning layers look, without building it. */
export interface ZooSignature {
  /** layers with weights in the base (`includeTop: false`) */
  weighted: number;
  /** shape of the first weight of the first such layer */
  first: number[];
  /** shapes of every weight of the base's last such layer */
  last: number[][];
  /** length of the pooled feature vector (`pooling: 'avg'`) */
  featureSize: number;
  /** the top's layers with weights, in order, as our builder names them */
  top: readonly string[];
  /** kernel shape of the top's first layer; null where the number of classes goes */
  topKernel: readonly (number | null)[];
}

const bn = (n: number): number[][] => [[n], [n], [n], [n]];

/**
 * Each zoo model's signature; `zoo/signatures.test.ts` builds every model and checks these
 * against it, so they cannot drift from the builders.
 */
export const ZOO_SIGNATURES: Record<ZooModelName, ZooSignature> = {
  inceptionv3: {
    weighted: 188,
    first: [3, 3, 3, 32],
    last: [[192], [192], [192]],
    featureSize: 2048,
    top: ['predictions'],
    topKernel: [2048, null],
  },
  mobilenet: {
    weighted: 54,
    first: [3, 3, 3, 32],
    last: bn(1024),
    featureSize: 1024,
    top: ['conv_preds'],
    topKernel: [1, 1, 1024, null],
  },
  'mobilenet-0.75': {
    weighted: 54,
    first: [3, 3, 3, 24],
    last: bn(768),
    featureSize: 768,
    top: ['conv_preds'],
    topKernel: [1, 1, 768, null],
  },
  'mobilenet-0.5': {
    weighted: 54,
    first: [3, 3, 3, 16],
    last: bn(512),
    featureSize: 512,
    top: ['conv_preds'],
    topKernel: [1, 1, 512, null],
  },
  'mobilenet-0.25': {
    weighted: 54,
    first: [3, 3, 3, 8],
    last: bn(256),
    featureSize: 256,
    top: ['conv_preds'],
    topKernel: [1, 1, 256, null],
  },
  mobilenetv2: {
    weighted: 104,
    first: [3, 3, 3, 32],
    last: bn(1280),
    featureSize: 1280,
    top: ['predictions'],
    topKernel: [1280, null],
  },
  resnet50: {
    weighted: 106,
    first: [7, 7, 3, 64],
    last: bn(2048),
    featureSize: 2048,
    top: ['predictions'],
    topKernel: [2048, null],
  },
  xception: {
    weighted: 80,
    first: [3, 3, 3, 32],
    last: bn(2048),
    featureSize: 2048,
    top: ['predictions'],
    topKernel: [2048, null],
  },
  efficientnetb0: {
    weighted: 131,
    first: [3],
    last: bn(1280),
    featureSize: 1280,
    top: ['predictions'],
    topKernel: [1280, null],
  },
  vgg16: {
    weighted: 13,
    first: [3, 3, 3, 64],
    last: [[3, 3, 512, 512], [512]],
    featureSize: 512,
    top: ['fc1', 'fc2', 'predictions'],
    topKernel: [25088, 4096],
  },
};

/** A layer that owns weights, by name and weight shapes (from a file or a model). */
export interface WeightShapes {
  name: string;
  shapes: readonly (readonly (number | null)[])[];
}

/** What a weight file or a model holds, in zoo terms. */
export interface ZooMatch {
  entry: ZooEntry;
  includeTop: boolean;
  /** output units of the top (or of `head`); 0 without either */
  classes: number;
  /** a Dense softmax layer on the base's pooled features, in place of Keras' top */
  head?: { name: string; units: number };
}

/** True when the first `weighted` layers of `layers` have `signature`'s base shapes. */
function baseFits(layers: readonly WeightShapes[], signature: ZooSignature): boolean {
  const first = layers[0];
  const last = layers[signature.weighted - 1];
  return (
    sameShape(first?.shapes[0], signature.first) &&
    last !== undefined &&
    last.shapes.length === signature.last.length &&
    last.shapes.every((shape, i) => sameShape(shape, signature.last[i]!))
  );
}

/** True when `shape` is `pattern` with any positive number where the pattern has null. */
const fitsPattern = (
  shape: readonly (number | null)[] | undefined,
  pattern: readonly (number | null)[],
): boolean =>
  shape !== undefined &&
  shape.length === pattern.length &&
  pattern.every((d, i) => (d === null ? (shape[i] ?? 0) > 0 : shape[i] === d));

/**
 * The zoo model `layers` (the weight-owning layers, in order) hold: its base alone, with Keras'
 * top (any number of classes), or with one Dense layer on the pooled features (Teach's head,
 * `head`); null when none fits. A single-Dense head on a model whose Keras top is that same Dense
 * (InceptionV3, ResNet50, …) counts as the top: the two are the same model.
 */
export function identifyZoo(layers: readonly WeightShapes[]): ZooMatch | null {
  for (const entry of ZOO) {
    const signature = ZOO_SIGNATURES[entry.name];
    if (!baseFits(layers, signature)) continue;
    const after = layers.slice(signature.weighted);
    if (after.length === 0) return { entry, includeTop: false, classes: 0 };
    const bias = after.at(-1)!.shapes.at(-1);
    const classes = bias?.length === 1 ? (bias[0] ?? 0) : 0;
    if (
      after.length === signature.top.length &&
      classes > 0 &&
      fitsPattern(after[0]!.shapes[0], signature.topKernel)
    ) {
      return { entry, includeTop: true, classes };
    }
    if (after.length === 1 && fitsPattern(after[0]!.shapes[0], [signature.featureSize, null])) {
      const units = after[0]!.shapes[0]![1]!;
      return { entry, includeTop: false, classes: units, head: { name: after[0]!.name, units } };
    }
  }
  return null;
}

/**
 * True when a file that fits no zoo model still looks like a damaged InceptionV3: of the zoo's
 * Keras applications only InceptionV3 leaves its layers with Keras' automatic names
 * (`conv2d_5`, `batch_normalization_5`), so its converter can say which layer is wrong.
 */
function looksLikeInception(layers: readonly WeightShapes[]): boolean {
  const automatic = layers.filter((l) => /^(conv2d|batch_normalization)(_\d+)?$/.test(l.name));
  return layers.length > 0 && automatic.length >= layers.length / 2;
}

/** The weight-owning layers of a Keras file as {@link WeightShapes}. */
export function fileWeightShapes(file: KerasWeightFile): WeightShapes[] {
  return weightedLayers(file).map((l) => ({ name: l.name, shapes: l.weights.map((w) => w.shape) }));
}

/**
 * Pairs `source` layers with the target's names: by name when every target name is in the
 * source, else in order (what Keras' `load_weights` does). Returns the source layer for each
 * target name; throws naming the counts when they differ.
 */
export function pairByNameOrOrder<T extends { name: string }>(
  source: readonly T[],
  targetNames: readonly string[],
  what: string,
): T[] {
  const byName = new Map(source.map((l) => [l.name, l]));
  if (source.length === targetNames.length && targetNames.every((n) => byName.has(n))) {
    return targetNames.map((n) => byName.get(n)!);
  }
  if (source.length !== targetNames.length) {
    throw new WeightFileError(
      `${what}: ${source.length} layers with weights, where ${targetNames.length} are needed.`,
    );
  }
  return [...source];
}

/**
 * Our builder's model for a match: with Keras' top; the base pooled to a feature vector; or that
 * with a new Dense softmax head (as Teach attaches it).
 */
export function buildForMatch(
  match: Omit<ZooMatch, 'entry'> & {
    entry: ZooEntry;
    inputShape?: [number, number, number];
  },
): tf.LayersModel {
  const inputShape = match.inputShape ? { inputShape: match.inputShape } : {};
  if (match.includeTop) {
    return match.entry.build({ includeTop: true, classes: match.classes, ...inputShape });
  }
  const base = match.entry.build({ includeTop: false, pooling: 'avg', ...inputShape });
  if (!match.head) return base;
  const dense = tf.layers.dense({
    units: match.head.units,
    activation: 'softmax',
    name: match.head.name,
  });
  return tf.model({
    inputs: base.inputs,
    outputs: dense.apply(base.outputs[0]!) as tf.SymbolicTensor,
    name: base.name,
  });
}

/** A conversion's result: the model (the caller disposes it) and what it is. */
export interface ZooConversion extends ZooMatch {
  model: tf.LayersModel;
}

/** How a match reads in messages, e.g. "MobileNet (α 0.25) with a 3-class Dense head". */
export function describeMatch(match: ZooMatch): string {
  const name = match.entry.displayName;
  if (match.head) return `${name} with a ${match.head.units}-class Dense head`;
  return match.includeTop
    ? `${name} with the top (${match.classes} classes)`
    : `${name} without the top`;
}

const zooNames = (): string =>
  ZOO.map((e) => `${e.displayName} (${ZOO_SIGNATURES[e.name].weighted})`).join(', ');

/**
 * Recognises the zoo architecture of a Keras weight file and builds it with the file's weights,
 * every layer's shapes checked first. `expect` refuses a file of another architecture (model:fetch
 * knows which one it downloaded). Throws {@link WeightFileError} for a file that does not fit,
 * {@link ConversionCancelled} when cancelled.
 */
export async function zooFromKerasWeights(
  file: KerasWeightFile,
  fileName: string,
  options: ConvertOptions & { expect?: ZooModelName } = {},
): Promise<ZooConversion> {
  const layers = fileWeightShapes(file);
  const match = identifyZoo(layers);
  const expected = options.expect ? zooEntry(options.expect) : null;
  if (expected && match && match.entry.name !== expected.name) {
    throw new WeightFileError(
      `${fileName} holds ${match.entry.displayName} weights, not ${expected.displayName}.`,
    );
  }
  // InceptionV3's converter names what is wrong with a damaged file; it is also the fallback
  // when model:fetch was asked for InceptionV3.
  if (
    match?.entry.name === 'inceptionv3' ||
    (!match && expected?.name === 'inceptionv3') ||
    (!match && !expected && looksLikeInception(layers))
  ) {
    const { model, variant } = await inceptionFromKerasWeights(file, fileName, options);
    return { model, entry: zooEntry('inceptionv3'), ...variant };
  }
  if (file.backend === 'theano') {
    throw new WeightFileError(
      `${fileName} was saved with Theano kernels; only TensorFlow-ordered Keras weights ("tf_kernels") are supported.`,
    );
  }
  if (!match) {
    const first = layers[0];
    throw new WeightFileError(
      `${fileName} is not a weight file of ${expected ? expected.displayName : 'a model this app can build'}: ` +
        `it has ${layers.length} layers with weights (first ${first?.name ?? 'none'}` +
        `${first ? ` [${first.shapes[0]?.join(',') ?? ''}]` : ''}, last ${layers.at(-1)?.name ?? 'none'}). ` +
        `Layers with weights without the top: ${zooNames()}.`,
    );
  }

  const model = buildForMatch(match);
  const made: tf.Tensor[] = [];
  try {
    const targets = model.layers.filter((l) => l.weights.length > 0);
    const sourceLayers = weightedLayers(file);
    const paired = pairByNameOrOrder(
      sourceLayers,
      targets.map((l) => l.name),
      fileName,
    );
    let done = 0;
    const source: WeightSource = {
      layers: targets.map((target, i) => {
        const layer = paired[i]!;
        return {
          name: target.name,
          weights: layer.weights.map((w, j) => ({
            shape: w.shape,
            read: () => {
              if (j === 0) {
                if (options.isCancelled?.()) throw new ConversionCancelled();
                options.onProgress?.(++done / targets.length);
              }
              const t = tf.tensor(w.read(), w.shape, 'float32');
              made.push(t);
              return t;
            },
          })),
        };
      }),
    };
    try {
      copyWeightsByName(source, model);
    } catch (error) {
      if (error instanceof ConversionCancelled) throw error;
      throw new WeightFileError(
        `${fileName} does not fit ${describeMatch(match)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return { model, ...match };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    // The variables hold their own references to the data; these handles can go.
    tf.dispose(made);
  }
}
