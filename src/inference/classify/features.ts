/**
 * Pooled features of a photo: the vector a model computes just before its classifier (InceptionV3's
 * 2,048-d `avg_pool`), kept compactly for "similar photos".
 */
import type * as tf from '@tensorflow/tfjs';

/** Layer classes whose output is a model's pooled feature vector. */
const POOLING = /^Global(Average|Max)Pooling2D$/;

/**
 * The name of the symbolic tensor holding `model`'s pooled features, or null when it has none: the
 * last global pooling layer, else the last 2-D output before the model's own output that is not
 * the class scores (a Flatten before the Dense head).
 */
export function pooledTensorName(model: tf.LayersModel): string | null {
  const final = model.outputs[0];
  const classes = final?.shape[final.shape.length - 1];
  let fallback: string | null = null;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    const output = layer.output;
    if (Array.isArray(output)) continue;
    if (POOLING.test(layer.getClassName())) return output.name;
    const shape = output.shape;
    if (
      fallback === null &&
      output !== final &&
      shape.length === 2 &&
      typeof shape[1] === 'number' &&
      shape[1] !== classes &&
      shape[1] >= 16
    ) {
      fallback = output.name;
    }
  }
  return fallback;
}

/**
 * Features as 8-bit integers: scaled so the largest magnitude is 127. Cosine similarity does not
 * care about the scale, so nothing else needs keeping (a quarter of Float32's bytes).
 */
export function quantizeFeatures(values: ArrayLike<number>): Int8Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  const out = new Int8Array(values.length);
  if (max === 0 || !Number.isFinite(max)) return out;
  const scale = 127 / max;
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]! * scale);
  return out;
}
