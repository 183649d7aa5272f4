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
