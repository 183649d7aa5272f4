/**
 * The weights explorer's numbers: per weight tensor its shape, dtype, min / max / mean / std and
 * a histogram; for a convolution over RGB input, its filters as small images. The statistics are
 * plain functions over typed arrays; only {@link inspectLayerWeights} touches TensorFlow.js.
 */
import type * as tf from '@tensorflow/tfjs';
import type { FilterImages, Histogram, LayerWeights, WeightStats } from './protocol';

/** Number of histogram bins the explorer draws. */
export const HISTOGRAM_BINS = 40;

/** Summary statistics of some numbers (population std, as numpy's `std()`), NaNs excluded. */
export function describeValues(
  values: ArrayLike<number>,
  bins = HISTOGRAM_BINS,
): Pick<WeightStats, 'min' | 'max' | 'mean' | 'std' | 'histogram'> & { count: number } {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be ≥ 1, got ${bins}`);
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  // Welford's running mean and variance: stable for millions of values.
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  if (count === 0) {
    return {
      count,
      min: NaN,
      max: NaN,
      mean: NaN,
      std: NaN,
      histogram: { min: 0, max: 0, counts: new Array<number>(bins).fill(0) },
    };
  }
  return {
    count,
    min,
    max,
    mean,
    std: Math.sqrt(m2 / count),
    histogram: histogram(values, min, max, bins),
  };
}

/**
 * Counts of `values` in `bins` equal-width bins over `[min, max]`; the last bin includes `max`.
 * When all values are equal they all land in the middle bin.
 */
export function histogram(
  values: ArrayLike<number>,
  min: number,
  max: number,
  bins: number,
): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v) || v < min || v > max) continue;
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : bins >> 1;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { min, max, counts };
}

/**
 * A conv kernel `[kh, kw, 3, filters]` (Keras' layout) as `filters` small RGB images, all scaled
 * with one range (the kernel's min → 0, max → 255) so filters can be compared. Returns null for
 * kernels that do not look at 3 input channels.
 */
export function filterImages(
  kernel: ArrayLike<number>,
  shape: readonly number[],
): FilterImages | null {
  if (shape.length !== 4 || shape[2] !== 3) return null;
  const [kh, kw, , count] = shape as [number, number, number, number];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < kernel.length; i++) {
    const v = kernel[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = max > min ? 255 / (max - min) : 0;
  const rgba = new Uint8ClampedArray(count * kh * kw * 4);
  for (let f = 0; f < count; f++) {
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const out = ((f * kh + y) * kw + x) * 4;
        for (let c = 0; c < 3; c++) {
          // Keras layout: index ((y * kw + x) * 3 + c) * count + f
          const v = kernel[((y * kw + x) * 3 + c) * count + f] as number;
          rgba[out + c] = scale > 0 ? (v - min) * scale : 128;
        }
        rgba[out + 3] = 255;
      }
    }
  }
  return { width: kw, height: kh, count, rgba: rgba.buffer, min, max };
}

/** Statistics of every weight of `layerName` in `model`, read from the backend. */
export async function inspectLayerWeights(
  model: tf.LayersModel,
  layerName: string,
): Promise<LayerWeights> {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new Error(`the model has no layer named '${layerName}'`);
  }
  const type = layer.getClassName();
  const result: LayerWeights = { layer: layer.name, type, weights: [] };
  const trainableIds = new Set(layer.trainableWeights.map((w) => w.id));
  for (const variable of layer.weights) {
    // read() hands out the variable itself, which must not be disposed.
    const values = await variable.read().data<'float32' | 'int32' | 'bool'>();
    const shape = variable.shape.map((d) => d ?? 0);
    const stats = describeValues(values);
    result.weights.push({
      // Keras' name (`conv2d_1/kernel`): `name` is TensorFlow.js' unique one, which gains a `_1`
      // when another model with the same layer names was built first (the folded inference copy).
      name: variable.originalName,
      shape,
      dtype: variable.dtype,
      trainable: trainableIds.has(variable.id),
      size: values.length,
      min: stats.min,
      max: stats.max,
      mean: stats.mean,
      std: stats.std,
      histogram: stats.histogram,
    });
    const isKernel = /(^|\/)kernel(_\d+)?$/.test(variable.originalName) && /Conv2D$/.test(type);
    if (isKernel && !result.filters) {
      const images = filterImages(values, shape);
      if (images) result.filters = images;
    }
  }
  return result;
}
