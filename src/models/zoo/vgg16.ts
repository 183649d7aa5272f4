/**
 * VGG16 rebuilt with TensorFlow.js layers after Keras 3's `keras/src/applications/vgg16.py`:
 * same layer names, order, shapes and parameter counts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  apply,
  applyPooling,
  LayerNamer,
  resolveApplicationOptions,
  type ApplicationOptions,
} from './common';

/** Options for {@link vgg16}; they follow the Keras arguments of the same meaning. */
export type Vgg16Options = ApplicationOptions;

/** Convolutions per block and their filters (blocks 1..5), from Keras' source. */
const BLOCKS: readonly (readonly [convs: number, filters: number])[] = [
  [2, 64],
  [2, 128],
  [3, 256],
  [3, 512],
  [3, 512],
];

/** Names of the five blocks' outputs (`block1_pool` … `block5_pool`). */
export const VGG16_BLOCKS: readonly string[] = Object.freeze(
  BLOCKS.map((_, i) => `block${i + 1}_pool`),
);

/** Units of the two fully connected layers of the top. */
export const VGG16_FC_UNITS = 4096;

/**
 * Builds Keras' VGG16 with random weights. Mind the size: with the top at 224 × 224 the weights
 * take 528 MB (fc1 alone is 25088 × 4096).
 */
export function vgg16(options: Vgg16Options = {}): tf.LayersModel {
  const fn = 'vgg16';
  const opts = resolveApplicationOptions(options, { fn, defaultSize: 224, minSize: 32 });
  const names = new LayerNamer();

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });
  let x = input;
  BLOCKS.forEach(([convs, filters], b) => {
    for (let c = 1; c <= convs; c++) {
      x = apply(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          activation: 'relu',
          padding: 'same',
          name: `block${b + 1}_conv${c}`,
        }),
        x,
      );
    }
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }), x);
  });

  if (opts.includeTop) {
    x = apply(tf.layers.flatten({ name: 'flatten' }), x);
    x = apply(tf.layers.dense({ units: VGG16_FC_UNITS, activation: 'relu', name: 'fc1' }), x);
    x = apply(tf.layers.dense({ units: VGG16_FC_UNITS, activation: 'relu', name: 'fc2' }), x);
    x = apply(
      tf.layers.dense({
        units: opts.classes,
        activation: opts.classifierActivation,
        name: 'predictions',
      }),
      x,
    );
  } else {
    x = applyPooling(x, opts.pooling, {
      avg: names.next('global_average_pooling2d'),
      max: names.next('global_max_pooling2d'),
    });
  }
  return tf.model({ inputs: input, outputs: x, name: 'vgg16' });
}
