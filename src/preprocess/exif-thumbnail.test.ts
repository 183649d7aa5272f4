import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { withExifThumbnail } from '../test/exif-jpeg';
import { EXIF_THUMBNAIL_HEAD_BYTES, exifThumbnail } from './exif-thumbnail';

function flatJpeg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

const photo = flatJpeg(400, 300, [200, 30, 30]);
const thumb = flatJpeg(40, 30, [30, 200, 30]);

describe('exifThumbnail', () => {
  it('finds the embedded JPEG and the orientation, in either byte order', () => {
    for (const littleEndian of [false, true]) {
      const bytes = withExifThumbnail(photo, thumb, { orientation: 6, littleEndian });
      const found = exifThumbnail(bytes);
      expect(found).toMatchObject({ orientation: 6, width: 40, height: 30 });
      if (!found) throw new Error('no thumbnail');
      expect(bytes.subarray(found.start, found.end)).toEqual(thumb);
    }
  });

  it('says orientation 1 where the photo has none, and reads from the first bytes only', () => {
    const bytes = withExifThumbnail(photo, thumb);
    const found = exifThumbnail(bytes);
    expect(found?.orientation).toBe(1);
    expect(bytes.length).toBeLessThan(EXIF_THUMBNAIL_HEAD_BYTES);
    // a file cut after the photo's frame header still gives it
    const sof = bytes.findIndex(
      (b, i) => i >= (found?.end ?? 0) && b === 0xff && bytes[i + 1] === 0xc0,
    );
    expect(exifThumbnail(bytes.subarray(0, sof + 20))).not.toBeNull();
    // cut before it, the photo's size is unknown: nothing to check the shape against
    expect(exifThumbnail(bytes.subarray(0, sof))).toBeNull();
  });

  it('refuses a thumbnail of another shape than the photo (a crop that kept the old one)', () => {
    expect(exifThumbnail(withExifThumbnail(photo, flatJpeg(40, 40, [0, 0, 0])))).toBeNull();
    expect(exifThumbnail(withExifThumbnail(photo, flatJpeg(30, 40, [0, 0, 0])))).toBeNull();
    // within 2 % of the photo's aspect is the same shape (160 × 120 against 4:3 rounded)
    expect(exifThumbnail(withExifThumbnail(photo, flatJpeg(40, 31, [0, 0, 0])))).toBeNull();
    expect(exifThumbnail(withExifThumbnail(flatJpeg(401, 300, [1, 1, 1]), thumb))).not.toBeNull();
  });

  it('finds nothing where there is nothing to trust', () => {
    expect(exifThumbnail(photo)).toBeNull(); // no EXIF
    expect(exifThumbnail(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull(); // not a JPEG
    const bytes = withExifThumbnail(photo, thumb);
    const found = exifThumbnail(bytes);
    if (!found) throw new Error('no thumbnail');
    // cut inside the thumbnail: its end lies past the bytes
    expect(exifThumbnail(bytes.subarray(0, found.end - 10))).toBeNull();
    // a thumbnail that is no JPEG
    const broken = bytes.slice();
    broken[found.start] = 0;
    expect(exifThumbnail(broken)).toBeNull();
    // an offset pointing outside the EXIF segment
    const outside = bytes.slice();
    const view = new DataView(outside.buffer);
    const at = outside.findIndex((b, i) => b === 0x02 && outside[i + 1] === 0x01 && i > 12);
    view.setUint32(at + 8, 0xffff);
    expect(exifThumbnail(outside)).toBeNull();
  });
});
