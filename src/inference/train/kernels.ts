/**
 * Gradient kernels that TensorFlow.js 4.22's WebAssembly backend lacks, so convolutions can learn
 * there too (fine-tuning and training from scratch; head-only training needs none of them):
 * the filter gradient of a convolution, and both gradients of a depthwise convolution. Each is
 * written with operations the backend does have — a strided slice and a product per kernel tap —
 * and registered only where the backend has no kernel of that name (WebGL, WebGPU and the CPU
 * backend ship their own).
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Pads the spatial dimensions of an NHWC tensor. */
function padSpatial(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number) {
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** The input values one kernel tap (row i, column j) sees, for every output position. */
function tap(
  padded: tf.Tensor4D,
  row: number,
  col: number,
  info: tf.backend_util.Conv2DInfo,
  channels: number,
): tf.Tensor4D {
  const { batchSize, outHeight, outWidth, strideHeight, strideWidth } = info;
  return tf.stridedSlice(
    padded,
    [0, row, col, 0],
    [
      batchSize,
      row + (outHeight - 1) * strideHeight + 1,
      col + (outWidth - 1) * strideWidth + 1,
      channels,
    ],
    [1, strideHeight, strideWidth, 1],
  ) as tf.Tensor4D;
}

/** dL/dW of a convolution (NHWC): for each tap, inputᵀ · dy over all output positions. */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
  rounding?: Rounding,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, rounding);
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const n = info.batchSize * info.outHeight * info.outWidth;
  return tf.tidy(() => {
    const padded = padSpatial(x, top, bottom, left, right);
    const dyRows = tf.reshape(dy, [n, co]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const seen = tf.reshape(tap(padded, i, j, info, ci), [n, ci]);
        // An explicit transpose, then a plain product: the WASM backend multiplies a transposed
        // left operand with a slow generic loop (≈ 10× slower, measured).
        taps.push(tf.matMul(tf.transpose(seen), dyRows));
      }
    }
    return tf.reshape<tf.Rank.R4>(tf.stack(taps), [kh, kw, ci, co]);
  });
}

/** TensorFlow.js' geometry of a depthwise convolution (output size, padding, strides). */
function depthwiseInfo(
  inputShape: Shape4,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  rounding?: Rounding,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    dilations,
    pad,
    rounding,
    true,
  );
}

/** dL/dW of a depthwise convolution with channel multiplier M. */
export function depthwiseFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  rounding?: Rounding,
): tf.Tensor4D {
  const info = depthwiseInfo(x.shape, filterShape, strides, pad, dilations, rounding);
  const [kh, kw, c, m] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded = padSpatial(x, top, bottom, left, right);
    const dy5 = tf.reshape(dy, [info.batchSize, info.outHeight, info.outWidth, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const seen = tap(padded, i * info.dilationHeight, j * info.dilationWidth, info, c);
        taps.push(tf.sum(tf.mul(tf.expandDims(seen, 4), dy5), [0, 1, 2]));
      }
    }
    return tf.reshape<tf.Rank.R4>(tf.stack(taps), [kh, kw, c, m]);
  });
}

/** Spreads an NHWC tensor out by `sh × sw`, with zeros in between (for strided gradients). */
function spread(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [b, h, w, c] = t.shape;
  const holes = tf.pad(tf.reshape(t, [b, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.slice(
    tf.reshape<tf.Rank.R4>(holes, [b, h * sh, w * sw, c]),
    [0, 0, 0, 0],
    [b, (h - 1) * sh + 1, (w - 1) * sw + 1, c],
  );
}

/** dL/dx of a depthwise convolution: every tap's share of dy, put back where it came from. */
export function depthwiseInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  rounding?: Rounding,
): tf.Tensor4D {
  const info = depthwiseInfo(inputShape, filter.shape, strides, pad, dilations, rounding);
  const [kh, kw, c, m] = filter.shape;
  const [b, height, width] = inputShape;
  const { top, left } = info.padInfo;
  const { outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const spanH = (outHeight - 1) * strideHeight + 1;
  const spanW = (outWidth - 1) * strideWidth + 1;
  const fullH = Math.max(top + height, (kh - 1) * dilationHeight + spanH);
  const fullW = Math.max(left + width, (kw - 1) * dilationWidth + spanW);
  return tf.tidy(() => {
    const dy5 = tf.reshape(dy, [b, outHeight, outWidth, c, m]);
    let sum: tf.Tensor4D = tf.zeros([b, fullH, fullW, c]);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const weights = tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, c, m]), [c, m]);
        const share = tf.sum<tf.Tensor4D>(tf.mul(dy5, weights), 4);
        const row = i * dilationHeight;
        const col = j * dilationWidth;
        sum = tf.add(
          sum,
          padSpatial(
            spread(share, strideHeight, strideWidth),
            row,
            fullH - row - spanH,
            col,
            fullW - col - spanW,
          ),
        );
      }
    }
    return tf.slice(sum, [0, top, left, 0], [b, height, width, c]);
  });
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function channelsLast(attrs: ConvAttrs): void {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('training convolutions in NCHW layout is not supported on this backend');
  }
}

const KERNELS: Record<string, (inputs: tf.NamedTensorMap, attrs: ConvAttrs) => tf.Tensor> = {
  Conv2DBackpropFilter: ({ x, dy }, attrs) => {
    channelsLast(attrs);
    return conv2dFilterGradient(
      x as tf.Tensor4D,
      dy as tf.Tensor4D,
      attrs.filterShape as Shape4,
      attrs.strides,
      attrs.pad,
      attrs.dimRoundingMode,
    );
  },
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, attrs) =>
    depthwiseFilterGradient(
      x as tf.Tensor4D,
      dy as tf.Tensor4D,
      attrs.filterShape as Shape4,
      attrs.strides,
      attrs.pad,
      attrs.dilations ?? 1,
      attrs.dimRoundingMode,
    ),
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, attrs) =>
    depthwiseInputGradient(
      dy as tf.Tensor4D,
      filter as tf.Tensor4D,
      attrs.inputShape as Shape4,
      attrs.strides,
      attrs.pad,
      attrs.dilations ?? 1,
      attrs.dimRoundingMode,
    ),
};

/** Names of the kernels {@link ensureTrainingKernels} supplies when a backend lacks them. */
export const TRAINING_KERNELS = Object.keys(KERNELS);

/**
 * Registers the missing gradient kernels for the active backend (once); returns the names it
 * added. The kernels compute with ordinary operations, so they need nothing from the backend.
 */
export function ensureTrainingKernels(): string[] {
  const backend = tf.getBackend();
  const added: string[] = [];
  for (const [name, compute] of Object.entries(KERNELS)) {
    if (tf.getKernel(name, backend)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName: backend,
      kernelFunc: ({ inputs, attrs }) =>
        compute(inputs as tf.NamedTensorMap, attrs as unknown as ConvAttrs),
    });
    added.push(name);
  }
  return added;
}
