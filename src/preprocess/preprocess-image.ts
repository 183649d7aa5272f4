/**
 * Turns a user's file into what the worker needs: decoded upright (EXIF orientation applied),
 * fitted into the model's square input on a canvas, as transferable RGBA bytes, plus a small
 * thumbnail for the card. Runs on the page, off React's render path. The `keras` mode decodes
 * and samples as Python's Keras `load_img` does instead (see keras-decode.ts).
 */
import { fitWithin, sourceRect, type ResizeMode } from './geometry';
import { resizeNearestLikePillow, type RgbImage } from './pillow-nearest';
import {
  formatName,
  gifFrameCount,
  imageDimensions,
  jpegIsComplete,
  pngIsComplete,
  sniffFormat,
  type ImageFormat,
} from './sniff';

/** A problem with the input file itself; its message is written for the user. */
export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

/** Options for {@link preprocessImage}. */
export interface PreprocessOptions {
  /** the model's square input size in pixels */
  size: number;
  mode: ResizeMode;
  /** longest side of the thumbnail, in CSS pixels */
  thumbnailSize?: number;
}

/** The model input and thumbnail made from one file. */
export interface PreprocessedImage {
  /** RGBA bytes of the `size × size` model input; hand it over as a transferable */
  pixels: ArrayBuffer;
  width: number;
  height: number;
  thumbnail: Blob;
  sourceWidth: number;
  sourceHeight: number;
  /** something the user should know, e.g. that only a GIF's first frame was used */
  note?: string;
}

/** Largest side we keep after decoding; bigger photos are downscaled while decoding. */
const MAX_DECODE_SIDE = 4096;
/** Larger images are refused: decoding them could take gigabytes and crash the tab. */
export const MAX_PIXELS = 100_000_000;

function canvas2d(
  width: number,
  height: number,
): {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
} {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser cannot draw on an OffscreenCanvas');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  return { canvas, ctx };
}

/** Photos with a side shorter than this many pixels get a note that the answer is a guess. */
export const TINY_SIDE = 32;

/** What {@link checkImageFile} learned from a file's bytes. */
export interface CheckedImage {
  /** the format's name for messages (e.g. "JPEG") */
  format: string;
  /** the sniffed format */
  kind: ImageFormat;
  width?: number;
  height?: number;
  note?: string;
}

/** Checks the file's bytes and says plainly what is wrong, before the browser decodes it. */
export async function checkImageFile(file: Blob): Promise<CheckedImage> {
  if (file.size === 0) throw new ImageInputError('empty file (0 bytes)');
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const format = sniffFormat(head);
  if (!format) throw new ImageInputError('not an image');
  const name = formatName(format);
  if (format === 'svg') {
    throw new ImageInputError('SVG drawings are not supported: export the picture as PNG or JPEG');
  }
  const whole = format === 'jpeg' || format === 'png' || format === 'gif';
  const bytes = whole ? new Uint8Array(await file.arrayBuffer()) : head;
  if (format === 'jpeg' || format === 'png') {
    const complete = format === 'jpeg' ? jpegIsComplete(bytes) : pngIsComplete(bytes);
    if (!complete) {
      throw new ImageInputError(`could not decode this ${name}: the file is truncated`);
    }
  }
  const result: CheckedImage = { format: name, kind: format };
  const size = imageDimensions(bytes, format);
  if (size) {
    if (size.width === 0 || size.height === 0) {
      throw new ImageInputError(`could not decode this ${name}: it has no pixels`);
    }
    if (size.width * size.height > MAX_PIXELS) {
      const mp = Math.round((size.width * size.height) / 1e6);
      throw new ImageInputError(
        `too large: ${size.width} × ${size.height} (${mp} megapixels); images up to ` +
          `${MAX_PIXELS / 1e6} megapixels are accepted — scale it down and try again`,
      );
    }
    result.width = size.width;
    result.height = size.height;
  }
  if (format === 'gif' && gifFrameCount(bytes) > 1) {
    result.note = 'Animated GIF: its first frame was classified';
  }
  if (size && Math.min(size.width, size.height) < TINY_SIDE) {
    const tiny = `A tiny photo (${size.width} × ${size.height} px): the model sees little more than a blur, so take its answer as a guess.`;
    result.note = result.note ? `${result.note}. ${tiny}` : tiny;
  }
  return result;
}

async function decode(file: Blob, checked: CheckedImage): Promise<ImageBitmap> {
  const { format, width, height } = checked;
  try {
    if (width && height && Math.max(width, height) > MAX_DECODE_SIDE) {
      // Downscale while decoding; one side given, the browser keeps the aspect ratio.
      const fit = fitWithin(width, height, MAX_DECODE_SIDE);
      return await createImageBitmap(file, {
        imageOrientation: 'from-image',
        ...(width >= height ? { resizeWidth: fit.width } : { resizeHeight: fit.height }),
        resizeQuality: 'high',
      });
    }
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (error) {
    const reason = format === 'HEIC' ? ' (this browser cannot open HEIC photos)' : '';
    throw new ImageInputError(`could not decode this ${format}${reason}`, { cause: error });
  }
}

/**
 * A JPEG thumbnail of an RGB picture decoded without the browser, sampled straight from the
 * bytes (no full-size canvas: a large PNG would need hundreds of megabytes for it).
 */
async function rgbThumbnail(image: RgbImage, side: number): Promise<Blob> {
  const fit = fitWithin(image.width, image.height, side);
  const { canvas, ctx } = canvas2d(fit.width, fit.height);
  const rgba = resizeNearestLikePillow(image, fit.width, fit.height);
  ctx.putImageData(new ImageData(rgba, fit.width, fit.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

/** A JPEG thumbnail of `source`, longest side `side` pixels at most. */
async function thumbnailOf(
  source: CanvasImageSource,
  width: number,
  height: number,
  side: number,
): Promise<Blob> {
  const fit = fitWithin(width, height, side);
  const thumb = canvas2d(fit.width, fit.height);
  thumb.ctx.drawImage(source, 0, 0, fit.width, fit.height);
  return thumb.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

/**
 * The `keras` mode: PIL's pixels (see keras-decode.ts), Pillow's NEAREST to the model size, alpha
 * 255. The thumbnail shows the picture as the model got it: without EXIF rotation.
 */
async function preprocessLikeKeras(
  file: Blob,
  checked: CheckedImage,
  options: PreprocessOptions,
): Promise<PreprocessedImage> {
  let image: RgbImage;
  try {
    // Loaded on first use (fflate, fast-png): only ?resize=keras needs it, not the first screen.
    const { decodeLikePil } = await import('./keras-decode');
    image = await decodeLikePil(file, checked.kind);
  } catch (error) {
    throw new ImageInputError(`could not decode this ${checked.format}`, { cause: error });
  }
  const { size } = options;
  const pixels = resizeNearestLikePillow(image, size, size).buffer;
  const thumbnail = await rgbThumbnail(image, (options.thumbnailSize ?? 160) * 2);
  const result: PreprocessedImage = {
    pixels,
    width: size,
    height: size,
    thumbnail,
    sourceWidth: image.width,
    sourceHeight: image.height,
  };
  if (checked.note) result.note = checked.note;
  return result;
}

/** Decodes, orients and resizes one file. Throws {@link ImageInputError} for bad files. */
export async function preprocessImage(
  file: Blob,
  options: PreprocessOptions,
): Promise<PreprocessedImage> {
  const checked = await checkImageFile(file);
  if (options.mode === 'keras') return preprocessLikeKeras(file, checked, options);
  const { note } = checked;
  const bitmap = await decode(file, checked);
  try {
    const { size, mode } = options;
    const input = canvas2d(size, size);
    const r = sourceRect(bitmap.width, bitmap.height, size, size, mode);
    // Transparent areas show as white on the page; give the model the same picture.
    input.ctx.fillStyle = '#fff';
    input.ctx.fillRect(0, 0, size, size);
    input.ctx.drawImage(bitmap, r.sx, r.sy, r.sw, r.sh, 0, 0, size, size);
    const pixels = input.ctx.getImageData(0, 0, size, size).data.buffer;

    const thumbnail = await thumbnailOf(
      bitmap,
      bitmap.width,
      bitmap.height,
      (options.thumbnailSize ?? 160) * 2,
    );

    const result: PreprocessedImage = {
      pixels,
      width: size,
      height: size,
      thumbnail,
      sourceWidth: bitmap.width,
      sourceHeight: bitmap.height,
    };
    if (note) result.note = note;
    return result;
  } finally {
    bitmap.close();
  }
}
