/**
 * Xception rebuilt with TensorFlow.js layers after Keras 3's `keras/src/applications/xception.py`:
 * same layer names, order, shapes and parameter counts. Keras leaves the residual branches'
 * Conv2D / BatchNormalization and the `add` layers unnamed; they get Keras 2.x automatic names
 * here (`conv2d_1` … `conv2d_4`, `batch_normalization_1` … `_4`, `add_1` … `add_12`).
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

/** Options for {@link xception}; they follow the Keras arguments of the same meaning. */
export type XceptionOptions = ApplicationOptions;

/** Names of the 14 blocks' outputs, input side first (entry, middle and exit flow). */
export const XCEPTION_BLOCKS: readonly string[] = Object.freeze([
  'block1_conv2_act',
  ...Array.from({ length: 12 }, (_, i) => `add_${i + 1}`),
  'block14_sepconv2_act',
]);

/** Builds Keras' Xception with random weights. */
export function xception(options: XceptionOptions = {}): tf.LayersModel {
  const fn = 'xception';
  const opts = resolveApplicationOptions(options, { fn, defaultSize: 299, minSize: 71 });
  const names = new LayerNamer();
  const relu = (name: string): tf.layers.Layer =>
    tf.layers.activation({ activation: 'relu', name });
  const sep = (filters: number, name: string): tf.layers.Layer =>
    tf.layers.separableConv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name });
  const add = (a: Sym, b: Sym): Sym => apply(tf.layers.add({ name: names.next('add') }), [a, b]);
  const residualOf = (x: Sym, filters: number): Sym => {
    const r = apply(
      tf.layers.conv2d({
        filters,
        kernelSize: 1,
        strides: 2,
        padding: 'same',
        useBias: false,
        name: names.next('conv2d'),
      }),
      x,
    );
    return apply(batchNorm(names.next('batch_normalization')), r);
  };
  const pool = (name: string): tf.layers.Layer =>
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name });

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });
  let x = apply(
    tf.layers.conv2d({
      filters: 32,
      kernelSize: 3,
      strides: 2,
      useBias: false,
      name: 'block1_conv1',
    }),
    input,
  );
  x = apply(batchNorm('block1_conv1_bn'), x);
  x = apply(relu('block1_conv1_act'), x);
  x = apply(
    tf.layers.conv2d({ filters: 64, kernelSize: 3, useBias: false, name: 'block1_conv2' }),
    x,
  );
  x = apply(batchNorm('block1_conv2_bn'), x);
  x = apply(relu('block1_conv2_act'), x);

  // Entry flow: blocks 2..4. Block 2 starts without the ReLU (it follows block1_conv2_act).
  for (const [block, filters] of [
    [2, 128],
    [3, 256],
    [4, 728],
  ] as const) {
    const residual = residualOf(x, filters);
    if (block !== 2) x = apply(relu(`block${block}_sepconv1_act`), x);
    x = apply(sep(filters, `block${block}_sepconv1`), x);
    x = apply(batchNorm(`block${block}_sepconv1_bn`), x);
    x = apply(relu(`block${block}_sepconv2_act`), x);
    x = apply(sep(filters, `block${block}_sepconv2`), x);
    x = apply(batchNorm(`block${block}_sepconv2_bn`), x);
    x = apply(pool(`block${block}_pool`), x);
    x = add(x, residual);
  }

  // Middle flow: blocks 5..12.
  for (let i = 5; i <= 12; i++) {
    const residual = x;
    const prefix = `block${i}`;
    for (let s = 1; s <= 3; s++) {
      x = apply(relu(`${prefix}_sepconv${s}_act`), x);
      x = apply(sep(728, `${prefix}_sepconv${s}`), x);
      x = apply(batchNorm(`${prefix}_sepconv${s}_bn`), x);
    }
    x = add(x, residual);
  }

  // Exit flow.
  const residual = residualOf(x, 1024);
  x = apply(relu('block13_sepconv1_act'), x);
  x = apply(sep(728, 'block13_sepconv1'), x);
  x = apply(batchNorm('block13_sepconv1_bn'), x);
  x = apply(relu('block13_sepconv2_act'), x);
  x = apply(sep(1024, 'block13_sepconv2'), x);
  x = apply(batchNorm('block13_sepconv2_bn'), x);
  x = apply(pool('block13_pool'), x);
  x = add(x, residual);

  x = apply(sep(1536, 'block14_sepconv1'), x);
  x = apply(batchNorm('block14_sepconv1_bn'), x);
  x = apply(relu('block14_sepconv1_act'), x);
  x = apply(sep(2048, 'block14_sepconv2'), x);
  x = apply(batchNorm('block14_sepconv2_bn'), x);
  x = apply(relu('block14_sepconv2_act'), x);

  if (opts.includeTop) {
    x = poolAndClassify(x, opts, 'avg_pool');
  } else {
    x = applyPooling(x, opts.pooling, {
      avg: names.next('global_average_pooling2d'),
      max: names.next('global_max_pooling2d'),
    });
  }
  return tf.model({ inputs: input, outputs: x, name: 'xception' });
}
