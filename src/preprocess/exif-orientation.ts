/**
 * Makes a JPEG's EXIF orientation say "upright as stored" (1), in a copy of its bytes. Keras'
 * `load_img` never rotates by EXIF, while Chromium applies the tag when decoding whatever
 * `createImageBitmap`'s `imageOrientation` asks for; neutralising the tag makes the browser
 * decode the stored pixels as PIL does. Nothing else in the file changes, so the decoded pixels
 * are the same.
 */

const ORIENTATION_TAG = 0x0112;

/** Whether a JPEG segment's payload `bytes[start, end)` is EXIF's: it opens with "Exif\0\0". */
export function isExifPayload(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start >= 6 &&
    bytes[start] === 0x45 && // E
    bytes[start + 1] === 0x78 && // x
    bytes[start + 2] === 0x69 && // i
    bytes[start + 3] === 0x66 && // f
    bytes[start + 4] === 0 &&
    bytes[start + 5] === 0
  );
}

/** Offset of the orientation value inside a TIFF block (APP1 payload after "Exif\0\0"), or -1. */
function orientationValueOffset(view: DataView, tiff: number, end: number): number {
  if (tiff + 8 > end) return -1;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return -1; // "II" or "MM"
  const little = order === 0x4949;
  if (view.getUint16(tiff + 2, little) !== 42) return -1;
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > end) return -1;
  const count = view.getUint16(ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > end) return -1;
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    // type SHORT (3), one value, stored left-aligned in the 4-byte value field
    if (view.getUint16(entry + 2, little) !== 3) return -1;
    return entry + 8;
  }
  return -1;
}

/**
 * A copy of `bytes` with every EXIF (APP1) orientation tag set to 1; other files (not JPEG, no
 * EXIF, no tag) come back as an unchanged copy. Pure: `bytes` is not modified.
 */
export function neutraliseJpegOrientation(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length < 4 || out[0] !== 0xff || out[1] !== 0xd8) return out;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = 2;
  while (pos + 4 <= out.length) {
    if (out[pos] !== 0xff) break; // not at a marker: stop rather than guess
    const marker = out[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    // Markers without a length; the image data starts at SOS (the header is over).
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const length = view.getUint16(pos + 2);
    const start = pos + 4;
    const end = Math.min(out.length, pos + 2 + length);
    if (length < 2) break;
    if (marker === 0xe1 && isExifPayload(out, start, end)) {
      const tiff = start + 6;
      const at = orientationValueOffset(view, tiff, end);
      if (at >= 0 && at + 2 <= end) {
        const little = view.getUint16(tiff) === 0x4949;
        view.setUint16(at, 1, little);
      }
    }
    pos = pos + 2 + length;
  }
  return out;
}
