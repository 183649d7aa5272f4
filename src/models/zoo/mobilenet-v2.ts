/**
 * MobileNetV2 rebuilt with TensorFlow.js layers after Keras 3's
 * `keras/src/applications/mobilenet_v2.py`: same layer names, order, shapes and parameter counts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  apply,
  applyPooling,
  batchNorm,
  checkNumber,
  correctPad,
  LayerNamer,
  makeDivisible,
  poolAndClassify,
  resolveApplicationOptions,
  type ApplicationOptions,
  type Sym,
} from './common';

/** Options for {@link mobileNetV2}; they follow the Keras arguments of the same meaning. */
export interface MobileNetV2Options extends ApplicationOptions {
  /** Width multiplier (default 1.0; Keras' ImageNet weights: 0.35, 0.5, 0.75, 1.0, 1.3, 1.4). */
  alpha?: number;
}

/** The alphas Keras publishes ImageNet weights for. */
export const MOBILENET_V2_ALPHAS: readonly number[] = Object.freeze([
  0.35, 0.5, 0.75, 1.0, 1.3, 1.4,
]);

/** Output filters (before alpha), stride and expansion of blocks 0..16, from Keras' source. */
const BLOCKS: readonly (readonly [filters: number, stride: 1 | 2, expansion: number])[] = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

/** Names of the inverted-residual blocks' outputs, input side first (Keras' names). */
export const MOBILENET_V2_BLOCKS: readonly string[] = Object.freeze([
  'expanded_conv_project_BN',
  ...BLOCKS.slice(1).map(([, stride], i) => {
    const id = i + 1;
    // A block adds its input back when its shape is unchanged; its output is then `_add`.
    const residual = stride === 1 && BLOCKS[i]![0] === BLOCKS[id]![0];
    return residual ? `block_${id}_add` : `block_${id}_project_BN`;
  }),
]);

/** Keras' default model name, e.g. `mobilenetv2_1.00_224`. */
export function mobileNetV2Name(alpha: number, rows: number): string {
  return `mobilenetv2_${alpha.toFixed(2)}_${rows}`;
}

/** Builds Keras' MobileNetV2 with random weights. */
export function mobileNetV2(options: MobileNetV2Options = {}): tf.LayersModel {
  const fn = 'mobileNetV2';
  const opts = resolveApplicationOptions(options, { fn, defaultSize: 224, minSize: 32 });
  const alpha = checkNumber(fn, 'alpha', options.alpha ?? 1.0, 0, 10);
  const names = new LayerNamer();
  const bn = (name: string): tf.layers.Layer => batchNorm(name, { momentum: 0.999 });
  const relu6 = (name: string): tf.layers.Layer => tf.layers.reLU({ maxValue: 6, name });

  const invertedResBlock = (
    inputs: Sym,
    filters: number,
    stride: 1 | 2,
    expansion: number,
    blockId: number,
  ): Sym => {
    const inChannels = inputs.shape[3]!;
    const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
    let x = inputs;
    let prefix = `block_${blockId}_`;
    if (blockId) {
      x = apply(
        tf.layers.conv2d({
          filters: expansion * inChannels,
          kernelSize: 1,
          padding: 'same',
          useBias: false,
          name: `${prefix}expand`,
        }),
        x,
      );
      x = apply(bn(`${prefix}expand_BN`), x);
      x = apply(relu6(`${prefix}expand_relu`), x);
    } else {
      prefix = 'expanded_conv_';
    }
    if (stride === 2) {
      x = apply(tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: `${prefix}pad` }), x);
    }
    x = apply(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        useBias: false,
        padding: stride === 1 ? 'same' : 'valid',
        name: `${prefix}depthwise`,
      }),
      x,
    );
    x = apply(bn(`${prefix}depthwise_BN`), x);
    x = apply(relu6(`${prefix}depthwise_relu`), x);
    x = apply(
      tf.layers.conv2d({
        filters: pointwiseFilters,
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        name: `${prefix}project`,
      }),
      x,
    );
    x = apply(bn(`${prefix}project_BN`), x);
    if (inChannels === pointwiseFilters && stride === 1) {
      return apply(tf.layers.add({ name: `${prefix}add` }), [inputs, x]);
    }
    return x;
  };

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });
  let x = apply(
    tf.layers.conv2d({
      filters: makeDivisible(32 * alpha, 8),
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      name: 'Conv1',
    }),
    input,
  );
  x = apply(bn('bn_Conv1'), x);
  x = apply(relu6('Conv1_relu'), x);

  BLOCKS.forEach(([filters, stride, expansion], id) => {
    x = invertedResBlock(x, filters, stride, expansion, id);
  });

  // No alpha on the last conv below 1.0, as the paper states (and Keras does).
  const lastFilters = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = apply(
    tf.layers.conv2d({ filters: lastFilters, kernelSize: 1, useBias: false, name: 'Conv_1' }),
    x,
  );
  x = apply(bn('Conv_1_bn'), x);
  x = apply(relu6('out_relu'), x);

  if (opts.includeTop) {
    x = poolAndClassify(x, opts, names.next('global_average_pooling2d'));
  } else {
    x = applyPooling(x, opts.pooling, {
      avg: names.next('global_average_pooling2d'),
      max: names.next('global_max_pooling2d'),
    });
  }
  return tf.model({ inputs: input, outputs: x, name: mobileNetV2Name(alpha, opts.inputShape[0]) });
}
