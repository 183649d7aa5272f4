import { describe, expect, test } from 'vitest';
import { describePlace, gridToRgba, jet, overlayBox, peakOf } from './heatmap';

describe('heatmap helpers', () => {
  test('jet runs blue → green → red', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(-3)).toEqual(jet(0));
    expect(jet(7)).toEqual(jet(1));
  });

  test('grid to RGBA: colours, alpha rising with the value, bad values as 0', () => {
    const rgba = gridToRgba([0, 1, NaN, 0.5], 2, 2);
    expect(Array.from(rgba.slice(0, 4))).toEqual([0, 0, 128, 77]);
    expect(Array.from(rgba.slice(4, 8))).toEqual([128, 0, 0, 255]);
    expect(Array.from(rgba.slice(8, 12))).toEqual([0, 0, 128, 77]);
    expect(Array.from(rgba.slice(12, 16))).toEqual([128, 255, 128, 204]);
    expect(() => gridToRgba([1, 2, 3], 2, 2)).toThrow('needs 4 values, got 3');
  });

  test('peak and its place in words', () => {
    const grid = new Float32Array(64);
    grid[6 * 8 + 1] = 1;
    expect(peakOf(grid, 8)).toEqual({ x: 1, y: 6, value: 1 });
    expect(describePlace(1, 6, 8, 8)).toBe('bottom left');
    expect(describePlace(3, 4, 8, 8)).toBe('centre');
    expect(describePlace(7, 0, 8, 8)).toBe('top right');
    expect(describePlace(3, 0, 7, 7)).toBe('top');
  });

  test('the overlay covers what the model saw', () => {
    expect(overlayBox(400, 200, 'squash')).toEqual({ left: 0, top: 0, width: 100, height: 100 });
    expect(overlayBox(400, 200, 'center-crop')).toEqual({
      left: 25,
      top: 0,
      width: 50,
      height: 100,
    });
    expect(overlayBox(100, 300, 'center-crop')).toMatchObject({ left: 0, width: 100 });
    expect(overlayBox(100, 300, 'center-crop').top).toBeCloseTo(100 / 3, 10);
  });
});
