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

/** `rgba` (width × height × 4 bytes) as interleaved model-input values, three per pixel. */
export function modelInputPixels(
  rgba: Uint8Array | Uint8ClampedArray,
  spec: InputSpec,
): Float32Array {
  if (!spec.preprocess) return rgbaToRgbFloat(rgba, spec.inputRange);
  return preprocessInput(spec.preprocess, rgbaToRgbFloat(rgba, [0, 255]));
}
