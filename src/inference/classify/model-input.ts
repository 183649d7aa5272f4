/**
 * A photo's RGBA bytes as the model's input values: Keras' `preprocess_input` for models that
 * name their mode (the zoo: 'tf', 'caffe' BGR mean subtraction, 'torch' mean/std, or 'none' for
 * EfficientNet, which rescales inside the model), else 0..255 mapped linearly onto `inputRange`.
 */
import type { ModelEntry } from '../../models/registry';
import { preprocessInput } from '../../models/zoo/catalog';
import { rgbaToRgbFloat } from '../../preprocess/pixels';

/** What {@link modelInputPixels} reads of an entry. */
export type InputSpec = Pick<ModelEntry, 'inputRange' | 'preprocess'>;

/**
 * `rgba` (width × height × 4 bytes) as interleaved model-input values, three per pixel, in
 * `into` when it is given, else in a new array.
 */
export function modelInputPixels(
  rgba: Uint8Array | Uint8ClampedArray,
  spec: InputSpec,
  into?: Float32Array,
): Float32Array {
  if (!spec.preprocess) return rgbaToRgbFloat(rgba, spec.inputRange, into);
  const rgb = rgbaToRgbFloat(rgba, [0, 255], into);
  return preprocessInput(spec.preprocess, rgb, rgb);
}

/**
 * A photo's input made in one buffer kept for every photo of that size. In Chromium on the
 * 2-core machines, a fresh 1 MB array (InceptionV3's 299 × 299 × 3 floats) costs 5–8 ms a photo
 * — the pages are new to the process — where filling a kept one costs under 1 ms. The array
 * returned is overwritten by the next call: use it at once (TensorFlow.js' `tensor4d` and
 * a photo engine's `run` copy it before they return).
 */
export function inputMaker(
  spec: InputSpec,
): (rgba: Uint8Array | Uint8ClampedArray) => Float32Array {
  let kept: Float32Array | null = null;
  return (rgba) => {
    const length = (rgba.length / 4) * 3;
    if (kept?.length !== length) kept = new Float32Array(length);
    return modelInputPixels(rgba, spec, kept);
  };
}
