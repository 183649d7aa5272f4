/**
 * Awkward image files, made in code so the tests need nothing from outside: a huge PNG (written
 * row by row through zlib, never held in memory), a grayscale PNG with alpha, an animated GIF,
 * an SVG with a script, a fake HEIC, and generated JPEG photos.
 */
import { crc32, createDeflate } from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A `size × size` RGB PNG of one flat colour, deflated row by row (16000² is ≈ 1 MB on disk). */
export async function hugePng(size: number): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.alloc(1 + size * 3, 0x80);
  row[0] = 0; // filter: none
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let y = 0; y < size; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 64×64 grayscale PNG with an alpha channel (colour type 4). */
export function grayAlphaPng(): Buffer {
  const png = new PNG({
    width: 64,
    height: 64,
    colorType: 4,
    inputColorType: 6,
    inputHasAlpha: true,
  });
  for (let i = 0; i < 64 * 64; i++) {
    const v = (i % 64) * 4;
    png.data[i * 4] = v;
    png.data[i * 4 + 1] = v;
    png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = i < 2048 ? 255 : 96;
  }
  return PNG.sync.write(png, { colorType: 4, inputColorType: 6 });
}

/** A 1×1 GIF with two frames (black, then white) that loops: an animated GIF. */
export function animatedGif(): Buffer {
  const frame = (lzw: number[]): number[] => [
    // graphic control extension: 10 cs delay
    0x21,
    0xf9,
    0x04,
    0x00,
    0x0a,
    0x00,
    0x00,
    0x00,
    // image descriptor 1×1 at 0,0, no local table
    0x2c,
    0x00,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x01,
    0x00,
    0x00,
    // LZW minimum code size 2, one sub-block, terminator
    0x02,
    lzw.length,
    ...lzw,
    0x00,
  ];
  return Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'),
    0x01,
    0x00,
    0x01,
    0x00,
    0x80,
    0x00,
    0x00, // 1×1, global colour table of 2
    0x00,
    0x00,
    0x00,
    0xff,
    0xff,
    0xff, // black, white
    // NETSCAPE2.0 loop forever
    0x21,
    0xff,
    0x0b,
    ...Buffer.from('NETSCAPE2.0', 'ascii'),
    0x03,
    0x01,
    0x00,
    0x00,
    0x00,
    ...frame([0x44, 0x01]), // clear, index 0, end
    ...frame([0x4c, 0x01]), // clear, index 1, end
    0x3b,
  ]);
}

/** An SVG that would set `window.svgScriptRan` if its script ever ran. */
export function svgWithScript(): Buffer {
  return Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
      '<script>window.svgScriptRan = true; parent.svgScriptRan = true;</script>' +
      '<rect width="100" height="100" fill="red"/></svg>',
  );
}

/** A file that looks like HEIC (ftyp heic) but that no browser here can decode. */
export function fakeHeic(): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypheic', 4, 'ascii');
  box.write('mif1heic', 16, 'ascii');
  return Buffer.concat([box, Buffer.alloc(2048, 7)]);
}

/** A small JPEG photo-like image: smooth colours that change with `seed`. */
export function generatedJpeg(seed: number, size = 96): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data[i] = (x * 2 + seed * 37) % 256;
      data[i + 1] = (y * 2 + seed * 91) % 256;
      data[i + 2] = ((x + y) * 3 + seed * 53) % 256;
      data[i + 3] = 255;
    }
  }
  return jpeg.encode({ data, width: size, height: size }, 85).data;
}

/**
 * Adds an EXIF APP1 segment with an Orientation tag to a JPEG that has none. Orientation 6 means
 * "rotate 90° clockwise to display", as phones write for portrait photos.
 */
export function withExifOrientation(jpegBytes: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'ascii'); // big-endian TIFF
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // first IFD at offset 8
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // count
  tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt32BE(0, 22); // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpegBytes.subarray(0, 2), header, payload, jpegBytes.subarray(2)]);
}

/**
 * A camera-sized JPEG made from a smaller one: `jpegBytes` decoded and enlarged (bilinear) to
 * `width × height`, then encoded again — a photo-like picture large enough for the preprocess
 * step's scaled JPEG decode.
 */
export function enlargedJpeg(jpegBytes: Buffer, width: number, height: number): Buffer {
  const src = jpeg.decode(jpegBytes, { useTArray: true, formatAsRGBA: true });
  const data = Buffer.alloc(width * height * 4);
  const sx = (src.width - 1) / (width - 1);
  const sy = (src.height - 1) / (height - 1);
  for (let y = 0; y < height; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => src.data[(yy * src.width + xx) * 4 + c] as number;
        const top = at(x0, y0) * (1 - wx) + at(x1, y0) * wx;
        const bottom = at(x0, y1) * (1 - wx) + at(x1, y1) * wx;
        data[o + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
      data[o + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 90).data;
}

/**
 * A `width × height` JPEG of fine noise over two colours (reddish top half, bluish bottom half):
 * noise keeps it about as many bytes a pixel as a camera's photo, which smooth generated pictures
 * are not.
 */
export function noisyJpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >> 16) % 96;
  };
  for (let y = 0; y < height; y++) {
    const top = y < height / 2;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (top ? 150 : 20) + noise();
      data[i + 1] = 40 + noise();
      data[i + 2] = (top ? 20 : 150) + noise();
      data[i + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 90).data;
}
