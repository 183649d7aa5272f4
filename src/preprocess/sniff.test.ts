import { encode as encodeJpeg } from 'jpeg-js';
import { existsSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { sharedPath, skipWithoutShared } from '../test/shared-fixtures';
import {
  formatName,
  gifFrameCount,
  imageDimensions,
  jpegIsComplete,
  pngIsComplete,
  sniffFormat,
} from './sniff';

/** A deterministic `width × height` RGBA gradient with some texture, so the JPEG has real data. */
function rgbaImage(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 37 + y * 11) & 255;
      data[i + 1] = (x * y * 5) & 255;
      data[i + 2] = ((x ^ y) * 23) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

function makeJpeg(width = 24, height = 16): Uint8Array {
  const { data } = encodeJpeg({ width, height, data: rgbaImage(width, height) }, 90);
  return new Uint8Array(data);
}

function makePng(width = 12, height = 9): Uint8Array {
  const png = new PNG({ width, height });
  png.data.set(rgbaImage(width, height));
  return new Uint8Array(PNG.sync.write(png));
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Inserts an EXIF-like APP1 segment right after SOI whose payload is a tiny "thumbnail" that
 * contains its own SOI … EOI (FF D8 … FF D9), as real camera files do.
 */
function withExifThumbnail(jpeg: Uint8Array): Uint8Array {
  const payload = [
    ...ascii('Exif\0\0'),
    ...ascii('MM\0*'),
    0xff,
    0xd8,
    0xff,
    0xdb,
    0x00,
    0x04,
    0x01,
    0x02,
    0xff,
    0xd9,
    0x00,
  ];
  const length = payload.length + 2;
  return concat(
    jpeg.subarray(0, 2),
    [0xff, 0xe1, length >> 8, length & 255],
    payload,
    jpeg.subarray(2),
  );
}

/** Lengths at which to truncate: 10%, 50%, 90%, and the last few bytes. */
function cutPoints(length: number): number[] {
  return [
    3,
    Math.floor(length * 0.1),
    Math.floor(length * 0.5),
    Math.floor(length * 0.9),
    length - 3,
    length - 2,
    length - 1,
  ];
}

describe('sniffFormat', () => {
  test('recognises a real JPEG encoded by jpeg-js', () => {
    const jpeg = makeJpeg();
    expect(sniffFormat(jpeg)).toBe('jpeg');
    expect(sniffFormat(jpeg.subarray(0, 16))).toBe('jpeg');
  });

  test('recognises a real PNG encoded by pngjs', () => {
    const png = makePng();
    expect(sniffFormat(png)).toBe('png');
    expect(sniffFormat(png.subarray(0, 8))).toBe('png');
  });

  test.each([
    ['gif', ascii('GIF89a\x01\0\x01\0')],
    ['gif', ascii('GIF87a\x01\0\x01\0')],
    ['webp', [...ascii('RIFF'), 0x24, 0, 0, 0, ...ascii('WEBPVP8 ')]],
    ['bmp', [...ascii('BM'), 0x46, 0, 0, 0, 0, 0, 0, 0]],
    ['ico', [0, 0, 1, 0, 1, 0, 16, 16]],
    ['tiff', [...ascii('II*\0'), 8, 0, 0, 0]],
    ['tiff', [...ascii('MM\0*'), 0, 0, 0, 8]],
    ['heic', [0, 0, 0, 0x18, ...ascii('ftypheic'), 0, 0, 0, 0, ...ascii('mif1heic')]],
    ['heic', [0, 0, 0, 0x18, ...ascii('ftypheix'), 0, 0, 0, 0]],
    ['avif', [0, 0, 0, 0x1c, ...ascii('ftypavif'), 0, 0, 0, 0, ...ascii('avifmif1miaf')]],
    ['avif', [0, 0, 0, 0x1c, ...ascii('ftypavis'), 0, 0, 0, 0]],
    ['svg', ascii('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['svg', ascii('\n  <SVG viewBox="0 0 1 1"/>')],
    ['svg', ascii('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')],
  ] as const)('recognises %s magic bytes', (format, bytes) => {
    expect(sniffFormat(new Uint8Array(bytes))).toBe(format);
  });

  test.each([
    ['plain text', ascii('hello, this is not an image')],
    ['an XML file without svg', ascii('<?xml version="1.0"?><root/>')],
    ['HTML', ascii('<!doctype html><html></html>')],
    ['an empty file', []],
    ['a JPEG prefix too short to tell', [0xff, 0xd8]],
    ['a PNG signature cut short', [0x89, ...ascii('PNG'), 0x0d, 0x0a]],
    ['an MP4 (ftyp with a video brand)', [0, 0, 0, 0x18, ...ascii('ftypisom'), 0, 0, 2, 0]],
    ['RIFF that is not WebP', [...ascii('RIFF'), 0x24, 0, 0, 0, ...ascii('WAVEfmt ')]],
    ['a PDF', ascii('%PDF-1.7\n%')],
  ] as const)('returns null for %s', (_, bytes) => {
    expect(sniffFormat(new Uint8Array(bytes))).toBeNull();
  });

  test('formatName gives the human names', () => {
    expect(formatName('jpeg')).toBe('JPEG');
    expect(formatName('webp')).toBe('WebP');
    expect(formatName('heic')).toBe('HEIC');
  });
});

describe('jpegIsComplete', () => {
  const jpeg = makeJpeg();

  test('the encoded JPEG ends with EOI (sanity check of the fixture)', () => {
    expect(jpeg.length).toBeGreaterThan(200);
    expect(Array.from(jpeg.subarray(-2))).toEqual([0xff, 0xd9]);
  });

  test('is true for a complete JPEG', () => {
    expect(jpegIsComplete(jpeg)).toBe(true);
  });

  test('is false at 10%, 50%, 90% and length-1 (and a few more)', () => {
    for (const cut of cutPoints(jpeg.length)) {
      expect(jpegIsComplete(jpeg.subarray(0, cut)), `cut at ${cut}/${jpeg.length}`).toBe(false);
    }
  });

  test('is false for every truncation of the file', () => {
    const wrong: number[] = [];
    for (let cut = 0; cut < jpeg.length; cut++) {
      if (jpegIsComplete(jpeg.subarray(0, cut))) wrong.push(cut);
    }
    expect(wrong).toEqual([]);
  });

  test('is true with trailing bytes after EOI', () => {
    expect(jpegIsComplete(concat(jpeg, [0, 0, 0x12, 0x34]))).toBe(true);
    expect(jpegIsComplete(concat(jpeg, ascii('trailing junk appended by some tool')))).toBe(true);
  });

  test('works on a view into a larger buffer', () => {
    const padded = concat([1, 2, 3], jpeg, [4, 5]);
    expect(jpegIsComplete(padded.subarray(3, 3 + jpeg.length))).toBe(true);
    expect(jpegIsComplete(padded.subarray(3, 3 + jpeg.length - 1))).toBe(false);
  });

  test('an FF D9 inside an APP1 (EXIF thumbnail) does not count as the end', () => {
    const exif = withExifThumbnail(jpeg);
    expect(sniffFormat(exif)).toBe('jpeg');
    expect(jpegIsComplete(exif)).toBe(true);
    // Truncated just after the thumbnail's EOI, at half, and one byte short: all incomplete.
    const thumbEnd = exif.indexOf(0xd9) + 1;
    expect(exif[thumbEnd - 2]).toBe(0xff);
    expect(thumbEnd).toBeLessThan(40);
    for (const cut of [thumbEnd, thumbEnd + 1, ...cutPoints(exif.length)]) {
      expect(jpegIsComplete(exif.subarray(0, cut)), `cut at ${cut}/${exif.length}`).toBe(false);
    }
  });

  test('skips stuffed bytes, restart markers and fill bytes in entropy-coded data', () => {
    const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
    const scan = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0x00, 0xff, 0xd1, 0x78];
    const soi = [0xff, 0xd8];
    const eoi = [0xff, 0xd9];
    expect(jpegIsComplete(concat(soi, sos, scan, eoi))).toBe(true);
    expect(jpegIsComplete(concat(soi, sos, scan, [0xff, 0xff, 0xff, 0xd9]))).toBe(true);
    expect(jpegIsComplete(concat(soi, sos, scan))).toBe(false);
    expect(jpegIsComplete(concat(soi, sos, scan, [0xff]))).toBe(false);
    // Two scans (as in a progressive JPEG): only the final EOI ends it.
    const twoScans = concat(soi, sos, scan, sos, scan, eoi);
    expect(jpegIsComplete(twoScans)).toBe(true);
    expect(jpegIsComplete(twoScans.subarray(0, soi.length + sos.length + scan.length + 4))).toBe(
      false,
    );
  });

  test('is false for a segment whose length field is invalid', () => {
    expect(jpegIsComplete(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xd9]))).toBe(
      false,
    );
  });

  test('is false when garbage follows a segment instead of a marker', () => {
    const broken = concat(
      jpeg.subarray(0, 2),
      [0xff, 0xe0, 0x00, 0x04, 0, 0],
      [0x42],
      jpeg.subarray(2),
    );
    expect(jpegIsComplete(broken)).toBe(false);
  });
});

describe('pngIsComplete', () => {
  const png = makePng();

  test('the encoded PNG ends with IEND (sanity check of the fixture)', () => {
    expect(String.fromCharCode(...png.subarray(-8, -4))).toBe('IEND');
  });

  test('is true for a complete PNG', () => {
    expect(pngIsComplete(png)).toBe(true);
  });

  test('is false at 10%, 50%, 90% and length-1 (and a few more)', () => {
    for (const cut of cutPoints(png.length)) {
      expect(pngIsComplete(png.subarray(0, cut)), `cut at ${cut}/${png.length}`).toBe(false);
    }
  });

  test('is false for every truncation of the file', () => {
    const wrong: number[] = [];
    for (let cut = 0; cut < png.length; cut++) {
      if (pngIsComplete(png.subarray(0, cut))) wrong.push(cut);
    }
    expect(wrong).toEqual([]);
  });

  test('is true with trailing bytes after IEND', () => {
    expect(pngIsComplete(concat(png, ascii('appended')))).toBe(true);
  });

  test('works on a view into a larger buffer', () => {
    const padded = concat([9, 9, 9, 9, 9], png, [1]);
    expect(pngIsComplete(padded.subarray(5, 5 + png.length))).toBe(true);
    expect(pngIsComplete(padded.subarray(5, 5 + png.length - 1))).toBe(false);
  });
});

describe('real photos from ../shared/photos', () => {
  const dir = sharedPath('photos') + '/';
  const names = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'];
  const present = names.filter((name) => existsSync(dir + name));
  const skip = skipWithoutShared(
    names.map((name) => dir + name),
    'the real-photo sniff checks',
  );

  test.skipIf(skip)('are complete JPEGs and their truncations are not', () => {
    for (const name of present) {
      const bytes = new Uint8Array(readFileSync(dir + name));
      expect(sniffFormat(bytes.subarray(0, 4096)), name).toBe('jpeg');
      expect(jpegIsComplete(bytes), name).toBe(true);
      expect(jpegIsComplete(bytes.subarray(0, Math.floor(bytes.length / 2))), name).toBe(false);
      for (const cut of cutPoints(bytes.length)) {
        expect(jpegIsComplete(bytes.subarray(0, cut)), `${name} cut at ${cut}`).toBe(false);
      }
    }
  });
});

describe('imageDimensions', () => {
  test('reads JPEG (past an EXIF segment) and PNG sizes from their headers', () => {
    expect(imageDimensions(makeJpeg(24, 16), 'jpeg')).toEqual({ width: 24, height: 16 });
    expect(imageDimensions(withExifThumbnail(makeJpeg(40, 8)), 'jpeg')).toEqual({
      width: 40,
      height: 8,
    });
    expect(imageDimensions(makePng(12, 9), 'png')).toEqual({ width: 12, height: 9 });
  });

  test('reads GIF and BMP sizes; a header cut short says nothing', () => {
    const gif = concat(ascii('GIF89a'), [0x2c, 0x01, 0x10, 0x00, 0, 0, 0]);
    expect(imageDimensions(gif, 'gif')).toEqual({ width: 300, height: 16 });
    const bmp = new Uint8Array(30);
    const view = new DataView(bmp.buffer);
    bmp.set(ascii('BM'));
    view.setInt32(18, 640, true);
    view.setInt32(22, -480, true); // top-down bitmaps store a negative height
    expect(imageDimensions(bmp, 'bmp')).toEqual({ width: 640, height: 480 });
    expect(imageDimensions(makePng().subarray(0, 20), 'png')).toBeNull();
    expect(imageDimensions(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), 'jpeg')).toBeNull();
  });
});

describe('gifFrameCount', () => {
  const frame = (lzw: number[]): number[] => [
    0x21,
    0xf9,
    0x04,
    0x00,
    0x0a,
    0x00,
    0x00,
    0x00,
    0x2c,
    0,
    0,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    0x02,
    lzw.length,
    ...lzw,
    0x00,
  ];
  const gif = (frames: number): Uint8Array =>
    concat(
      ascii('GIF89a'),
      [1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255],
      ...Array.from({ length: frames }, () => frame([0x44, 0x01])),
      [0x3b],
    );

  test('counts image descriptors, skipping extensions and colour tables', () => {
    expect(gifFrameCount(gif(1))).toBe(1);
    expect(gifFrameCount(gif(2))).toBe(2);
    expect(gifFrameCount(gif(5), 10)).toBe(5);
    expect(gifFrameCount(gif(5))).toBe(2); // stops at the limit
  });
});
