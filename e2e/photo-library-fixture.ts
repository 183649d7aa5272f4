/**
 * A generated photo library: variations of the shared photos (crops, mirror images, tints, small
 * sizes) in nested folders, plus hidden files and folders that must be skipped. Used by
 * e2e/library.spec.ts and the bench's `library` suite.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** `source` scaled (nearest) so its longest side is `side`. */
function shrink(source: Rgba, side: number): Rgba {
  const scale = side / Math.max(source.width, source.height);
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.min(source.width - 1, Math.floor(x / scale));
      const sy = Math.min(source.height - 1, Math.floor(y / scale));
      data.set(
        source.data.subarray((sy * source.width + sx) * 4, (sy * source.width + sx) * 4 + 4),
        (y * width + x) * 4,
      );
    }
  }
  return { width, height, data };
}

/** Variation `n` of a photo: a crop, maybe mirrored, a little brighter or tinted. */
function vary(base: Rgba, n: number): Rgba {
  const crop = 0.75 + ((n * 7) % 25) / 100; // 75–99 % of the picture
  const w = Math.round(base.width * crop);
  const h = Math.round(base.height * crop);
  const ox = Math.floor(((base.width - w) * ((n * 13) % 10)) / 10);
  const oy = Math.floor(((base.height - h) * ((n * 17) % 10)) / 10);
  const mirror = n % 2 === 1;
  const gain = 0.85 + ((n * 11) % 30) / 100;
  const tint = ((n * 5) % 3) - 1;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = ox + (mirror ? w - 1 - x : x);
      const i = ((oy + y) * base.width + sx) * 4;
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = base.data[i + c]! * gain + (c === 0 ? tint * 12 : c === 2 ? -tint * 12 : 0);
        data[o + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/** What {@link writePhotoLibrary} made. */
export interface GeneratedLibrary {
  root: string;
  /** relative paths of the photos (hidden files not included), in the order written */
  paths: string[];
  /** relative paths of the hidden files and folders' files written too */
  hidden: string[];
}

/**
 * Writes `count` photos under `root` in nested folders (`<photo>/set-<k>/…`), each a variation of
 * one of `sources`, at most `side` pixels long; plus `.DS_Store`, `.hidden.jpg` and `.thumbs/`.
 */
export function writePhotoLibrary(
  root: string,
  sources: string[],
  count: number,
  side = 160,
): GeneratedLibrary {
  const bases = sources.map((file) => {
    const decoded = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: true });
    return {
      name: file
        .split('/')
        .pop()!
        .replace(/\.jpe?g$/i, ''),
      image: shrink({ width: decoded.width, height: decoded.height, data: decoded.data }, side * 2),
    };
  });
  const paths: string[] = [];
  for (let n = 0; n < count; n++) {
    const base = bases[n % bases.length]!;
    const variant = Math.floor(n / bases.length);
    const folder = `${base.name}/set-${variant % 4}`;
    mkdirSync(join(root, folder), { recursive: true });
    const picture = shrink(vary(base.image, variant), side);
    const path = `${folder}/${base.name}-${n}.jpg`;
    writeFileSync(join(root, path), jpeg.encode(picture, 80).data);
    paths.push(path);
  }
  mkdirSync(join(root, '.thumbs'), { recursive: true });
  const sample = readFileSync(join(root, paths[0]!));
  const hidden = ['.DS_Store', '.hidden.jpg', '.thumbs/cached.jpg'];
  writeFileSync(join(root, '.DS_Store'), 'not a photo');
  writeFileSync(join(root, '.hidden.jpg'), sample);
  writeFileSync(join(root, '.thumbs/cached.jpg'), sample);
  return { root, paths, hidden };
}
