/**
 * Pillow's NEAREST resize, reproduced exactly (what Keras' `load_img(target_size=…)` uses).
 *
 * Pillow resizes with NEAREST through an affine "scale" transform (Geometry.c,
 * ImagingScaleAffine): the source coordinate starts at `scale / 2` and grows by
 * `scale = src / dst` per output pixel, *accumulated* in double precision, and the source index is
 * its integer part. Accumulating is not the same as `floor((i + 0.5) * scale)`: the sums carry
 * rounding error, which lands on the other side of an integer at some exact boundaries, so only
 * the accumulated form gives Pillow's pixels bit for bit.
 */

/**
 * Source index of each of `dst` output pixels along one axis of length `src`, as Pillow picks
 * them; -1 where Pillow's coordinate falls outside the source (it then writes 0).
 */
export function pillowNearestIndices(src: number, dst: number): Int32Array {
  if (!(Number.isInteger(src) && Number.isInteger(dst) && src > 0 && dst > 0)) {
    throw new RangeError(`sizes must be positive integers (got ${src} → ${dst})`);
  }
  const scale = src / dst;
  const out = new Int32Array(dst);
  // Pillow: xo = a[2] + a[0] * 0.5 with a[2] = 0 (no box offset).
  let x = 0 + scale * 0.5;
  for (let i = 0; i < dst; i++) {
    // COORD(v): v < 0 ? -1 : (int)v — a C cast truncates towards zero.
    const index = x < 0 ? -1 : Math.trunc(x);
    out[i] = index < src ? index : -1;
    x += scale;
  }
  return out;
}

/** A decoded picture as 8-bit RGB, row by row, no alpha (what PIL holds after `convert('RGB')`). */
export interface RgbImage {
  width: number;
  height: number;
  /** `width × height × 3` bytes */
  rgb: Uint8Array;
}

/**
 * Resizes `image` to `width × height` exactly as Pillow's `Image.resize(size, NEAREST)` does,
 * returning RGBA bytes with alpha 255 (the form the worker takes). Same size: a plain copy, as
 * `load_img` skips the resize then.
 */
export function resizeNearestLikePillow(
  image: RgbImage,
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> {
  if (image.rgb.length !== image.width * image.height * 3) {
    throw new RangeError(
      `expected ${image.width}×${image.height} RGB bytes, got ${image.rgb.length}`,
    );
  }
  const xs = pillowNearestIndices(image.width, width);
  const ys = pillowNearestIndices(image.height, height);
  const out = new Uint8ClampedArray(width * height * 4);
  const src = image.rgb;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const sy = ys[y] as number;
    for (let x = 0; x < width; x++, o += 4) {
      const sx = xs[x] as number;
      if (sy >= 0 && sx >= 0) {
        const i = (sy * image.width + sx) * 3;
        out[o] = src[i] as number;
        out[o + 1] = src[i + 1] as number;
        out[o + 2] = src[i + 2] as number;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
