import type { PreprocessedImage } from '../preprocess/preprocess-image';

/** A 1 × 1 preprocessed photo, for tests of what carries one (the worker, its page side). */
export function tinyPreprocessedImage(): PreprocessedImage {
  return {
    pixels: new ArrayBuffer(4),
    width: 1,
    height: 1,
    thumbnail: new Blob([]),
    sourceWidth: 1,
    sourceHeight: 1,
  };
}
