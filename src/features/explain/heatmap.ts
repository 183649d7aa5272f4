/** Pure helpers for drawing a Grad-CAM grid over a photo. */
import { sourceRect, type ResizeMode } from '../../preprocess/geometry';

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** The "jet" colour map: 0 → dark blue, 0.5 → green-yellow, 1 → dark red. Bytes 0..255. */
export function jet(value: number): [number, number, number] {
  const v = clamp01(value);
  const channel = (centre: number) => Math.round(255 * clamp01(1.5 - Math.abs(4 * v - centre)));
  return [channel(3), channel(2), channel(1)];
}

/**
 * A `width × height` grid of 0..1 values as RGBA bytes: jet colours, and more transparent where
 * the value is low, so the photo shows through where the model did not look.
 */
export function gridToRgba(
  grid: ArrayLike<number>,
  width: number,
  height: number,
): Uint8ClampedArray {
  if (grid.length !== width * height) {
    throw new RangeError(
      `a ${width}×${height} grid needs ${width * height} values, got ${grid.length}`,
    );
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < grid.length; i++) {
    const v = clamp01(Number.isFinite(grid[i]) ? (grid[i] as number) : 0);
    const [r, g, b] = jet(v);
    out.set([r, g, b, Math.round(255 * Math.min(1, 0.3 + v))], i * 4);
  }
  return out;
}

/** Where the grid is largest (the first such cell). */
export function peakOf(
  grid: ArrayLike<number>,
  width: number,
): { x: number; y: number; value: number } {
  let best = 0;
  for (let i = 1; i < grid.length; i++) if ((grid[i] as number) > (grid[best] as number)) best = i;
  return { x: best % width, y: Math.floor(best / width), value: (grid[best] as number) ?? 0 };
}

/** A cell's place in words, by thirds: "top left", "centre", "bottom right"… */
export function describePlace(x: number, y: number, width: number, height: number): string {
  const third = (v: number, n: number) => Math.min(2, Math.floor(((v + 0.5) / n) * 3));
  const row = ['top', '', 'bottom'][third(y, height)] as string;
  const col = ['left', '', 'right'][third(x, width)] as string;
  if (!row && !col) return 'centre';
  return [row, col].filter(Boolean).join(' ');
}

/**
 * The part of the displayed photo the model saw, in percent of the photo's size: all of it when
 * squashed, the centred square when cropped. The heatmap is drawn over exactly that part.
 */
export function overlayBox(
  sourceWidth: number,
  sourceHeight: number,
  mode: ResizeMode,
): { left: number; top: number; width: number; height: number } {
  const r = sourceRect(sourceWidth, sourceHeight, 1, 1, mode);
  return {
    left: (r.sx / sourceWidth) * 100,
    top: (r.sy / sourceHeight) * 100,
    width: (r.sw / sourceWidth) * 100,
    height: (r.sh / sourceHeight) * 100,
  };
}
