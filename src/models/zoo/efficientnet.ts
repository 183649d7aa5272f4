/**
 * EfficientNetB0 rebuilt with TensorFlow.js layers after Keras 3's
 * `keras/src/applications/efficientnet.py`: same layer names, order, shapes and parameter counts,
 * including the in-model preprocessing (`Rescaling`, `Normalization` and, for ImageNet weights,
 * Keras 3's second `Rescaling` by 1/sqrt(stddev)).
 */
import * as tf from '@tensorflow/tfjs';
import {
  apply,
  applyPooling,
  batchNorm,
  correctPad,
  LayerNamer,
  makeDivisible,
  poolAndClassify,
  resolveApplicationOptions,
  type ApplicationOptions,
  type Sym,
} from './common';
import { Normalization, Rescaling } from './layers';

/** Options for {@link efficientNetB0}; they follow the Keras arguments of the same meaning. */
export interface EfficientNetOptions extends ApplicationOptions {
  /**
   * Build the graph Keras builds for `weights="imagenet"` (its default): a second `Rescaling` by
   * 1/sqrt(ImageNet stddev) after `Normalization`, which Keras adds because the original weights
   * file stores the stddev where the variance belongs (tensorflow/tensorflow#49930). Default true;
   * false gives Keras' `weights=None` graph. Neither changes the parameter counts.
   */
  imagenetStddevFix?: boolean;
}

/** Keras' IMAGENET_STDDEV_RGB. */
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];

/** One stage of Keras' DEFAULT_BLOCKS_ARGS (all with se_ratio 0.25 and id_skip true). */
interface StageArgs {
  kernelSize: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  strides: 1 | 2;
}

/** Keras' DEFAULT_BLOCKS_ARGS. */
const DEFAULT_STAGES: readonly StageArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1 },
];
const SE_RATIO = 0.25;

/** Keras' CONV_KERNEL_INITIALIZER. */
const convInit = (): ReturnType<typeof tf.initializers.varianceScaling> =>
  tf.initializers.varianceScaling({ scale: 2.0, mode: 'fanOut', distribution: 'truncatedNormal' });

/** The scaling of one EfficientNet variant (Keras' EfficientNet() arguments). */
interface Variant {
  width: number;
  depth: number;
  defaultSize: number;
  dropoutRate: number;
  modelName: string;
}

const B0: Variant = {
  width: 1.0,
  depth: 1.0,
  defaultSize: 224,
  dropoutRate: 0.2,
  modelName: 'efficientnetb0',
};
const DROP_CONNECT_RATE = 0.2;
const DEPTH_DIVISOR = 8;

/** Names of EfficientNetB0's 16 blocks' last layers, input side first (`block1a_project_bn` …). */
export const EFFICIENTNET_B0_BLOCKS: readonly string[] = Object.freeze(
  DEFAULT_STAGES.flatMap((stage, i) =>
    Array.from({ length: stage.repeats }, (_, j) => {
      const name = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      // Blocks after the first of a stage keep their shape and end in the residual add.
      return j > 0 ? `${name}add` : `${name}project_bn`;
    }),
  ),
);

/** Builds Keras' EfficientNetB0 with random weights. Inputs are pixels in [0, 255]. */
export function efficientNetB0(options: EfficientNetOptions = {}): tf.LayersModel {
  return efficientNet(B0, options, 'efficientNetB0');
}

function efficientNet(variant: Variant, options: EfficientNetOptions, fn: string): tf.LayersModel {
  const opts = resolveApplicationOptions(options, {
    fn,
    defaultSize: variant.defaultSize,
    minSize: 32,
  });
  const stddevFix = options.imagenetStddevFix ?? true;
  if (typeof stddevFix !== 'boolean') {
    throw new Error(`${fn}: imagenetStddevFix must be a boolean, got ${String(stddevFix)}`);
  }
  const names = new LayerNamer();
  const roundFilters = (filters: number): number =>
    makeDivisible(filters * variant.width, DEPTH_DIVISOR);
  const roundRepeats = (repeats: number): number => Math.ceil(variant.depth * repeats);
  const swish = (name: string): tf.layers.Layer =>
    tf.layers.activation({ activation: 'swish', name });
  const conv1x1 = (filters: number, name: string): tf.layers.Layer =>
    tf.layers.conv2d({
      filters,
      kernelSize: 1,
      padding: 'same',
      useBias: false,
      kernelInitializer: convInit(),
      name,
    });

  const block = (inputs: Sym, args: StageArgs, dropRate: number, name: string): Sym => {
    const { filtersIn, filtersOut, kernelSize, strides, expandRatio } = args;
    const filters = filtersIn * expandRatio;
    let x = inputs;
    if (expandRatio !== 1) {
      x = apply(conv1x1(filters, `${name}expand_conv`), x);
      x = apply(batchNorm(`${name}expand_bn`), x);
      x = apply(swish(`${name}expand_activation`), x);
    }
    if (strides === 2) {
      x = apply(
        tf.layers.zeroPadding2d({ padding: correctPad(x, kernelSize), name: `${name}dwconv_pad` }),
        x,
      );
    }
    x = apply(
      tf.layers.depthwiseConv2d({
        kernelSize,
        strides,
        padding: strides === 2 ? 'valid' : 'same',
        useBias: false,
        depthwiseInitializer: convInit(),
        name: `${name}dwconv`,
      }),
      x,
    );
    x = apply(batchNorm(`${name}bn`), x);
    x = apply(swish(`${name}activation`), x);

    // Squeeze and excitation.
    const filtersSe = Math.max(1, Math.trunc(filtersIn * SE_RATIO));
    let se = apply(tf.layers.globalAveragePooling2d({ name: `${name}se_squeeze` }), x);
    se = apply(tf.layers.reshape({ targetShape: [1, 1, filters], name: `${name}se_reshape` }), se);
    se = apply(
      tf.layers.conv2d({
        filters: filtersSe,
        kernelSize: 1,
        padding: 'same',
        activation: 'swish',
        kernelInitializer: convInit(),
        name: `${name}se_reduce`,
      }),
      se,
    );
    se = apply(
      tf.layers.conv2d({
        filters,
        kernelSize: 1,
        padding: 'same',
        activation: 'sigmoid',
        kernelInitializer: convInit(),
        name: `${name}se_expand`,
      }),
      se,
    );
    x = apply(tf.layers.multiply({ name: `${name}se_excite` }), [x, se]);

    x = apply(conv1x1(filtersOut, `${name}project_conv`), x);
    x = apply(batchNorm(`${name}project_bn`), x);
    if (strides === 1 && filtersIn === filtersOut) {
      if (dropRate > 0) {
        x = apply(
          tf.layers.dropout({
            rate: dropRate,
            // One draw per example (Keras' noise_shape (None, 1, 1, 1)): drop-connect.
            noiseShape: [null, 1, 1, 1] as unknown as number[],
            name: `${name}drop`,
          }),
          x,
        );
      }
      x = apply(tf.layers.add({ name: `${name}add` }), [x, inputs]);
    }
    return x;
  };

  const input = tf.input({ shape: opts.inputShape, name: names.next('input') });
  let x = apply(new Rescaling({ scale: 1 / 255, name: names.next('rescaling') }), input);
  x = apply(new Normalization({ axis: -1, name: names.next('normalization') }), x);
  if (stddevFix) {
    x = apply(
      new Rescaling({
        scale: IMAGENET_STDDEV_RGB.map((s) => 1 / Math.sqrt(s)),
        name: names.next('rescaling'),
      }),
      x,
    );
  }
  x = apply(tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }), x);
  x = apply(
    tf.layers.conv2d({
      filters: roundFilters(32),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      kernelInitializer: convInit(),
      name: 'stem_conv',
    }),
    x,
  );
  x = apply(batchNorm('stem_bn'), x);
  x = apply(swish('stem_activation'), x);

  const total = DEFAULT_STAGES.reduce((n, s) => n + roundRepeats(s.repeats), 0);
  let b = 0;
  DEFAULT_STAGES.forEach((stage, i) => {
    const filtersIn = roundFilters(stage.filtersIn);
    const filtersOut = roundFilters(stage.filtersOut);
    for (let j = 0; j < roundRepeats(stage.repeats); j++) {
      const args: StageArgs =
        j === 0
          ? { ...stage, filtersIn, filtersOut }
          : { ...stage, strides: 1, filtersIn: filtersOut, filtersOut };
      const name = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      x = block(x, args, (DROP_CONNECT_RATE * b) / total, name);
      b += 1;
    }
  });

  x = apply(conv1x1(roundFilters(1280), 'top_conv'), x);
  x = apply(batchNorm('top_bn'), x);
  x = apply(swish('top_activation'), x);

  if (opts.includeTop) {
    x = poolAndClassify(
      x,
      opts,
      'avg_pool',
      {
        kernelInitializer: tf.initializers.varianceScaling({
          scale: 1 / 3,
          mode: 'fanOut',
          distribution: 'uniform',
        }),
      },
      { rate: variant.dropoutRate, name: 'top_dropout' },
    );
  } else {
    x = applyPooling(x, opts.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }
  return tf.model({ inputs: input, outputs: x, name: variant.modelName });
}
