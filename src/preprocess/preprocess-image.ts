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
  /** a large JPEG decoded at 1/2, 1/4 or 1/8 of its size (see {@link jpegDecodeScale}): 2, 4 or 8 */
  decodedSmaller?: 2 | 4 | 8;
}

/** A thumbnail's longest side in CSS pixels where the options name none (a card's picture box). */
export const CARD_THUMBNAIL_CSS_PX = 160;

/** A thumbnail's longest side in pixels: twice its CSS size, for high-density screens. */
export function thumbnailSide(options: { thumbnailSize?: number }): number {
  return (options.thumbnailSize ?? CARD_THUMBNAIL_CSS_PX) * 2;
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
  return (await inspectImageFile(file)).checked;
}

/**
 * {@link checkImageFile}, with the bytes it read: the whole file for JPEG, PNG and GIF (their
 * completeness is checked), else its first 4 KB.
 */
async function inspectImageFile(file: Blob): Promise<{ checked: CheckedImage; bytes: Uint8Array }> {
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
  return { checked: result, bytes };
}

/**
 * How much smaller a JPEG may be decoded (2, 4 or 8 times on each side; 1: full size) and still
 * have `need` pixels on its shorter side. A JPEG decoder makes 1/2, 1/4 and 1/8 of the picture
 * for a fraction of a full decode's work (it scales inside its transform). Only these three: in
 * Chromium here, a 12-megapixel photo's 299 × 299 input made from a 1/4 or 1/8 decode was within
 * 2–5 levels of the one made from a full decode (mean 0.6–1.1), from a 3/8 decode up to 48 off.
 */
export function jpegDecodeScale(width: number, height: number, need: number): 1 | 2 | 4 | 8 {
  const shorter = Math.min(width, height);
  for (const d of [8, 4, 2] as const) if (Math.floor(shorter / d) >= need) return d;
  return 1;
}

/**
 * The pixels the photo must keep on its shorter side for `options`: twice the model's input
 * (the canvas then downscales with its high-quality filter, as from a full decode) and no fewer
 * than the thumbnail's.
 */
function pixelsNeeded(options: PreprocessOptions): number {
  return Math.max(2 * options.size, thumbnailSide(options));
}

/**
 * A large JPEG decoded at 1/2, 1/4 or 1/8 of its size where that still gives `need` pixels
 * (WebCodecs' `ImageDecoder` with a desired size: the browser scales inside the JPEG decoder), as
 * an upright bitmap (`createImageBitmap` of the frame applies its EXIF rotation and flip). Null
 * where the browser has no `ImageDecoder`, the photo is too small to gain, or anything fails: the
 * caller then decodes it whole, which also reports a broken file properly. A 12-megapixel photo
 * here: 160–200 ms whole, 40–60 ms at 1/4.
 */
async function decodeScaledJpeg(
  bytes: Uint8Array,
  checked: CheckedImage,
  need: number,
): Promise<Decoded | null> {
  const { kind, width, height } = checked;
  if (kind !== 'jpeg' || !width || !height || typeof ImageDecoder === 'undefined') return null;
  const scale = jpegDecodeScale(width, height, need);
  if (scale === 1) return null;
  let decoder: ImageDecoder | null = null;
  try {
    decoder = new ImageDecoder({
      data: bytes,
      type: 'image/jpeg',
      // The frame's own (coded) size: the browser picks the largest of its scales that fits.
      desiredWidth: Math.ceil(width / scale),
      desiredHeight: Math.ceil(height / scale),
    });
    const { image } = await decoder.decode();
    try {
      // The desired size is a hint: a browser that decoded smaller than needed is not used.
      if (Math.min(image.codedWidth, image.codedHeight) < need) return null;
      // Turned a quarter by its EXIF orientation: the frame's displayed sides are swapped.
      const turned =
        image.codedWidth !== image.codedHeight && image.displayWidth === image.codedHeight;
      return {
        bitmap: await createImageBitmap(image),
        scale,
        source: turned ? { width: height, height: width } : { width, height },
      };
    } finally {
      image.close();
    }
  } catch {
    return null;
  } finally {
    decoder?.close();
  }
}

/** A photo decoded upright, and how much smaller than the photo where it was decoded smaller. */
interface Decoded {
  bitmap: ImageBitmap;
  scale?: 2 | 4 | 8;
  /** the photo's own size, upright, where the bitmap is smaller */
  source?: { width: number; height: number };
}

/** The photo decoded upright: at a JPEG's smaller scale where that serves, else whole. */
async function decode(
  file: Blob,
  { checked, bytes }: { checked: CheckedImage; bytes: Uint8Array },
  need: number,
): Promise<Decoded> {
  const { format, width, height } = checked;
  const scaled = await decodeScaledJpeg(bytes, checked, need);
  if (scaled) return scaled;
  try {
    if (width && height && Math.max(width, height) > MAX_DECODE_SIDE) {
      // Downscale while decoding; one side given, the browser keeps the aspect ratio.
      const fit = fitWithin(width, height, MAX_DECODE_SIDE);
      return {
        bitmap: await createImageBitmap(file, {
          imageOrientation: 'from-image',
          ...(width >= height ? { resizeWidth: fit.width } : { resizeHeight: fit.height }),
          resizeQuality: 'high',
        }),
      };
    }
    return { bitmap: await createImageBitmap(file, { imageOrientation: 'from-image' }) };
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
 * A small JPEG of a photo for its card while it waits (longest side `side` pixels at most),
 * decoded upright and, for a large JPEG, at the smallest scale that still covers it: what the
 * page shows instead of the photo's own file, whose full-size decode for a 12-megapixel photo
 * cost the page's renderer more than its model input did. Throws {@link ImageInputError} for a
 * file that is no usable image.
 */
export async function previewImage(file: Blob, side: number): Promise<Blob> {
  const inspected = await inspectImageFile(file);
  const { width, height } = inspected.checked;
  // the preview's shorter side, in the photo's pixels
  const need =
    width && height ? Math.ceil((side * Math.min(width, height)) / Math.max(width, height)) : side;
  const { bitmap } = await decode(file, inspected, need);
  try {
    return await thumbnailOf(bitmap, bitmap.width, bitmap.height, side);
  } finally {
    bitmap.close();
  }
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
  const thumbnail = await rgbThumbnail(image, thumbnailSide(options));
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
  const inspected = await inspectImageFile(file);
  const { checked } = inspected;
  if (options.mode === 'keras') return preprocessLikeKeras(file, checked, options);
  const { note } = checked;
  const { bitmap, scale, source } = await decode(file, inspected, pixelsNeeded(options));
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
      thumbnailSide(options),
    );

    const result: PreprocessedImage = {
      pixels,
      width: size,
      height: size,
      thumbnail,
      sourceWidth: source?.width ?? bitmap.width,
      sourceHeight: source?.height ?? bitmap.height,
    };
    if (note) result.note = note;
    if (scale) result.decodedSmaller = scale;
    return result;
  } finally {
    bitmap.close();
  }
}
