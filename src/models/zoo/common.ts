/**
 * Building blocks shared by the Keras applications rebuilt in code: Keras-style automatic layer
 * names, the option checks every `keras.applications` function makes, and small layer helpers,
 * so each architecture file only describes its own graph.
 */
import * as tf from '@tensorflow/tfjs';

/** A symbolic tensor flowing through a functional model under construction. */
export type Sym = tf.SymbolicTensor;

/** Hands out Keras 2.x style automatic names: `<prefix>_<n>` with a 1-based counter per prefix. */
export class LayerNamer {
  private readonly counters = new Map<string, number>();

  /** The next free name for `prefix`, e.g. `conv2d_3`. */
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${n}`;
  }
}

/** Options every zoo builder accepts; they follow the Keras arguments of the same meaning. */
export interface ApplicationOptions {
  /** Keep the classifier head (default true). */
  includeTop?: boolean;
  /** Input [height, width, channels]; default [size, size, 3] with the model's default size. */
  inputShape?: [number, number, number];
  /** Global pooling after the last block when `includeTop` is false (default null: 4D output). */
  pooling?: 'avg' | 'max' | null;
  /** Number of output units of the classifier (default 1000). */
  classes?: number;
  /** Activation of the classifier (default 'softmax'; 'linear' gives logits, Keras' None). */
  classifierActivation?: 'softmax' | 'linear';
}

/** {@link ApplicationOptions} with every default filled in. */
export type ResolvedOptions = Required<ApplicationOptions>;

/** What {@link resolveApplicationOptions} needs to know about the architecture. */
export interface ShapeRules {
  /** Function name used in error messages, e.g. 'mobileNet'. */
  fn: string;
  /** Keras' `default_size`. */
  defaultSize: number;
  /** Keras' `min_size`: smallest height/width the network accepts. */
  minSize: number;
}

/**
 * Checks the common options the way Keras' `obtain_input_shape` and the application functions do
 * (with `weights=None`, i.e. random weights: any input of at least `minSize` is allowed, with or
 * without the top) and fills in the defaults. Throws an Error naming the bad option.
 */
export function resolveApplicationOptions(
  options: ApplicationOptions,
  rules: ShapeRules,
): ResolvedOptions {
  const { fn } = rules;
  const includeTop = options.includeTop ?? true;
  if (typeof includeTop !== 'boolean') {
    throw new Error(`${fn}: includeTop must be a boolean, got ${String(includeTop)}`);
  }

  const pooling = options.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') {
    throw new Error(`${fn}: pooling must be 'avg', 'max' or null, got ${String(pooling)}`);
  }
  // Keras silently ignores `pooling` with the top; we refuse it so a mistake is not hidden.
  if (includeTop && pooling !== null) {
    throw new Error(
      `${fn}: pooling '${pooling}' is only allowed with includeTop: false (the top has its own)`,
    );
  }

  const classes = options.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`${fn}: classes must be a positive integer, got ${String(classes)}`);
  }

  const classifierActivation = options.classifierActivation ?? 'softmax';
  if (classifierActivation !== 'softmax' && classifierActivation !== 'linear') {
    throw new Error(
      `${fn}: classifierActivation must be 'softmax' or 'linear', got ${String(classifierActivation)}`,
    );
  }

  const inputShape = options.inputShape ?? [rules.defaultSize, rules.defaultSize, 3];
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new Error(
      `${fn}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`,
    );
  }
  const [height, width, channels] = inputShape;
  if (height < rules.minSize || width < rules.minSize) {
    throw new Error(
      `${fn}: input height and width must be at least ${rules.minSize}, got ${JSON.stringify(inputShape)}`,
    );
  }

  return {
    includeTop,
    pooling,
    classes,
    classifierActivation,
    inputShape: [height, width, channels],
  };
}

/** Checks that `value` is a finite number in (min, max] (or [min, max] with `closedMin`). */
export function checkNumber(
  fn: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  closedMin = false,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (closedMin ? value < min : value <= min) ||
    value > max
  ) {
    const range = `${closedMin ? '[' : '('}${min}, ${max}]`;
    throw new Error(`${fn}: ${name} must be a number in ${range}, got ${String(value)}`);
  }
  return value;
}

/** Applies one layer to one symbolic tensor. */
export const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** Keras' `imagenet_utils.correct_pad`: the zero padding that makes a strided 'valid' conv 'same'. */
export function correctPad(x: Sym, kernelSize: number): [[number, number], [number, number]] {
  const [, height, width] = x.shape;
  // With an unknown size Keras assumes an odd one (adjust 1); our inputs are always static.
  const adjustH = height === null || height === undefined ? 1 : 1 - (height % 2);
  const adjustW = width === null || width === undefined ? 1 : 1 - (width % 2);
  const half = Math.floor(kernelSize / 2);
  return [
    [half - adjustH, half],
    [half - adjustW, half],
  ];
}

/** Keras' `_make_divisible`: rounds a channel count to a multiple of `divisor`, losing ≤ 10 %. */
export function makeDivisible(value: number, divisor: number, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** A Keras `BatchNormalization` on the channel axis (Keras' defaults unless given). */
export function batchNorm(
  name: string,
  { epsilon = 1e-3, momentum = 0.99, scale = true } = {},
): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon, momentum, scale, center: true, name });
}

/** The global pooling Keras adds when `includeTop` is false and `pooling` is set, or nothing. */
export function applyPooling(
  x: Sym,
  pooling: 'avg' | 'max' | null,
  names: { avg: string; max: string },
): Sym {
  if (pooling === 'avg') return apply(tf.layers.globalAveragePooling2d({ name: names.avg }), x);
  if (pooling === 'max') return apply(tf.layers.globalMaxPooling2d({ name: names.max }), x);
  return x;
}

/** The `GlobalAveragePooling2D` + `Dense` top most applications share. */
export function poolAndClassify(
  x: Sym,
  opts: ResolvedOptions,
  poolName: string,
  dense: Partial<Parameters<typeof tf.layers.dense>[0]> = {},
  dropout?: { rate: number; name: string },
): Sym {
  let y = apply(tf.layers.globalAveragePooling2d({ name: poolName }), x);
  if (dropout !== undefined && dropout.rate > 0) {
    y = apply(tf.layers.dropout({ rate: dropout.rate, name: dropout.name }), y);
  }
  return apply(
    tf.layers.dense({
      units: opts.classes,
      activation: opts.classifierActivation,
      name: 'predictions',
      ...dense,
    }),
    y,
  );
}

/** Parameter counts the way Keras' `model.summary()` reports them. */
export interface ParamCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

/** Counts a model's parameters as Keras' `model.summary()` does (without reading any data). */
export function countParams(model: tf.LayersModel): ParamCounts {
  const size = (w: tf.LayerVariable): number => w.shape.reduce((n: number, d) => n * (d ?? 1), 1);
  const trainable = model.trainableWeights.reduce((n, w) => n + size(w), 0);
  const nonTrainable = model.nonTrainableWeights.reduce((n, w) => n + size(w), 0);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
