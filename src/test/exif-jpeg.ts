/**
 * JPEGs with an EXIF block made in code (tests): `withExifThumbnail` puts an APP1 segment right
 * after a JPEG's start-of-image marker holding IFD0 (the orientation, when given) and IFD1 (a
 * thumbnail JPEG's offset and length, then its bytes), in either byte order.
 */

/** `photo` with an EXIF segment embedding `thumbnail` (both JPEG files). */
export function withExifThumbnail(
  photo: Uint8Array,
  thumbnail: Uint8Array,
  options: { orientation?: number; littleEndian?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const little = options.littleEndian ?? false;
  const ifd0Entries = options.orientation === undefined ? 0 : 1;
  const ifd0 = 8;
  const ifd1 = ifd0 + 2 + ifd0Entries * 12 + 4;
  const data = ifd1 + 2 + 2 * 12 + 4; // the thumbnail's offset in the TIFF block
  const tiff = new Uint8Array(data + thumbnail.length);
  const view = new DataView(tiff.buffer);
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, little);
  view.setUint32(4, ifd0, little);
  view.setUint16(ifd0, ifd0Entries, little);
  if (options.orientation !== undefined) {
    view.setUint16(ifd0 + 2, 0x0112, little);
    view.setUint16(ifd0 + 4, 3, little); // SHORT
    view.setUint32(ifd0 + 6, 1, little);
    view.setUint16(ifd0 + 10, options.orientation, little);
  }
  view.setUint32(ifd0 + 2 + ifd0Entries * 12, ifd1, little); // next IFD: IFD1
  view.setUint16(ifd1, 2, little);
  const entry = (at: number, tag: number, value: number) => {
    view.setUint16(at, tag, little);
    view.setUint16(at + 2, 4, little); // LONG
    view.setUint32(at + 4, 1, little);
    view.setUint32(at + 8, value, little);
  };
  entry(ifd1 + 2, 0x0201, data);
  entry(ifd1 + 14, 0x0202, thumbnail.length);
  view.setUint32(ifd1 + 26, 0, little); // no IFD after IFD1
  tiff.set(thumbnail, data);
  const payload = new Uint8Array(6 + tiff.length);
  payload.set([0x45, 0x78, 0x69, 0x66, 0, 0]); // "Exif\0\0"
  payload.set(tiff, 6);
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  segment.set(payload, 4);
  const out = new Uint8Array(photo.length + segment.length);
  out.set(photo.subarray(0, 2));
  out.set(segment, 2);
  out.set(photo.subarray(2), 2 + segment.length);
  return out;
}
