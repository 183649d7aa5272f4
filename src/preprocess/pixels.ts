/**
 * Maps RGBA bytes (what a canvas gives) to the float RGB input a Keras model expects:
 * each channel value v in 0..255 becomes `lo + v / 255 * (hi - lo)`. With [-1, 1] this is Keras'
 * InceptionV3 `preprocess_input` (v / 127.5 - 1); with [0, 1] it is v / 255. Alpha is dropped.
 */
export function rgbaToRgbFloat(
  rgba: Uint8Array | Uint8ClampedArray,
  range: readonly [number, number],
): Float32Array {
  if (rgba.length % 4 !== 0)
    throw new RangeError(`RGBA length ${rgba.length} is not a multiple of 4`);
  const [lo, hi] = range;
  const scale = (hi - lo) / 255;
  const n = rgba.length / 4;
  const out = new Float32Array(n * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = lo + (rgba[i] as number) * scale;
    out[j + 1] = lo + (rgba[i + 1] as number) * scale;
    out[j + 2] = lo + (rgba[i + 2] as number) * scale;
  }
  return out;
}
