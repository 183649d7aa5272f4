/**
 * Draws the app icons (a lens: a ring with a warm pupil on blue) as PNGs in public/icons/.
 * Plain pixels, no design tool: `npx tsx scripts/make-icons.ts`. The output is committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

type Rgb = [number, number, number];
const BLUE: Rgb = [29, 78, 216];
const WHITE: Rgb = [255, 255, 255];
const AMBER: Rgb = [251, 191, 36];

/** One icon; `maskable` keeps the drawing inside the 80 % safe zone and fills the corners. */
function icon(size: number, maskable: boolean): Buffer {
  const png = new PNG({ width: size, height: size });
  const c = size / 2;
  const scale = maskable ? 0.8 : 1;
  const corner = maskable ? 0 : size * 0.22;
  const ringOuter = size * 0.3 * scale;
  const ringInner = size * 0.21 * scale;
  const pupil = size * 0.1 * scale;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      // rounded-square background (alpha 0 outside the corners)
      const dx = Math.max(corner - x - 0.5, x + 0.5 - (size - corner), 0);
      const dy = Math.max(corner - y - 0.5, y + 0.5 - (size - corner), 0);
      const inside = corner === 0 || Math.hypot(dx, dy) <= corner;
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      const colour = r <= pupil ? AMBER : r >= ringInner && r <= ringOuter ? WHITE : BLUE;
      png.data[i] = colour[0];
      png.data[i + 1] = colour[1];
      png.data[i + 2] = colour[2];
      png.data[i + 3] = inside ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}

const dir = new URL('../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
] as const) {
  writeFileSync(new URL(name, dir), icon(size, maskable));
  console.log(`wrote public/icons/${name}`);
}
