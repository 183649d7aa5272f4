/**
 * Recognises image files by their first bytes (never by name or MIME type, which lie) and checks
 * that JPEG and PNG files are complete: browsers happily draw the top half of a truncated JPEG,
 * which would then be classified as if it were the whole photo.
 */

/** Formats we can name in messages. */
export type ImageFormat =
  'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heic' | 'svg' | 'ico' | 'tiff';

const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  avif: 'AVIF',
  heic: 'HEIC',
  svg: 'SVG',
  ico: 'ICO',
  tiff: 'TIFF',
};

/** Human name of a format ("JPEG"). */
export function formatName(format: ImageFormat): string {
  return FORMAT_NAMES[format];
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** The image format of a file's leading bytes, or `null` when it is not a known image. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 1, 3) === 'PNG' && b[0] === 0x89) return 'png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return 'bmp';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return 'ico';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand))
      return 'heic';
  }
  const text = new TextDecoder().decode(b.subarray(0, 512)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg';
  return null;
}

/**
 * Whether a JPEG's marker structure runs to its end-of-image marker. Walks the segments from SOI,
 * skips each scan's entropy-coded data (where 0xFF is always followed by 0x00 or a restart
 * marker), and reports `false` when the bytes run out first.
 */
export function jpegIsComplete(bytes: Uint8Array): boolean {
  let i = 2;
  const n = bytes.length;
  while (i < n) {
    if (bytes[i] !== 0xff) return false;
    let marker = bytes[i + 1];
    while (marker === 0xff && i + 1 < n) marker = bytes[++i + 1];
    if (marker === undefined) return false;
    i += 2;
    if (marker === 0xd9) return true;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (i + 1 >= n) return false;
    const length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    if (length < 2) return false;
    i += length;
    if (marker !== 0xda) continue;
    // Entropy-coded data follows a start-of-scan header: find the next real marker.
    while (i < n) {
      if (bytes[i] === 0xff) {
        const next = bytes[i + 1];
        if (next === undefined) return false;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
      }
      i++;
    }
  }
  return false;
}

/** Whether a PNG ends with its IEND chunk (chunks walked from the signature). */
export function pngIsComplete(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 8;
  while (i + 8 <= bytes.length) {
    const length = view.getUint32(i);
    const type = ascii(bytes, i + 4, 4);
    i += 12 + length;
    if (i > bytes.length) return false;
    if (type === 'IEND') return true;
  }
  return false;
}

/** Width and height from an image's header, or `null` when the header does not say. */
export function imageDimensions(
  bytes: Uint8Array,
  format: ImageFormat,
): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (n: number): boolean => bytes.length >= n;
  switch (format) {
    case 'png':
      return has(24) ? { width: view.getUint32(16), height: view.getUint32(20) } : null;
    case 'gif':
      return has(10) ? { width: view.getUint16(6, true), height: view.getUint16(8, true) } : null;
    case 'bmp':
      return has(26)
        ? { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) }
        : null;
    case 'webp': {
      if (!has(30)) return null;
      const kind = ascii(bytes, 12, 4);
      if (kind === 'VP8X') {
        return {
          width:
            1 +
            (bytes[24] as number) +
            ((bytes[25] as number) << 8) +
            ((bytes[26] as number) << 16),
          height:
            1 +
            (bytes[27] as number) +
            ((bytes[28] as number) << 8) +
            ((bytes[29] as number) << 16),
        };
      }
      if (kind === 'VP8 ')
        return {
          width: view.getUint16(26, true) & 0x3fff,
          height: view.getUint16(28, true) & 0x3fff,
        };
      if (kind === 'VP8L') {
        const b = view.getUint32(21, true);
        return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
      }
      return null;
    }
    case 'jpeg': {
      // Walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC).
      let i = 2;
      while (i + 9 < bytes.length) {
        if (bytes[i] !== 0xff) return null;
        const marker = bytes[i + 1] as number;
        if (marker === 0xff) {
          i += 1;
          continue;
        }
        const length = view.getUint16(i + 2);
        if (
          marker >= 0xc0 &&
          marker <= 0xcf &&
          marker !== 0xc4 &&
          marker !== 0xc8 &&
          marker !== 0xcc
        ) {
          return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
        }
        i += 2 + length;
      }
      return null;
    }
    default:
      return null;
  }
}

/** Number of frames in a GIF (walks its blocks; stops early at `limit`). */
export function gifFrameCount(bytes: Uint8Array, limit = 2): number {
  if (bytes.length < 13) return 0;
  const skipSubBlocks = (at: number): number => {
    let i = at;
    while (i < bytes.length && bytes[i] !== 0) i += 1 + (bytes[i] as number);
    return i + 1;
  };
  const flags = bytes[10] as number;
  let i = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  let frames = 0;
  while (i < bytes.length && frames < limit) {
    const block = bytes[i];
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      i = skipSubBlocks(i + 2); // extension: label, then sub-blocks
    } else if (block === 0x2c) {
      frames += 1;
      const local = bytes[i + 9] as number;
      i += 10 + (local & 0x80 ? 3 * 2 ** ((local & 0x07) + 1) : 0);
      i = skipSubBlocks(i + 1); // LZW minimum code size, then image data sub-blocks
    } else {
      break;
    }
  }
  return frames;
}
