/**
 * Keras layers the zoo needs that TensorFlow.js lacks or only partly has, written as proper tfjs
 * layers: serializable (getConfig / registered class names equal to Keras' class names), so a
 * model that uses them saves, loads and counts its weights like Keras.
 *
 * Registering under Keras' names replaces tfjs' own `Rescaling` and `GlobalAveragePooling2D` in
 * the deserialization registry; both versions here accept everything tfjs' versions accept and
 * behave identically on it, and add what Keras 3 writes (per-channel scale, `keepdims`).
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;
/** tfjs' base layer arguments (name, trainable, inputShape, dtype …). */
type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];

const one = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor =>
  Array.isArray(inputs) ? inputs[0]! : inputs;

const firstShape = (inputShape: tf.Shape | tf.Shape[]): Shape =>
  (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;

/** Arguments of {@link Rescaling}: a scalar or one value per channel, like Keras 3. */
export interface RescalingArgs extends LayerArgs {
  scale: number | number[];
  offset?: number | number[];
}

/** Keras' `Rescaling`: `x * scale + offset`, with scalar or per-channel (last axis) values. */
export class Rescaling extends tf.layers.Layer {
  /** Keras' class name. */
  static className = 'Rescaling';
  private readonly scale: number | number[];
  private readonly offset: number | number[];

  constructor(args: RescalingArgs) {
    super(args);
    const finite = (v: number | number[]): boolean =>
      (Array.isArray(v) ? v : [v]).every((n) => typeof n === 'number' && Number.isFinite(n));
    if (!finite(args.scale) || !finite(args.offset ?? 0)) {
      throw new Error(
        `Rescaling: scale and offset must be finite numbers, got ${JSON.stringify(args)}`,
      );
    }
    this.scale = args.scale;
    this.offset = args.offset ?? 0;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return firstShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(one(inputs), 'float32');
      return tf.add(tf.mul(x, this.scale), this.offset);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}
tf.serialization.registerClass(Rescaling);

/** Arguments of {@link Normalization}. */
export interface NormalizationArgs extends LayerArgs {
  /** The feature axis (only the last axis is supported, as EfficientNet uses). */
  axis?: number;
  /** Fixed mean and variance; when given, the layer has no weights (as in Keras). */
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Undo the normalisation instead. */
  invert?: boolean;
}

/** Keras' `epsilon()`, the floor on the standard deviation in `Normalization`. */
const KERAS_EPSILON = 1e-7;

/**
 * Keras' `Normalization`: `(x - mean) / max(sqrt(variance), 1e-7)` per channel. Without fixed
 * values it owns three non-trainable weights, in Keras' order: `mean`, `variance` (one value per
 * channel) and the scalar `count` (int), exactly the weights Keras' .h5 files store for it.
 */
export class Normalization extends tf.layers.Layer {
  /** Keras' class name. */
  static className = 'Normalization';
  private readonly axis: number;
  private readonly fixedMean: number | number[] | null;
  private readonly fixedVariance: number | number[] | null;
  private readonly invert: boolean;
  private meanWeight: tf.LayerVariable | null = null;
  private varianceWeight: tf.LayerVariable | null = null;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.fixedMean = args.mean ?? null;
    this.fixedVariance = args.variance ?? null;
    this.invert = args.invert ?? false;
    if ((this.fixedMean === null) !== (this.fixedVariance === null)) {
      throw new Error('Normalization: mean and variance must be given together');
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = firstShape(inputShape);
    const axis = this.axis < 0 ? this.axis + shape.length : this.axis;
    if (axis !== shape.length - 1) {
      throw new Error(
        `Normalization: only the last axis is supported, got axis ${this.axis} for rank ${shape.length}`,
      );
    }
    const channels = shape[axis];
    if (channels === null || channels === undefined) {
      throw new Error('Normalization: the feature axis must have a known size');
    }
    if (this.fixedMean === null) {
      const zeros = tf.initializers.zeros();
      this.meanWeight = this.addWeight('mean', [channels], 'float32', zeros, undefined, false);
      this.varianceWeight = this.addWeight(
        'variance',
        [channels],
        'float32',
        tf.initializers.ones(),
        undefined,
        false,
      );
      // Keras keeps `count` "for backwards compatibility with older saved models"; it is never
      // read at inference, but it is a weight of the layer and of Keras' weight files.
      this.addWeight('count', [], 'int32', zeros, undefined, false);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return firstShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(one(inputs), 'float32');
      const mean =
        this.meanWeight !== null ? this.meanWeight.read() : tf.tensor(this.fixedMean ?? 0);
      const variance =
        this.varianceWeight !== null
          ? this.varianceWeight.read()
          : tf.tensor(this.fixedVariance ?? 1);
      const std = tf.maximum(tf.sqrt(variance), KERAS_EPSILON);
      return this.invert ? tf.add(tf.mul(x, std), mean) : tf.div(tf.sub(x, mean), std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      axis: this.axis,
      mean: this.fixedMean,
      variance: this.fixedVariance,
      invert: this.invert,
    };
  }
}
tf.serialization.registerClass(Normalization);

/** Arguments of {@link GlobalAveragePooling2D}. */
export interface GlobalAveragePooling2DArgs extends LayerArgs {
  dataFormat?: 'channelsFirst' | 'channelsLast';
  /** Keep the pooled axes as size 1 (Keras' `keepdims`, used by MobileNet's top). */
  keepdims?: boolean;
}

/** Keras' `GlobalAveragePooling2D`, including the `keepdims` option tfjs' own lacks. */
export class GlobalAveragePooling2D extends tf.layers.Layer {
  /** Keras' class name. */
  static className = 'GlobalAveragePooling2D';
  private readonly dataFormat: 'channelsFirst' | 'channelsLast';
  private readonly keepdims: boolean;

  constructor(args: GlobalAveragePooling2DArgs = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    if (this.dataFormat !== 'channelsLast' && this.dataFormat !== 'channelsFirst') {
      throw new Error(`GlobalAveragePooling2D: unknown dataFormat ${String(args.dataFormat)}`);
    }
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = [{ ndim: 4 }];
  }

  private get axes(): [number, number] {
    return this.dataFormat === 'channelsLast' ? [1, 2] : [2, 3];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = firstShape(inputShape);
    const [a, b] = this.axes;
    if (this.keepdims) return shape.map((d, i) => (i === a || i === b ? 1 : d));
    return this.dataFormat === 'channelsLast' ? [shape[0]!, shape[3]!] : [shape[0]!, shape[1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.mean(one(inputs), this.axes, this.keepdims));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}
tf.serialization.registerClass(GlobalAveragePooling2D);
