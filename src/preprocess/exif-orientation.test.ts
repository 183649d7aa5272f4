import { describe, expect, test } from 'vitest';
import { neutraliseJpegOrientation } from './exif-orientation';

/** A minimal JPEG header: SOI, an optional APP0, an EXIF APP1 with IFD0 entries, then SOS. */
function jpegWithExif(
  orientation: number,
  order: 'II' | 'MM',
  { app0 = false, before = 0 }: { app0?: boolean; before?: number } = {},
): Uint8Array {
  const little = order === 'II';
  const entries = before + 1;
  const tiff = new DataView(new ArrayBuffer(8 + 2 + entries * 12 + 4));
  tiff.setUint16(0, little ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, little);
  tiff.setUint32(4, 8, little);
  tiff.setUint16(8, entries, little);
  for (let i = 0; i < before; i++) {
    // ImageWidth (0x0100), LONG, 1 value
    tiff.setUint16(10 + i * 12, 0x0100, little);
    tiff.setUint16(12 + i * 12, 4, little);
    tiff.setUint32(14 + i * 12, 1, little);
    tiff.setUint32(18 + i * 12, 640, little);
  }
  const e = 10 + before * 12;
  tiff.setUint16(e, 0x0112, little);
  tiff.setUint16(e + 2, 3, little);
  tiff.setUint32(e + 4, 1, little);
  tiff.setUint16(e + 8, orientation, little);
  const payload = [...new TextEncoder().encode('Exif'), 0, 0, ...new Uint8Array(tiff.buffer)];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  const jfif = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xff, 0xd9];
  return new Uint8Array([0xff, 0xd8, ...(app0 ? jfif : []), ...app1, ...sos]);
}

/** The orientation value as a reader would see it. */
function orientationOf(bytes: Uint8Array, order: 'II' | 'MM', offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(offset, order === 'II');
}

describe('neutraliseJpegOrientation', () => {
  test.each([
    ['II', false, 0],
    ['MM', false, 0],
    ['II', true, 2],
    ['MM', true, 3],
  ] as const)(
    '%s (APP0 %s, %i entries before): 6 becomes 1, nothing else changes',
    (order, app0, before) => {
      const input = jpegWithExif(6, order, { app0, before });
      const copy = input.slice();
      const out = neutraliseJpegOrientation(input);
      expect(input).toEqual(copy); // pure: the input is untouched
      expect(out.length).toBe(input.length);
      const differ = [...out.keys()].filter((i) => out[i] !== input[i]);
      // the value's two bytes at most, and they now read 1
      expect(differ.length).toBeGreaterThan(0);
      expect(differ.length).toBeLessThanOrEqual(2);
      const at = Math.min(...differ) - (order === 'II' ? 0 : 1);
      expect(orientationOf(out, order, at)).toBe(1);
      expect(orientationOf(input, order, at)).toBe(6);
    },
  );

  test.each([1, 2, 3, 4, 5, 7, 8])('orientation %i is neutralised too', (value) => {
    const out = neutraliseJpegOrientation(jpegWithExif(value, 'MM'));
    expect(out).toEqual(jpegWithExif(1, 'MM'));
  });

  test('files without EXIF, non-JPEG files and truncated headers come back unchanged', () => {
    const plain = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 4, 1, 2, 0xff, 0xd9]);
    expect(neutraliseJpegOrientation(plain)).toEqual(plain);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(neutraliseJpegOrientation(png)).toEqual(png);
    const full = jpegWithExif(6, 'II');
    for (const cut of [3, 6, 12, 20, 30]) {
      const truncated = full.subarray(0, cut);
      expect(() => neutraliseJpegOrientation(truncated)).not.toThrow();
    }
    expect(neutraliseJpegOrientation(new Uint8Array(0)).length).toBe(0);
  });
});
