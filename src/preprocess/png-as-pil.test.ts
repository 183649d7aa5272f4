import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, describe, expect, test } from 'vitest';
import {
  compareArrays,
  makePilFixtures,
  pilTestsRun,
  readFloat32,
  rgbaAsFloats,
  runPil,
  tempDir,
} from '../test/pil-reference';
import { decodePngLikePil } from './png-as-pil';
import { resizeNearestLikePillow } from './pillow-nearest';

describe('decodePngLikePil', () => {
  test('keeps the colour under fully transparent pixels (no compositing, no premultiplying)', () => {
    const rgba = new Uint8Array([200, 100, 50, 0, 1, 2, 3, 128, 255, 255, 255, 255]);
    const png = encode({ width: 3, height: 1, data: rgba, channels: 4, depth: 8 });
    expect([...decodePngLikePil(png).rgb]).toEqual([200, 100, 50, 1, 2, 3, 255, 255, 255]);
  });

  test('16-bit greyscale clips above 255 (PIL mode I → RGB), 16-bit colour keeps the high byte', () => {
    const grey = encode({
      width: 3,
      height: 1,
      data: new Uint16Array([7, 255, 4000]),
      channels: 1,
      depth: 16,
    });
    expect([...decodePngLikePil(grey).rgb]).toEqual([7, 7, 7, 255, 255, 255, 255, 255, 255]);
    const rgb = encode({
      width: 1,
      height: 1,
      data: new Uint16Array([0x12ff, 0x3400, 0xffff]),
      channels: 3,
      depth: 16,
    });
    expect([...decodePngLikePil(rgb).rgb]).toEqual([0x12, 0x34, 0xff]);
  });

  test('a broken PNG throws', () => {
    expect(() => decodePngLikePil(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))).toThrow();
  });
});

/** Target sizes: the two model inputs, an odd one, and an upscale. */
const TARGETS: [number, number][] = [
  [224, 224],
  [299, 299],
  [13, 17],
  [640, 480],
];

describe.runIf(pilTestsRun('PIL load_img comparison'))('bit-identical to PIL', () => {
  const dir = tempDir();
  const names = makePilFixtures(dir);
  const pngs = names.filter((n) => n.endsWith('.png'));
  const jpegs = names.filter((n) => n.endsWith('.jpg'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the fixtures cover JPEG and every PNG colour type and depth', () => {
    expect(jpegs.length).toBeGreaterThanOrEqual(4);
    expect(pngs.length).toBeGreaterThanOrEqual(15);
  });

  test('PNG decoding gives PIL convert("RGB") bytes for every colour type and depth', () => {
    const answers = runPil<{ width: number; height: number; mode: string }>(
      pngs.map((n) => ({ op: 'decode', src: join(dir, n), out: join(dir, `${n}.rgb`) })),
    );
    pngs.forEach((name, k) => {
      const ours = decodePngLikePil(readFileSync(join(dir, name)));
      const pil = new Uint8Array(readFileSync(join(dir, `${name}.rgb`)));
      expect([ours.width, ours.height], name).toEqual([answers[k]?.width, answers[k]?.height]);
      expect(compareArrays(ours.rgb, pil), `${name} (PIL mode ${answers[k]?.mode})`).toEqual({
        differing: 0,
        maxDiff: 0,
      });
    });
  });

  test("our decode + NEAREST equals load_img + img_to_array (PNG: all ours; JPEG: PIL's decode)", () => {
    const jobs = names.flatMap((name) => [
      { op: 'decode' as const, src: join(dir, name), out: join(dir, `${name}.rgb`) },
      ...TARGETS.map(([h, w]) => ({
        op: 'load_img' as const,
        src: join(dir, name),
        h,
        w,
        out: join(dir, `${name}.${h}x${w}.f32`),
      })),
    ]);
    const answers = runPil<{ width?: number; height?: number }>(jobs);
    let compared = 0;
    names.forEach((name, k) => {
      const size = answers[k * (TARGETS.length + 1)];
      // JPEG decoding is the browser's job (checked end to end); here PIL's decode feeds our resize.
      const source = name.endsWith('.png')
        ? decodePngLikePil(readFileSync(join(dir, name)))
        : {
            width: size?.width ?? 0,
            height: size?.height ?? 0,
            rgb: new Uint8Array(readFileSync(join(dir, `${name}.rgb`))),
          };
      for (const [h, w] of TARGETS) {
        const ours = rgbaAsFloats(resizeNearestLikePillow(source, w, h));
        const pil = readFloat32(join(dir, `${name}.${h}x${w}.f32`));
        expect(compareArrays(ours, pil), `${name} → ${w}×${h}`).toEqual({
          differing: 0,
          maxDiff: 0,
        });
        compared++;
      }
    });
    console.log(`load_img: ${compared} image/size pairs bit-identical to PIL`);
  });
});
