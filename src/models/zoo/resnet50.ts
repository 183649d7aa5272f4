/**
 * ResNet50 (v1) rebuilt with TensorFlow.js layers after Keras 3's
 * `keras/src/applications/resnet.py`: same layer names, order, shapes and parameter counts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  apply,
  applyPooling,
  batchNorm,
  LayerNamer,
  poolAndClassify,
  resolveApplicationOptions,
  type ApplicationOptions,
  type Sym,
} from './common';

/** Options for {@link resNet50}; they follow the Keras arguments of the same meaning. */
export type ResNet50Options = ApplicationOptions;

/** The four stacks: name, bottleneck filters, blocks, first stride (Keras' `stack_fn`). */
const STACKS: readonly (readonly [name: string, filters: number, blocks: number, stride: 1 | 2])[] =
  [
    ['conv2', 64, 3, 1],
    ['conv3', 128, 4, 2],
    ['conv4', 256, 6, 2],
    ['conv5', 512, 3, 2],
  ];

/** Names of the residual blocks' outputs, input side first (`conv2_block1_out` … `conv5_block3_out`). */
export const RESNET50_BLOCKS: readonly string[] = Object.freeze(
  STACKS.flatMap(([name, , blocks]) =>
    Array.from({ length: blocks }, (_, i) => `${name}_block${i + 1}_out`),
  ),
);

/** Keras' ResNet batch-norm epsilon. */
const EPSILON = 1.001e-5;

/** Builds Keras' ResNet50 with random weights. */
export function resNet50(options: ResNet50Options = {}): tf.LayersModel {
  const fn = 'resNet50';
  const opts = resolveApplicationOptions(options, { fn, defaultSize: 224, minSize: 32 });
  const names = new LayerNamer();
  const bn = (name: string): tf.layers.Layer => batchNorm(name, { epsilon: EPSILON });
  const conv = (
    filters: number,
    kernelSize: number,
    name: string,
    strides = 1,
    padding: 'same' | 'valid' = 'valid',
  ): tf.layers.Layer =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding, useBias: true, name });

  // residual_block_v1
  const block = (
    x: Sym,
    filters: number,
    stride: number,
    convShortcut: boolean,
    name: string,
  ): Sym => {
    let shortcut = x;
    if (convShortcut) {
      shortcut = apply(conv(4 * filters, 1, `${name}_0_conv`, stride), x);
      shortcut = apply(bn(`${name}_0_bn`), shortcut);
    }
    let y = apply(conv(filters, 1, `${name}_1_conv`, stride), x);
    y = apply(bn(`${name}_1_bn`), y);
    y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_1_relu` }), y);
    y = apply(conv(filters, 3, `${name}_2_conv`, 1, 'same'), y);
    y = apply(bn(`${name}_2_bn`), y);
    y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_2_relu` }), y);
    y = apply(conv(4 * filters, 1, `${name}_3_conv`), y);
    y = apply(bn(`${name}_3_bn`), y);
    y = apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
    return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), y);
  };

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });
  let x = apply(
    tf.layers.zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: 'conv1_pad',
    }),
    input,
  );
  x = apply(conv(64, 7, 'conv1_conv', 2), x);
  x = apply(bn('conv1_bn'), x);
  x = apply(tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = apply(
    tf.layers.zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: 'pool1_pad',
    }),
    x,
  );
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);

  for (const [name, filters, blocks, stride] of STACKS) {
    x = block(x, filters, stride, true, `${name}_block1`);
    for (let i = 2; i <= blocks; i++) x = block(x, filters, 1, false, `${name}_block${i}`);
  }

  if (opts.includeTop) {
    x = poolAndClassify(x, opts, 'avg_pool');
  } else {
    x = applyPooling(x, opts.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }
  return tf.model({ inputs: input, outputs: x, name: 'resnet50' });
}
