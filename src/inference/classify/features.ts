/**
 * Pooled features of a photo: the vector a model computes just before its classifier (InceptionV3's
 * 2,048-d `avg_pool`), kept compactly for "similar photos".
 */
import type * as tf from '@tensorflow/tfjs';
import { findBlocks } from '../../models/zoo/blocks';

/** Layer classes whose output is a model's pooled feature vector. */
const POOLING = /^Global(Average|Max)Pooling2D$/;

/** Where a model's pooled features are read. */
export interface FeatureSource {
  /** the symbolic tensor holding them */
  name: string;
  /**
   * set when that tensor is a spatial map (VGG16's `block5_pool`, [1, 7, 7, 512]): its values are
   * averaged over space into this many channels, as Keras' `pooling='avg'` does
   */
  poolChannels?: number;
}

/**
 * Where `model`'s pooled features are, or null when it has none: the last global pooling layer
 * (InceptionV3's 2,048-d `avg_pool`); else, for a model whose blocks carry Keras' names but that
 * has no pooling (VGG16), the last block's output averaged over space (512-d, the base Teach
 * builds; never the 4,096-d `fc2`); else the last 2-D output before the model's own output that is
 * not the class scores (a Flatten before the Dense head).
 */
export function featureSourceOf(model: tf.LayersModel): FeatureSource | null {
  const final = model.outputs[0];
  const classes = final?.shape[final.shape.length - 1];
  const single = (layer: tf.layers.Layer) => (Array.isArray(layer.output) ? null : layer.output);
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    const output = single(layer);
    if (output && POOLING.test(layer.getClassName())) return { name: output.name };
  }
  const blockEnd = findBlocks(model.layers.map((l) => l.name))?.ends.at(-1);
  if (blockEnd !== undefined) {
    const output = single(model.getLayer(blockEnd));
    const channels = output?.shape[3];
    if (output && output.shape.length === 4 && typeof channels === 'number') {
      return { name: output.name, poolChannels: channels };
    }
  }
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const output = single(model.layers[i]!);
    if (!output) continue;
    const shape = output.shape;
    if (
      output !== final &&
      shape.length === 2 &&
      typeof shape[1] === 'number' &&
      shape[1] !== classes &&
      shape[1] >= 16
    ) {
      return { name: output.name };
    }
  }
  return null;
}

/** The name of the symbolic tensor holding `model`'s features ({@link featureSourceOf}). */
export function pooledTensorName(model: tf.LayersModel): string | null {
  return featureSourceOf(model)?.name ?? null;
}

/**
 * A spatial map's values (channels last, as TensorFlow.js and LiteRT lay them out) averaged over
 * its positions: `channels` values.
 */
export function averageOverSpace(values: ArrayLike<number>, channels: number): Float32Array {
  const out = new Float32Array(channels);
  const positions = Math.floor(values.length / channels);
  if (positions === 0) return out;
  for (let p = 0; p < positions; p++) {
    const base = p * channels;
    for (let c = 0; c < channels; c++) out[c]! += values[base + c]!;
  }
  for (let c = 0; c < channels; c++) out[c]! /= positions;
  return out;
}

/** The features of a source as one vector: averaged over space when the source asks for it. */
export function featureVector(values: ArrayLike<number>, source: FeatureSource): ArrayLike<number> {
  return source.poolChannels ? averageOverSpace(values, source.poolChannels) : values;
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
