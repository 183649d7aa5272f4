/**
 * Decoding as Keras' `load_img` does (PIL `Image.open` + `convert('RGB')`): no colour
 * management, no EXIF rotation, alpha dropped without compositing.
 *
 * - PNG is decoded in JavaScript (png-as-pil.ts): a canvas premultiplies alpha, so the colour
 *   under transparent pixels could not come back unchanged.
 * - JPEG is decoded by the browser (libjpeg-turbo, as PIL) with `colorSpaceConversion: 'none'`,
 *   after the EXIF orientation tag is set to 1 in a copy of the bytes: Chromium applies the tag
 *   whatever `imageOrientation` asks for. JPEG has no alpha, so the canvas loses nothing.
 * - Other formats (GIF, WebP, BMP) go the JPEG way; their opaque pixels match, the colour under
 *   transparent ones does not (documented in docs/keras-resize.md).
 */
import { neutraliseJpegOrientation } from './exif-orientation';
import type { RgbImage } from './pillow-nearest';
import { decodePngLikePil } from './png-as-pil';
import type { ImageFormat } from './sniff';

/** Decodes `file` to the RGB bytes PIL's `Image.open(…).convert('RGB')` holds. */
export async function decodeLikePil(file: Blob, format: ImageFormat): Promise<RgbImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (format === 'png') return decodePngLikePil(bytes);
  const source = format === 'jpeg' ? neutraliseJpegOrientation(bytes) : bytes;
  const bitmap = await createImageBitmap(new Blob([source as Uint8Array<ArrayBuffer>]), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
    // The tag now says 1 (upright as stored), so this rotates nothing.
    imageOrientation: 'from-image',
  });
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser cannot draw on an OffscreenCanvas');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i] as number;
      rgb[j + 1] = rgba[i + 1] as number;
      rgb[j + 2] = rgba[i + 2] as number;
    }
    return { width, height, rgb };
  } finally {
    bitmap.close();
  }
}
