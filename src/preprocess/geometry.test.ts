import { describe, expect, test } from 'vitest';
import { fitWithin, isResizeMode, RESIZE_MODES, RESIZE_MODE_LABELS, sourceRect } from './geometry';

describe('sourceRect', () => {
  test('keras, like squash, takes the whole image', () => {
    expect(sourceRect(640, 480, 299, 299, 'keras')).toEqual({ sx: 0, sy: 0, sw: 640, sh: 480 });
  });

  test('squash takes the whole image whatever the aspect ratios', () => {
    expect(sourceRect(640, 480, 299, 299, 'squash')).toEqual({ sx: 0, sy: 0, sw: 640, sh: 480 });
    expect(sourceRect(480, 640, 100, 50, 'squash')).toEqual({ sx: 0, sy: 0, sw: 480, sh: 640 });
  });

  test('center-crop of a landscape image into a square keeps the full height, centred', () => {
    expect(sourceRect(640, 480, 299, 299, 'center-crop')).toEqual({
      sx: 80,
      sy: 0,
      sw: 480,
      sh: 480,
    });
  });

  test('center-crop of a portrait image into a square keeps the full width, centred', () => {
    expect(sourceRect(300, 500, 299, 299, 'center-crop')).toEqual({
      sx: 0,
      sy: 100,
      sw: 300,
      sh: 300,
    });
  });

  test('center-crop of a square image into a square is the whole image', () => {
    expect(sourceRect(512, 512, 299, 299, 'center-crop')).toEqual({
      sx: 0,
      sy: 0,
      sw: 512,
      sh: 512,
    });
  });

  test('center-crop into a non-square destination matches its aspect ratio', () => {
    // 2:1 destination from a square source: full width, half the height, centred vertically.
    expect(sourceRect(400, 400, 200, 100, 'center-crop')).toEqual({
      sx: 0,
      sy: 100,
      sw: 400,
      sh: 200,
    });
    // 1:2 destination from a 4:3 source: full height, width = height / 2.
    expect(sourceRect(800, 600, 100, 200, 'center-crop')).toEqual({
      sx: 250,
      sy: 0,
      sw: 300,
      sh: 600,
    });
  });

  test('center-crop rectangles lie inside the image and have the destination aspect', () => {
    const cases: [number, number, number, number][] = [
      [1, 1000, 299, 299],
      [1000, 1, 299, 299],
      [333, 777, 16, 9],
      [1920, 1080, 3, 4],
    ];
    for (const [w, h, dw, dh] of cases) {
      const r = sourceRect(w, h, dw, dh, 'center-crop');
      expect(r.sx).toBeGreaterThanOrEqual(0);
      expect(r.sy).toBeGreaterThanOrEqual(0);
      expect(r.sx + r.sw).toBeCloseTo(w - r.sx, 9); // centred horizontally
      expect(r.sy + r.sh).toBeCloseTo(h - r.sy, 9); // centred vertically
      expect(r.sw).toBeLessThanOrEqual(w);
      expect(r.sh).toBeLessThanOrEqual(h);
      expect(r.sw / r.sh).toBeCloseTo(dw / dh, 9);
      // One side is always kept whole.
      expect(r.sw === w || r.sh === h).toBe(true);
    }
  });

  test.each([
    [0, 10, 10, 10],
    [10, 0, 10, 10],
    [10, 10, 0, 10],
    [10, 10, 10, 0],
    [-5, 10, 10, 10],
    [Number.NaN, 10, 10, 10],
    [10, 10, 10, Number.NaN],
  ])('invalid sizes %s×%s → %s×%s throw a RangeError', (w, h, dw, dh) => {
    for (const mode of ['squash', 'center-crop', 'keras'] as const) {
      expect(() => sourceRect(w, h, dw, dh, mode)).toThrow(RangeError);
      expect(() => sourceRect(w, h, dw, dh, mode)).toThrow(/must be positive/);
    }
  });
});

describe('isResizeMode', () => {
  test('accepts only the three modes', () => {
    expect(isResizeMode('squash')).toBe(true);
    expect(isResizeMode('center-crop')).toBe(true);
    expect(isResizeMode('keras')).toBe(true);
    expect(isResizeMode('Keras')).toBe(false);
    expect(isResizeMode('crop')).toBe(false);
    expect(isResizeMode(undefined)).toBe(false);
    expect(isResizeMode(1)).toBe(false);
  });
});

describe('fitWithin', () => {
  test('never upscales an image that already fits', () => {
    expect(fitWithin(100, 50, 320)).toEqual({ width: 100, height: 50 });
    expect(fitWithin(320, 320, 320)).toEqual({ width: 320, height: 320 });
  });

  test('downscales the longer side to max and keeps the aspect ratio', () => {
    expect(fitWithin(4000, 3000, 320)).toEqual({ width: 320, height: 240 });
    expect(fitWithin(3000, 4000, 320)).toEqual({ width: 240, height: 320 });
    expect(fitWithin(10000, 10000, 8192)).toEqual({ width: 8192, height: 8192 });
  });

  test('rounds to whole pixels and never returns a zero side', () => {
    const r = fitWithin(1000, 333, 100);
    expect(r).toEqual({ width: 100, height: 33 });
    expect(fitWithin(10000, 1, 100)).toEqual({ width: 100, height: 1 });
  });

  test('keeps the aspect ratio within rounding for many sizes', () => {
    for (const [w, h] of [
      [6000, 4000],
      [1234, 5678],
      [401, 399],
    ] as const) {
      const r = fitWithin(w, h, 320);
      expect(Math.max(r.width, r.height)).toBe(320);
      expect(Math.abs(r.width / r.height - w / h)).toBeLessThan(0.01);
    }
  });
});

describe('RESIZE_MODES', () => {
  test('lists the three modes, squash first (the default), each with a label', () => {
    expect(RESIZE_MODES).toEqual(['squash', 'center-crop', 'keras']);
    expect(Object.keys(RESIZE_MODE_LABELS).sort()).toEqual([...RESIZE_MODES].sort());
  });
});
