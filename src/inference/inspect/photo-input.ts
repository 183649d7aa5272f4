/**
 * The one photo an Inspect request (Grad-CAM, feature maps) sends, as the active model's input:
 * checked, put through the model's own preprocessing and resized to its input size.
 */
import * as tf from '@tensorflow/tfjs';
import { modelInputPixels } from '../classify/model-input';
import type { InspectRequests } from '../protocol';
import { RequestError, type HandlerContext } from '../seam/handlers';

/** The pixels part of a request: RGBA bytes of a `width` × `height` image. */
export interface PhotoPixels {
  pixels: ArrayBuffer;
  width: number;
  height: number;
}

/**
 * A [1, size, size, 3] tensor the caller disposes; throws a clear error when no model is loaded or
 * the pixels do not match the stated size.
 */
export function photoInput(
  req: PhotoPixels,
  context: HandlerContext<keyof InspectRequests>,
): tf.Tensor4D {
  const classifier = context.classifier;
  const info = classifier?.info;
  const range = classifier?.entry?.inputRange ?? info?.inputRange;
  if (!info || !range) throw new RequestError('no-model', 'no model is loaded');
  const { width, height } = req;
  const rgba = new Uint8Array(req.pixels);
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) {
    throw new Error(`expected ${width}×${height} RGBA pixels, got ${rgba.length} bytes`);
  }
  // Keras' preprocess_input where the entry names it ('caffe' for ResNet50 and VGG16).
  const preprocess = classifier?.entry?.preprocess;
  const spec = preprocess ? { inputRange: range, preprocess } : { inputRange: range };
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(modelInputPixels(rgba, spec), [1, height, width, 3]);
    if (width !== info.inputSize || height !== info.inputSize) {
      x = tf.image.resizeBilinear(x, [info.inputSize, info.inputSize]);
    }
    return x;
  });
}
