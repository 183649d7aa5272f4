/**
 * InceptionV3 rebuilt with TensorFlow.js layers, mirroring Keras' `keras.applications.InceptionV3`
 * layer for layer, including the layer names Keras 2.x generates, so Keras weight files and
 * exports that use those names can be mapped onto it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  applyPooling,
  batchNorm,
  LayerNamer,
  poolAndClassify,
  resolveApplicationOptions,
  type ApplicationOptions,
  type ResolvedOptions,
} from './common';
import { sameShape } from '../../lib/same-shape';

/**
 * Options for {@link inceptionV3}; they follow the Keras arguments of the same meaning. The
 * default input is [299, 299, 3], and with the top it is the only one allowed.
 */
export type InceptionV3Options = ApplicationOptions;

/** Names of the eleven Inception block outputs, from the input side to the output side. */
export const INCEPTION_V3_BLOCKS: readonly string[] = Object.freeze(
  Array.from({ length: 11 }, (_, i) => `mixed${i}`),
);

/** Smallest height/width the network accepts (Keras' `min_size`). */
const MIN_INPUT_SIZE = 75;
/** The input size the classifier head (and the ImageNet weights) expects. */
const DEFAULT_SIZE = 299;

type Padding = 'same' | 'valid';

/**
 * The shared option checks, plus InceptionV3's own rule: with the top the input must be
 * [299, 299, 3] (stricter than the other zoo builders, because the head and the ImageNet weights
 * this app loads are made for that size), and without it at least 75x75.
 */
function resolveOptions(options: InceptionV3Options): ResolvedOptions {
  const fn = 'inceptionV3';
  const includeTop = options.includeTop ?? true;
  // With the top the size check below is stricter than min_size, so only the shape's form is
  // checked here (minSize 1) and the [299,299,3] message is the one a wrong size gets.
  const opts = resolveApplicationOptions(options, {
    fn,
    defaultSize: DEFAULT_SIZE,
    minSize: includeTop === true ? 1 : MIN_INPUT_SIZE,
  });
  const [height, width, channels] = opts.inputShape;
  if (opts.includeTop && (height !== DEFAULT_SIZE || width !== DEFAULT_SIZE || channels !== 3)) {
    throw new Error(
      `${fn}: with includeTop the inputShape must be [299,299,3], got ${JSON.stringify(opts.inputShape)}; ` +
        'pass includeTop: false for other sizes',
    );
  }
  return opts;
}

/**
 * Builds InceptionV3 with random initial weights (load trained weights separately, e.g. with
 * {@link copyWeightsInOrder}). The graph, the layer order and the layer names match Keras 2.x.
 */
export function inceptionV3(options: InceptionV3Options = {}): tf.LayersModel {
  const opts = resolveOptions(options);
  const names = new LayerNamer();

  // Conv2D (no bias) -> BatchNormalization (no gamma) -> ReLU, Keras' `conv2d_bn` helper.
  const convBn = (
    x: tf.SymbolicTensor,
    filters: number,
    rows: number,
    cols: number,
    padding: Padding = 'same',
    strides: [number, number] = [1, 1],
  ): tf.SymbolicTensor => {
    let y = tf.layers
      .conv2d({
        filters,
        kernelSize: [rows, cols],
        strides,
        padding,
        useBias: false,
        kernelInitializer: 'glorotUniform',
        name: names.next('conv2d'),
      })
      .apply(x) as tf.SymbolicTensor;
    y = batchNorm(names.next('batch_normalization'), { scale: false }).apply(
      y,
    ) as tf.SymbolicTensor;
    return tf.layers
      .activation({ activation: 'relu', name: names.next('activation') })
      .apply(y) as tf.SymbolicTensor;
  };

  const maxPool3x3s2 = (x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers
      .maxPooling2d({
        poolSize: [3, 3],
        strides: [2, 2],
        padding: 'valid',
        name: names.next('max_pooling2d'),
      })
      .apply(x) as tf.SymbolicTensor;

  const avgPool3x3s1 = (x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers
      .averagePooling2d({
        poolSize: [3, 3],
        strides: [1, 1],
        padding: 'same',
        name: names.next('average_pooling2d'),
      })
      .apply(x) as tf.SymbolicTensor;

  const concat = (inputs: tf.SymbolicTensor[], name?: string): tf.SymbolicTensor =>
    tf.layers
      .concatenate({ axis: -1, name: name ?? names.next('concatenate') })
      .apply(inputs) as tf.SymbolicTensor;

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });

  // Stem.
  let x = convBn(input, 32, 3, 3, 'valid', [2, 2]);
  x = convBn(x, 32, 3, 3, 'valid');
  x = convBn(x, 64, 3, 3);
  x = maxPool3x3s2(x);
  x = convBn(x, 80, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 'valid');
  x = maxPool3x3s2(x);

  // mixed0..mixed2: 35x35 blocks; the pool branch has 32 filters in mixed0, then 64.
  for (const [i, poolFilters] of [32, 64, 64].entries()) {
    const branch1x1 = convBn(x, 64, 1, 1);

    let branch5x5 = convBn(x, 48, 1, 1);
    branch5x5 = convBn(branch5x5, 64, 5, 5);

    let branch3x3dbl = convBn(x, 64, 1, 1);
    branch3x3dbl = convBn(branch3x3dbl, 96, 3, 3);
    branch3x3dbl = convBn(branch3x3dbl, 96, 3, 3);

    let branchPool = avgPool3x3s1(x);
    branchPool = convBn(branchPool, poolFilters, 1, 1);

    x = concat([branch1x1, branch5x5, branch3x3dbl, branchPool], `mixed${i}`);
  }

  // mixed3: grid reduction to 17x17.
  {
    const branch3x3 = convBn(x, 384, 3, 3, 'valid', [2, 2]);

    let branch3x3dbl = convBn(x, 64, 1, 1);
    branch3x3dbl = convBn(branch3x3dbl, 96, 3, 3);
    branch3x3dbl = convBn(branch3x3dbl, 96, 3, 3, 'valid', [2, 2]);

    const branchPool = maxPool3x3s2(x);

    x = concat([branch3x3, branch3x3dbl, branchPool], 'mixed3');
  }

  // mixed4..mixed7: 17x17 blocks with factorised 7x7 convolutions.
  for (const [i, width] of [128, 160, 160, 192].entries()) {
    const branch1x1 = convBn(x, 192, 1, 1);

    let branch7x7 = convBn(x, width, 1, 1);
    branch7x7 = convBn(branch7x7, width, 1, 7);
    branch7x7 = convBn(branch7x7, 192, 7, 1);

    let branch7x7dbl = convBn(x, width, 1, 1);
    branch7x7dbl = convBn(branch7x7dbl, width, 7, 1);
    branch7x7dbl = convBn(branch7x7dbl, width, 1, 7);
    branch7x7dbl = convBn(branch7x7dbl, width, 7, 1);
    branch7x7dbl = convBn(branch7x7dbl, 192, 1, 7);

    let branchPool = avgPool3x3s1(x);
    branchPool = convBn(branchPool, 192, 1, 1);

    x = concat([branch1x1, branch7x7, branch7x7dbl, branchPool], `mixed${4 + i}`);
  }

  // mixed8: grid reduction to 8x8.
  {
    let branch3x3 = convBn(x, 192, 1, 1);
    branch3x3 = convBn(branch3x3, 320, 3, 3, 'valid', [2, 2]);

    let branch7x7x3 = convBn(x, 192, 1, 1);
    branch7x7x3 = convBn(branch7x7x3, 192, 1, 7);
    branch7x7x3 = convBn(branch7x7x3, 192, 7, 1);
    branch7x7x3 = convBn(branch7x7x3, 192, 3, 3, 'valid', [2, 2]);

    const branchPool = maxPool3x3s2(x);

    x = concat([branch3x3, branch7x7x3, branchPool], 'mixed8');
  }

  // mixed9, mixed10: 8x8 blocks with expanded filter banks.
  for (let i = 0; i < 2; i++) {
    const branch1x1 = convBn(x, 320, 1, 1);

    const branch3x3Stem = convBn(x, 384, 1, 1);
    const branch3x3a = convBn(branch3x3Stem, 384, 1, 3);
    const branch3x3b = convBn(branch3x3Stem, 384, 3, 1);
    const branch3x3 = concat([branch3x3a, branch3x3b], `mixed9_${i}`);

    let branch3x3dblStem = convBn(x, 448, 1, 1);
    branch3x3dblStem = convBn(branch3x3dblStem, 384, 3, 3);
    const branch3x3dblA = convBn(branch3x3dblStem, 384, 1, 3);
    const branch3x3dblB = convBn(branch3x3dblStem, 384, 3, 1);
    // Keras leaves this one unnamed, so it becomes concatenate_1 / concatenate_2.
    const branch3x3dbl = concat([branch3x3dblA, branch3x3dblB]);

    let branchPool = avgPool3x3s1(x);
    branchPool = convBn(branchPool, 192, 1, 1);

    x = concat([branch1x1, branch3x3, branch3x3dbl, branchPool], `mixed${9 + i}`);
  }

  if (opts.includeTop) {
    x = poolAndClassify(x, opts, 'avg_pool', {
      kernelInitializer: 'glorotUniform',
      biasInitializer: 'zeros',
    });
  } else if (opts.pooling !== null) {
    // Keras' automatic names; only the one used is taken from the namer.
    x = applyPooling(x, opts.pooling, {
      avg: opts.pooling === 'avg' ? names.next('global_average_pooling2d') : '',
      max: opts.pooling === 'max' ? names.next('global_max_pooling2d') : '',
    });
  }

  return tf.model({ inputs: input, outputs: x, name: 'inception_v3' });
}

/** One weight-owning layer of a weight source that is not a tfjs model (e.g. read from a .h5). */
export interface NamedLayerWeights {
  /** Layer name, used in error messages. */
  name: string;
  /** The layer's weights in Keras order (e.g. kernel; beta, moving_mean, moving_variance). */
  weights: tf.Tensor[];
  /** Keras class name (e.g. 'Conv2D'); checked against the target when given. */
  className?: string;
}

/** Options for {@link copyWeightsInOrder}. */
export interface CopyWeightsOptions {
  /** Name of the target layer after which copying stops (e.g. 'mixed10' to skip the head). */
  stopAfter?: string;
}

/** A weight-owning source layer, normalised from either kind of source. */
interface SourceLayer {
  name: string;
  className: string | undefined;
  weightNames: string[];
  values: tf.Tensor[];
}

const formatShape = (shape: readonly (number | null)[]): string => `[${shape.join(',')}]`;

/** Last path segment of a tfjs weight name: `conv2d_5/kernel` -> `kernel`. */
const shortWeightName = (fullName: string): string => fullName.slice(fullName.lastIndexOf('/') + 1);

/**
 * Copies weights layer by layer, pairing the weight-owning layers of `source` and `target` in
 * order. Class names (when known) and every weight shape are checked before anything is
 * written, so a mismatch throws and leaves the target untouched. Returns the layers copied.
 */
export function copyWeightsInOrder(
  source: tf.LayersModel | readonly NamedLayerWeights[],
  target: tf.LayersModel,
  options: CopyWeightsOptions = {},
): number {
  const { stopAfter } = options;

  let targetLayers = target.layers;
  if (stopAfter !== undefined) {
    const stopIndex = targetLayers.findIndex((layer) => layer.name === stopAfter);
    if (stopIndex < 0) {
      throw new Error(`copyWeightsInOrder: target has no layer named ${stopAfter}`);
    }
    targetLayers = targetLayers.slice(0, stopIndex + 1);
  }
  const targetWeighted = targetLayers.filter((layer) => layer.weights.length > 0);

  const sourceWeighted: SourceLayer[] = Array.isArray(source)
    ? (source as readonly NamedLayerWeights[])
        .filter((entry) => entry.weights.length > 0)
        .map((entry) => ({
          name: entry.name,
          className: entry.className,
          weightNames: entry.weights.map((_, i) => `weight ${i}`),
          values: entry.weights,
        }))
    : (source as tf.LayersModel).layers
        .filter((layer) => layer.weights.length > 0)
        .map((layer) => ({
          name: layer.name,
          className: layer.getClassName(),
          weightNames: layer.weights.map((w) => shortWeightName(w.originalName)),
          // LayerVariable.read() hands back the variable itself: nothing new is allocated.
          values: layer.weights.map((w) => w.read()),
        }));

  if (sourceWeighted.length < targetWeighted.length) {
    throw new Error(
      `copyWeightsInOrder: source has ${sourceWeighted.length} layers with weights but the target ` +
        `needs ${targetWeighted.length}${stopAfter === undefined ? '' : ` (up to ${stopAfter})`}`,
    );
  }
  if (stopAfter === undefined && sourceWeighted.length !== targetWeighted.length) {
    throw new Error(
      `copyWeightsInOrder: source has ${sourceWeighted.length} layers with weights, target has ` +
        `${targetWeighted.length}; pass stopAfter to copy only a prefix`,
    );
  }

  // Validate every pair before writing anything.
  targetWeighted.forEach((layer, i) => {
    const src = sourceWeighted[i]!;
    const className = layer.getClassName();
    if (src.className !== undefined && src.className !== className) {
      throw new Error(
        `layer ${layer.name}: class ${className} does not match source ${src.name} class ${src.className}`,
      );
    }
    const targetWeights = layer.weights;
    if (targetWeights.length !== src.values.length) {
      throw new Error(
        `layer ${layer.name}: has ${targetWeights.length} weights but source ${src.name} has ${src.values.length}`,
      );
    }
    targetWeights.forEach((weight, j) => {
      const value = src.values[j]!;
      const weightName = shortWeightName(weight.originalName);
      if (!sameShape(weight.shape, value.shape)) {
        throw new Error(
          `layer ${layer.name}: ${weightName} shape ${formatShape(weight.shape)} does not match ` +
            `source ${src.name} ${formatShape(value.shape)}`,
        );
      }
      if (value.dtype !== weight.dtype) {
        throw new Error(
          `layer ${layer.name}: ${weightName} dtype ${weight.dtype} does not match ` +
            `source ${src.name} ${src.weightNames[j] ?? ''} dtype ${value.dtype}`,
        );
      }
    });
  });

  // Variable.assign shares the source's buffer (reference counted) rather than copying it, so no
  // temporaries are created and the tensor count stays the same.
  targetWeighted.forEach((layer, i) => {
    layer.setWeights(sourceWeighted[i]!.values);
  });
  return targetWeighted.length;
}
