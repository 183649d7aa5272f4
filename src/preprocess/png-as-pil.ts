/**
 * PNG → 8-bit RGB exactly as Pillow's `Image.open(…).convert('RGB')` gives it, decoded in
 * JavaScript. A 2D canvas stores premultiplied alpha, so the colour under a transparent or
 * half-transparent pixel cannot come back unchanged through it; PIL drops alpha without
 * compositing, so for "As Keras" we decode the PNG ourselves (fast-png) and expand each colour
 * type the way Pillow's unpackers and `convert('RGB')` do.
 */
import { decode } from 'fast-png';
import type { RgbImage } from './pillow-nearest';

/** PNG colour types (IHDR). */
const GREY = 0;
const RGB = 2;
const PALETTE = 3;
const GREY_ALPHA = 4;
const RGBA = 6;

/**
 * Pillow's value of a sub-byte greyscale sample as 8 bits: "1" images become 0/255 on
 * convert('RGB'); "L;2" and "L;4" unpack scaled to 0..255 (×85, ×17).
 */
function scaleGrey(value: number, depth: number): number {
  return depth >= 8 ? value : (value * 255) / ((1 << depth) - 1);
}

/** Decodes PNG bytes into the RGB that PIL's `convert('RGB')` holds. Throws on a broken file. */
export function decodePngLikePil(bytes: Uint8Array): RgbImage {
  const png = decode(bytes);
  const { width, height, depth, channels } = png;
  const data = png.data;
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  // A truecolour PNG may carry a suggested palette too: only one-channel images are indexed.
  const colourType =
    png.palette && channels === 1
      ? PALETTE
      : channels === 1
        ? GREY
        : channels === 2
          ? GREY_ALPHA
          : channels === 3
            ? RGB
            : RGBA;

  if (depth < 8) {
    // Sub-byte samples (greyscale or palette, one channel): rows are padded to whole bytes.
    const rowBytes = Math.ceil((width * depth) / 8);
    const mask = (1 << depth) - 1;
    const palette = colourType === PALETTE ? png.palette : undefined;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = x * depth;
        const byte = data[y * rowBytes + (bit >> 3)] as number;
        const value = (byte >> (8 - depth - (bit & 7))) & mask;
        const o = (y * width + x) * 3;
        if (palette) {
          const entry = palette[value] ?? [0, 0, 0];
          rgb[o] = entry[0] ?? 0;
          rgb[o + 1] = entry[1] ?? 0;
          rgb[o + 2] = entry[2] ?? 0;
        } else {
          const v = scaleGrey(value, depth);
          rgb[o] = v;
          rgb[o + 1] = v;
          rgb[o + 2] = v;
        }
      }
    }
    return { width, height, rgb };
  }

  // 8 or 16 bits per sample. 16-bit colour keeps the most significant byte (Pillow's
  // "RGB;16B", "RGBA;16B", "LA;16B" unpackers); 16-bit greyscale opens as mode "I" whose
  // convert('RGB') clips values above 255 rather than scaling them (Pillow 9.4, Debian 12).
  const wide = depth === 16;
  const sample = (i: number): number => {
    const v = data[i] as number;
    return wide ? v >> 8 : v;
  };
  switch (colourType) {
    case PALETTE: {
      const palette = png.palette ?? [];
      for (let i = 0; i < n; i++) {
        const entry = palette[data[i] as number] ?? [0, 0, 0];
        rgb[i * 3] = entry[0] ?? 0;
        rgb[i * 3 + 1] = entry[1] ?? 0;
        rgb[i * 3 + 2] = entry[2] ?? 0;
      }
      break;
    }
    case GREY:
      for (let i = 0; i < n; i++) {
        const v = wide ? Math.min(255, data[i] as number) : (data[i] as number);
        rgb[i * 3] = v;
        rgb[i * 3 + 1] = v;
        rgb[i * 3 + 2] = v;
      }
      break;
    case GREY_ALPHA:
      for (let i = 0; i < n; i++) {
        const v = sample(i * 2);
        rgb[i * 3] = v;
        rgb[i * 3 + 1] = v;
        rgb[i * 3 + 2] = v;
      }
      break;
    default:
      // RGB or RGBA: alpha dropped, never composited.
      for (let i = 0; i < n; i++) {
        rgb[i * 3] = sample(i * channels);
        rgb[i * 3 + 1] = sample(i * channels + 1);
        rgb[i * 3 + 2] = sample(i * channels + 2);
      }
  }
  return { width, height, rgb };
}
