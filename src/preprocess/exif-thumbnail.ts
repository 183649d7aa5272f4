/**
 * The small JPEG most cameras write into a photo's EXIF block (IFD1: typically 160 × 120, stored
 * the way the photo itself is stored), found in the photo's first bytes. A waiting card can show it
 * for almost nothing — a slice of the file, no decode of the photo — where the photo itself would
 * cost a decode of 12 megapixels. It is only trusted when its shape is the photo's: an editor that
 * crops a photo and keeps the old thumbnail would otherwise show what was cropped away.
 */
import { isExifPayload } from './exif-orientation';
import { imageDimensions } from './sniff';

/** Where an embedded thumbnail lies in its file, and how the photo is turned. */
export interface ExifThumbnail {
  /** byte offsets of the thumbnail's JPEG in the file (end exclusive) */
  start: number;
  end: number;
  /** the photo's EXIF orientation, 1–8 (1 where it has none); the thumbnail needs the same turn */
  orientation: number;
  /** the thumbnail's size as stored */
  width: number;
  height: number;
}

/** How many of a file's first bytes {@link exifThumbnail} needs to see. */
export const EXIF_THUMBNAIL_HEAD_BYTES = 128 * 1024;

/** How far the thumbnail's shape may be from the photo's (relative to the photo's aspect). */
const ASPECT_TOLERANCE = 0.02;

const ORIENTATION = 0x0112;
const THUMBNAIL_OFFSET = 0x0201;
const THUMBNAIL_LENGTH = 0x0202;

/** The TIFF block of a JPEG's EXIF segment: [start, end) in `bytes`, or null. */
function exifBlock(bytes: Uint8Array, view: DataView): [number, number] | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    const marker = bytes[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // the image data: no EXIF before it
    const length = view.getUint16(pos + 2);
    if (length < 2) return null;
    const start = pos + 4;
    const end = pos + 2 + length;
    if (marker === 0xe1 && isExifPayload(bytes, start, end)) {
      return end <= bytes.length ? [start + 6, end] : null;
    }
    pos = end;
  }
  return null;
}

/**
 * The EXIF thumbnail of a JPEG from its first bytes ({@link EXIF_THUMBNAIL_HEAD_BYTES} is
 * enough: the EXIF segment is at most 64 KB and comes before the photo's frame header), or null:
 * no EXIF, no thumbnail, a thumbnail that is no JPEG or lies outside the segment, a photo or
 * thumbnail whose size the bytes do not give, or a thumbnail of another shape than the photo.
 */
export function exifThumbnail(bytes: Uint8Array): ExifThumbnail | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const block = exifBlock(bytes, view);
  if (!block) return null;
  const [tiff, end] = block;
  if (tiff + 8 > end) return null;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return null; // "II" or "MM"
  const little = order === 0x4949;
  if (view.getUint16(tiff + 2, little) !== 42) return null;

  /** An IFD's entries as tag → value (SHORT or LONG, one value), and the next IFD's offset. */
  const readIfd = (offset: number): { tags: Map<number, number>; next: number } | null => {
    const at = tiff + offset;
    if (offset < 8 || at + 2 > end) return null;
    const count = view.getUint16(at, little);
    if (at + 2 + count * 12 + 4 > end) return null;
    const tags = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const entry = at + 2 + i * 12;
      const type = view.getUint16(entry + 2, little);
      if (view.getUint32(entry + 4, little) !== 1) continue;
      const tag = view.getUint16(entry, little);
      if (type === 3) tags.set(tag, view.getUint16(entry + 8, little));
      else if (type === 4) tags.set(tag, view.getUint32(entry + 8, little));
    }
    return { tags, next: view.getUint32(at + 2 + count * 12, little) };
  };

  const ifd0 = readIfd(view.getUint32(tiff + 4, little));
  if (!ifd0 || ifd0.next === 0) return null;
  const ifd1 = readIfd(ifd0.next);
  const offset = ifd1?.tags.get(THUMBNAIL_OFFSET);
  const length = ifd1?.tags.get(THUMBNAIL_LENGTH);
  if (offset === undefined || length === undefined || length < 4) return null;
  const start = tiff + offset;
  const stop = start + length;
  if (start < tiff || stop > end || bytes[start] !== 0xff || bytes[start + 1] !== 0xd8) return null;

  const thumb = imageDimensions(bytes.subarray(start, stop), 'jpeg');
  const photo = imageDimensions(bytes, 'jpeg');
  if (!thumb || !photo || !thumb.width || !thumb.height || !photo.width || !photo.height) {
    return null;
  }
  const aspect = photo.width / photo.height;
  if (Math.abs(thumb.width / thumb.height - aspect) > ASPECT_TOLERANCE * aspect) return null;
  const turn = ifd0.tags.get(ORIENTATION) ?? 1;
  return {
    start,
    end: stop,
    orientation: turn >= 1 && turn <= 8 ? turn : 1,
    width: thumb.width,
    height: thumb.height,
  };
}
