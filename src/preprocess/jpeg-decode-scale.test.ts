import { describe, expect, it } from 'vitest';
import { jpegDecodeScale } from './preprocess-image';

describe('jpegDecodeScale', () => {
  it('picks the smallest of 1/2, 1/4 and 1/8 that keeps the pixels needed on the shorter side', () => {
    // a 12-megapixel phone photo for InceptionV3 (2 × 299 = 598 needed): 1/4 gives 1008 × 756
    expect(jpegDecodeScale(4032, 3024, 598)).toBe(4);
    // the same photo turned upright: the shorter side decides either way
    expect(jpegDecodeScale(3024, 4032, 598)).toBe(4);
    // MobileNet (2 × 224 = 448): 1/4 still (3024 / 8 = 378 is too few)
    expect(jpegDecodeScale(4032, 3024, 448)).toBe(4);
    // a 48-megapixel photo: 1/8 gives 1000 × 750
    expect(jpegDecodeScale(8000, 6000, 598)).toBe(8);
    // a half keeps 1000 ≥ 598 pixels of the shorter side, a quarter 500 < 598
    expect(jpegDecodeScale(2667, 2000, 598)).toBe(2);
  });

  it('decodes whole what has no pixels to spare', () => {
    expect(jpegDecodeScale(1920, 1080, 598)).toBe(1); // 540 < 598 at a half
    expect(jpegDecodeScale(768, 576, 598)).toBe(1);
    expect(jpegDecodeScale(1195, 4000, 598)).toBe(1); // a narrow panorama: its short side decides
  });

  it('counts only whole pixels at the edge of a scale', () => {
    expect(jpegDecodeScale(1196, 1196, 598)).toBe(2);
    expect(jpegDecodeScale(1195, 1196, 598)).toBe(1);
    expect(jpegDecodeScale(4784, 4784, 598)).toBe(8);
    expect(jpegDecodeScale(4783, 4784, 598)).toBe(4);
  });
});
