import { expect, test } from '@playwright/test';
import { card, labelsOf, MOBILENET_URL, openApp, photo, needsSharedFixtures } from './helpers';

const KNOWN_TOP3: Record<string, string> = {
  'dog.jpg': 'malamute',
  'eagle.jpg': 'kite',
  'giraffe.jpg': 'zebra',
};

test.describe('classify photos with a real ImageNet model', () => {
  needsSharedFixtures();

  test('the shared photos get their known top-3; bad files get error cards', async ({ page }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-backend', 'wasm');
    await expect(status).toContainText('WebAssembly');

    const jpeg = photo('dog.jpg');
    const truncated = {
      name: 'truncated.jpg',
      mimeType: 'image/jpeg',
      buffer: jpeg.buffer.subarray(0, jpeg.buffer.length / 2),
    };
    const text = {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a photo at all'),
    };
    await page
      .locator('input[type=file][multiple]')
      .setInputFiles([photo('dog.jpg'), text, photo('eagle.jpg'), truncated, photo('giraffe.jpg')]);

    await expect(page.getByTestId('image-card')).toHaveCount(5);
    await expect(card(page, 'notes.txt')).toHaveAttribute('data-status', 'error');
    await expect(card(page, 'notes.txt')).toContainText('not an image');
    await expect(card(page, 'truncated.jpg')).toHaveAttribute('data-status', 'error');
    await expect(card(page, 'truncated.jpg')).toContainText('could not decode this JPEG');

    for (const [name, label] of Object.entries(KNOWN_TOP3)) {
      await expect(card(page, name)).toHaveAttribute('data-status', 'done');
      const labels = await labelsOf(page, name);
      expect(labels).toHaveLength(3);
      expect(
        labels.some((l) => l.includes(label)),
        `${name}: ${labels.join(' | ')}`,
      ).toBe(true);
      const probabilities = await card(page, name)
        .getByTestId('prediction')
        .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-probability'))));
      expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
      expect(probabilities.every((p) => p > 0 && p <= 1)).toBe(true);
    }
    // the dog's first answer is the malamute, as measured with TensorFlow.js
    expect((await labelsOf(page, 'dog.jpg'))[0]).toContain('malamute');
  });
});
