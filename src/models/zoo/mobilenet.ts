/**
 * MobileNet (v1) rebuilt with TensorFlow.js layers after Keras 3's
 * `keras/src/applications/mobilenet.py`: same layer names, order, shapes and parameter counts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  apply,
  applyPooling,
  batchNorm,
  checkNumber,
  LayerNamer,
  resolveApplicationOptions,
  type ApplicationOptions,
} from './common';
import { GlobalAveragePooling2D } from './layers';

/** Options for {@link mobileNet}; they follow the Keras arguments of the same meaning. */
export interface MobileNetOptions extends ApplicationOptions {
  /** Width multiplier (default 1.0; Keras' ImageNet weights exist for 0.25, 0.5, 0.75, 1.0). */
  alpha?: number;
  /** Depthwise channel multiplier, Keras' `depth_multiplier` (default 1). */
  depthMultiplier?: number;
  /** Dropout rate before `conv_preds` (default 1e-3). */
  dropout?: number;
}

/** The alphas Keras publishes ImageNet weights for. */
export const MOBILENET_ALPHAS: readonly number[] = Object.freeze([0.25, 0.5, 0.75, 1.0]);

/** Pointwise filters (before alpha) and stride of the 13 depthwise blocks, from Keras' source. */
const BLOCKS: readonly (readonly [filters: number, stride: 1 | 2])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/** Names of the 13 depthwise-separable blocks' outputs (Keras' `conv_pw_<i>_relu`). */
export const MOBILENET_BLOCKS: readonly string[] = Object.freeze(
  BLOCKS.map((_, i) => `conv_pw_${i + 1}_relu`),
);

/** Keras' default model name, e.g. `mobilenet_0.75_224`. */
export function mobileNetName(alpha: number, rows: number): string {
  return `mobilenet_${alpha.toFixed(2)}_${rows}`;
}

/**
 * Builds Keras' MobileNet with random weights. Names follow Keras 3 (`conv_pad_<i>` before each
 * strided depthwise conv, `GlobalAveragePooling2D(keepdims)` in the top); Keras 2.1-era exports
 * padded with 'same' instead and had no `conv_pad_*` layers, which holds the same weights.
 */
export function mobileNet(options: MobileNetOptions = {}): tf.LayersModel {
  const fn = 'mobileNet';
  const opts = resolveApplicationOptions(options, { fn, defaultSize: 224, minSize: 32 });
  const alpha = checkNumber(fn, 'alpha', options.alpha ?? 1.0, 0, 10);
  const depthMultiplier = options.depthMultiplier ?? 1;
  if (!Number.isInteger(depthMultiplier) || depthMultiplier < 1) {
    throw new Error(`${fn}: depthMultiplier must be a positive integer, got ${depthMultiplier}`);
  }
  const dropout = checkNumber(fn, 'dropout', options.dropout ?? 1e-3, 0, 1, true);
  if (dropout >= 1) throw new Error(`${fn}: dropout must be below 1, got ${dropout}`);
  const names = new LayerNamer();
  const channels = (filters: number): number => Math.trunc(filters * alpha);

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });

  // _conv_block
  let x = apply(
    tf.layers.conv2d({
      filters: channels(32),
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      strides: 2,
      name: 'conv1',
    }),
    input,
  );
  x = apply(batchNorm('conv1_bn'), x);
  x = apply(tf.layers.reLU({ maxValue: 6, name: 'conv1_relu' }), x);

  // _depthwise_conv_block × 13
  BLOCKS.forEach(([filters, stride], i) => {
    const id = i + 1;
    if (stride === 2) {
      x = apply(
        tf.layers.zeroPadding2d({
          padding: [
            [0, 1],
            [0, 1],
          ],
          name: `conv_pad_${id}`,
        }),
        x,
      );
    }
    x = apply(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        padding: stride === 1 ? 'same' : 'valid',
        depthMultiplier,
        strides: stride,
        useBias: false,
        name: `conv_dw_${id}`,
      }),
      x,
    );
    x = apply(batchNorm(`conv_dw_${id}_bn`), x);
    x = apply(tf.layers.reLU({ maxValue: 6, name: `conv_dw_${id}_relu` }), x);
    x = apply(
      tf.layers.conv2d({
        filters: channels(filters),
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        strides: 1,
        name: `conv_pw_${id}`,
      }),
      x,
    );
    x = apply(batchNorm(`conv_pw_${id}_bn`), x);
    x = apply(tf.layers.reLU({ maxValue: 6, name: `conv_pw_${id}_relu` }), x);
  });

  if (opts.includeTop) {
    x = apply(
      new GlobalAveragePooling2D({
        keepdims: true,
        name: names.next('global_average_pooling2d'),
      }),
      x,
    );
    x = apply(tf.layers.dropout({ rate: dropout, name: 'dropout' }), x);
    x = apply(
      tf.layers.conv2d({
        filters: opts.classes,
        kernelSize: 1,
        padding: 'same',
        name: 'conv_preds',
      }),
      x,
    );
    x = apply(tf.layers.reshape({ targetShape: [opts.classes], name: 'reshape_2' }), x);
    x = apply(
      tf.layers.activation({ activation: opts.classifierActivation, name: 'predictions' }),
      x,
    );
  } else {
    x = applyPooling(x, opts.pooling, {
      avg: names.next('global_average_pooling2d'),
      max: names.next('global_max_pooling2d'),
    });
  }

  return tf.model({ inputs: input, outputs: x, name: mobileNetName(alpha, opts.inputShape[0]) });
}
