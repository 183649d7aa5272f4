/**
 * How a photo is fitted into the model's square input: `squash` stretches the whole photo with
 * a smooth canvas resize, `center-crop` takes the centred square, and `keras` reproduces Keras'
 * `load_img(target_size=…)` bit for bit (PIL decode, no EXIF rotation, alpha dropped, Pillow's
 * NEAREST).
 */
export type ResizeMode = 'squash' | 'center-crop' | 'keras';

/** Every resize mode, in the order Settings offers them (`?resize=` takes the same values). */
export const RESIZE_MODES: readonly ResizeMode[] = ['squash', 'center-crop', 'keras'];

/** Short words for the mode that made a result, shown on cards and kept in exports. */
export const RESIZE_MODE_LABELS: Readonly<Record<ResizeMode, string>> = {
  squash: 'squashed',
  'center-crop': 'centre crop',
  keras: "as Keras' load_img",
};

/** The part of the source image that is drawn onto the whole destination canvas. */
export interface SourceRect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/** True for a string naming a resize mode. */
export function isResizeMode(value: unknown): value is ResizeMode {
  return (RESIZE_MODES as readonly unknown[]).includes(value);
}

/**
 * Source rectangle for fitting a `width × height` image into a `dstWidth × dstHeight` input.
 * `squash` and `keras` take the whole image and stretch it, as Keras' `load_img(target_size=…)`
 * does; `center-crop` takes the largest centred region with the destination's aspect ratio.
 */
export function sourceRect(
  width: number,
  height: number,
  dstWidth: number,
  dstHeight: number,
  mode: ResizeMode,
): SourceRect {
  if (!(width > 0 && height > 0 && dstWidth > 0 && dstHeight > 0)) {
    throw new RangeError(
      `image sizes must be positive (got ${width}×${height} → ${dstWidth}×${dstHeight})`,
    );
  }
  if (mode !== 'center-crop') return { sx: 0, sy: 0, sw: width, sh: height };
  const dstAspect = dstWidth / dstHeight;
  if (width / height > dstAspect) {
    const sw = height * dstAspect;
    return { sx: (width - sw) / 2, sy: 0, sw, sh: height };
  }
  const sh = width / dstAspect;
  return { sx: 0, sy: (height - sh) / 2, sw: width, sh };
}

/** Size that fits inside `max × max` keeping the aspect ratio (never upscales). */
export function fitWithin(
  width: number,
  height: number,
  max: number,
): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
