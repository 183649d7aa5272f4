/**
 * Debug hook (`?debug` in the address only): keeps a copy of the last model input made for each
 * file name on `window.__lensModelInputs`, so end-to-end tests can compare the page's pixels with
 * Python's. Without `?debug` it does nothing and keeps nothing.
 */
import type { ResizeMode } from './geometry';

/** One recorded model input: RGBA bytes as base64 (small to hand to a test). */
export interface RecordedInput {
  width: number;
  height: number;
  mode: ResizeMode;
  rgbaBase64: string;
  /** a large JPEG decoded at 1/2, 1/4 or 1/8 of its size: 2, 4 or 8 */
  decodedSmaller?: number;
}

declare global {
  interface Window {
    __lensModelInputs?: Record<string, RecordedInput>;
  }
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Records `image`'s model input under `name` when the page runs with `?debug`. */
export function recordModelInput(
  name: string,
  image: { pixels: ArrayBuffer; width: number; height: number; decodedSmaller?: number },
  mode: ResizeMode,
): void {
  if (typeof window === 'undefined' || !new URLSearchParams(location.search).has('debug')) return;
  const store = (window.__lensModelInputs ??= {});
  store[name] = {
    width: image.width,
    height: image.height,
    mode,
    rgbaBase64: base64(new Uint8Array(image.pixels)),
    ...(image.decodedSmaller ? { decodedSmaller: image.decodedSmaller } : {}),
  };
}
