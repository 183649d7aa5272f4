/**
 * The data side of training, kept pure and testable: a seeded random generator, the per-class
 * train/validation split, shuffled batches, and image augmentation (flip, crop, brightness) as
 * one batched TensorFlow.js computation.
 */
import * as tf from '@tensorflow/tfjs';
import {
  CAFFE_MEAN_BGR,
  TORCH_MEAN,
  TORCH_STD,
  type PreprocessMode,
} from '../../models/zoo/catalog';
import { rgbaToRgbFloat } from '../../preprocess/pixels';
import type { AugmentOptions, TrainExampleRef } from './protocol';

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed gives the same run. */
export type Random = () => number;

/** Creates a {@link Random} from an integer seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles a copy of `items` (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Examples split into the ones trained on and the ones kept aside. */
export interface DataSplit {
  train: TrainExampleRef[];
  validation: TrainExampleRef[];
}

/**
 * Splits per class, so every class is represented on both sides: a class with n photos gives
 * `round(n × fraction)` of them to validation, at least one when the fraction is above 0 and the
 * class has two or more photos, and always leaves at least one for training.
 */
export function splitExamples(
  examples: readonly TrainExampleRef[],
  numClasses: number,
  fraction: number,
  random: Random,
): DataSplit {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new Error(`the validation split must be in [0, 1), got ${fraction}`);
  }
  const byClass: TrainExampleRef[][] = Array.from({ length: numClasses }, () => []);
  for (const example of examples) {
    const list = byClass[example.label];
    if (!list) {
      throw new Error(`photo ${example.id} has class ${example.label}, not one of ${numClasses}`);
    }
    list.push(example);
  }
  const split: DataSplit = { train: [], validation: [] };
  for (const list of byClass) {
    const mixed = shuffled(list, random);
    let count = Math.round(mixed.length * fraction);
    if (fraction > 0 && mixed.length >= 2) count = Math.max(count, 1);
    count = Math.min(count, mixed.length - 1);
    count = Math.max(count, 0);
    split.validation.push(...mixed.slice(0, count));
    split.train.push(...mixed.slice(count));
  }
  return split;
}

/** Cuts `count` items into batches of `size` (the last one may be smaller). */
export function batchRanges(count: number, size: number): [number, number][] {
  if (!(size >= 1)) throw new Error(`batch size must be at least 1, got ${size}`);
  const out: [number, number][] = [];
  for (let start = 0; start < count; start += size)
    out.push([start, Math.min(count, start + size)]);
  return out;
}

/** An example photo as the worker stores it. */
export interface StoredPixels {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Stacks photos into one `[n, size, size, 3]` tensor in the model's input range, resizing any
 * photo stored at another size (e.g. added while a smaller model was active).
 */
export function imagesToTensor(
  photos: readonly StoredPixels[],
  size: number,
  range: readonly [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const same = photos.every((p) => p.width === size && p.height === size);
    if (same) {
      const plane = size * size * 3;
      const data = new Float32Array(photos.length * plane);
      photos.forEach((p, i) => data.set(rgbaToRgbFloat(p.pixels, range), i * plane));
      return tf.tensor4d(data, [photos.length, size, size, 3]);
    }
    const parts = photos.map((p) => {
      const x = tf.tensor4d(rgbaToRgbFloat(p.pixels, range), [1, p.height, p.width, 3]);
      return p.width === size && p.height === size ? x : tf.image.resizeBilinear(x, [size, size]);
    });
    return tf.concat(parts, 0);
  });
}

/** Keras' `preprocess_input` modes that are not one linear range ('caffe', 'torch'). */
export type PerChannelMode = Extract<PreprocessMode, 'caffe' | 'torch'>;

/**
 * How a base's pixels are made: 'tf' and 'none' are the linear ranges [-1, 1] and [0, 255];
 * 'caffe' and 'torch' are made in [0, 255] (where augmentation works) and then given
 * {@link perChannelInput}.
 */
export function pixelSpecOf(
  preprocess: PreprocessMode | undefined,
  inputRange: readonly [number, number],
): { range: [number, number]; perChannel?: PerChannelMode } {
  if (preprocess === 'caffe' || preprocess === 'torch') {
    return { range: [0, 255], perChannel: preprocess };
  }
  return { range: [inputRange[0], inputRange[1]] };
}

/**
 * Keras' per-channel `preprocess_input` on a batch of RGB pixels in [0, 255], as tensors (the same
 * arithmetic as `preprocessInput` in models/zoo/catalog.ts): 'caffe' reverses RGB into BGR and
 * subtracts the ImageNet mean pixel; 'torch' scales to [0, 1] and standardises each channel.
 */
export function perChannelInput(x: tf.Tensor4D, mode: PerChannelMode): tf.Tensor4D {
  return tf.tidy(() => {
    if (mode === 'caffe') {
      return tf.sub(tf.reverse(x, -1), tf.tensor1d(CAFFE_MEAN_BGR as number[]));
    }
    const scaled = tf.sub(tf.div(x, 255), tf.tensor1d(TORCH_MEAN as number[]));
    return tf.div(scaled, tf.tensor1d(TORCH_STD as number[]));
  });
}

/** The random choices for one photo's augmentation. */
export interface AugmentDraw {
  flip: boolean;
  /** crop box, normalised [y1, x1, y2, x2] before flipping */
  box: [number, number, number, number];
  /** added to every channel, as a fraction of the input range's span */
  brightness: number;
}

/** Draws the augmentation of one photo. */
export function drawAugmentation(options: AugmentOptions, random: Random): AugmentDraw {
  const flip = options.flip && random() < 0.5;
  let box: AugmentDraw['box'] = [0, 0, 1, 1];
  if (options.crop) {
    const side = 0.8 + 0.2 * random();
    const y = (1 - side) * random();
    const x = (1 - side) * random();
    box = [y, x, y + side, x + side];
  }
  const brightness = options.brightness ? (random() * 2 - 1) * 0.2 : 0;
  return { flip, box, brightness };
}

/** True when the options change nothing. */
export function augmentsNothing(options: AugmentOptions): boolean {
  return !options.flip && !options.crop && !options.brightness;
}

/**
 * Applies one draw per photo to a batch in the model's input range: crop and flip in one
 * `cropAndResize` (a box with x1 > x2 samples mirrored), then brightness, clipped to the range.
 * Returns a new tensor; the input is not disposed.
 */
export function augmentBatch(
  images: tf.Tensor4D,
  draws: readonly AugmentDraw[],
  range: readonly [number, number],
): tf.Tensor4D {
  const [n, height, width] = images.shape;
  if (draws.length !== n) throw new Error(`${draws.length} augmentations for ${n} photos`);
  return tf.tidy(() => {
    const boxes = draws.map(({ flip, box: [y1, x1, y2, x2] }) =>
      flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2],
    );
    let out: tf.Tensor4D = tf.image.cropAndResize(
      images,
      tf.tensor2d(boxes, [n, 4]),
      tf.range(0, n, 1, 'int32'),
      [height, width],
      'bilinear',
    );
    if (draws.some((d) => d.brightness !== 0)) {
      const [lo, hi] = range;
      const shift = tf.tensor4d(
        draws.map((d) => d.brightness * (hi - lo)),
        [n, 1, 1, 1],
      );
      out = tf.clipByValue(tf.add(out, shift), Math.min(lo, hi), Math.max(lo, hi)) as tf.Tensor4D;
    }
    return out;
  });
}
