import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { checkImageFile, TINY_SIDE } from './preprocess-image';

function png(width: number, height: number): Blob {
  const image = new PNG({ width, height });
  image.data.fill(128);
  return new Blob([new Uint8Array(PNG.sync.write(image))], { type: 'image/png' });
}

describe('checkImageFile on tiny photos', () => {
  test('a 4 × 4 photo gets a note that its answer is a guess; a normal one does not', async () => {
    const tiny = await checkImageFile(png(4, 4));
    expect(tiny.note).toMatch(/tiny photo \(4 × 4 px\).*guess/i);
    const fine = await checkImageFile(png(TINY_SIDE, 200));
    expect(fine.note).toBeUndefined();
  });
});
