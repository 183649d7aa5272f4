/**
 * Teach from a dataset, end to end on the production build with WebAssembly and the real
 * ImageNet MobileNet: a folder laid out as Keras' image_dataset_from_directory (with a junk file
 * and an unreadable "photo") and a ZIP with train/ and validation/ splits, made here from
 * variations of the shared photos. Import → class cards → train → evaluation → a confusion cell's
 * photos → move and exclude → retrain; a reload keeps the dataset and reuses the cached features;
 * the model trained on the dataset downloads as a Keras .h5 holding the weights it is saved with.
 */
import { expect, test, type Page } from '@playwright/test';
import { BlobWriter, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MOBILENET_URL, needsSharedFixtures, openApp } from './helpers';
import { downloadH5, expectKerasH5 } from './keras-h5-check';
import { SHARED_DIR } from './paths';

const CLASSES = ['dog', 'eagle', 'giraffe'] as const;

/** Variation `n` of a shared photo: a shifted square crop, mirrored on odd n, lighter or darker. */
function variation(name: string, n: number, size = 96): Buffer {
  const src = jpeg.decode(readFileSync(resolve(SHARED_DIR, 'photos', `${name}.jpg`)));
  const side = Math.min(src.width, src.height) * (0.75 + 0.05 * (n % 4));
  const x0 = (src.width - side) * ((n * 0.37) % 1);
  const y0 = (src.height - side) * ((n * 0.61) % 1);
  const gain = 0.85 + 0.1 * (n % 3);
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = Math.floor(x0 + ((n % 2 ? size - 1 - x : x) * side) / size);
      const sy = Math.floor(y0 + (y * side) / size);
      const from = (sy * src.width + sx) * 4;
      const to = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) {
        png.data[to + c] = Math.min(255, Math.round((src.data[from + c] ?? 0) * gain));
      }
      png.data[to + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

async function tab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('dataset-section')).toBeVisible();
}

async function counts(page: Page): Promise<Record<string, number>> {
  const cards = page.getByTestId('class-card');
  const pairs = await cards.evaluateAll((els) =>
    els.map((el) => [el.getAttribute('data-name') ?? '', Number(el.getAttribute('data-count'))]),
  );
  return Object.fromEntries(pairs) as Record<string, number>;
}

async function trainAndWait(page: Page): Promise<number> {
  const accuracy = page.getByTestId('val-accuracy');
  const before = await page.getByTestId('dataset-results').count();
  await page.getByTestId('train-button').click();
  // The progress shows while it trains, then the evaluation comes back.
  if (before > 0) await expect(page.getByTestId('dataset-progress')).toBeVisible();
  await expect(page.getByTestId('dataset-progress')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('dataset-error')).toHaveCount(0);
  await expect(accuracy).toBeVisible();
  const value = Number(await accuracy.getAttribute('data-value'));
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(1);
  return value;
}

test.describe('Teach: datasets', () => {
  needsSharedFixtures();

  test('a folder dataset: import, train, fix a confusion cell, retrain, reload reuses features', async ({
    page,
  }, info) => {
    test.setTimeout(300_000);
    const root = info.outputPath('animals');
    for (const name of CLASSES) {
      mkdirSync(join(root, name), { recursive: true });
      for (let n = 0; n < 4; n++)
        writeFileSync(join(root, name, `${name}-${n}.png`), variation(name, n));
    }
    writeFileSync(join(root, 'notes.txt'), 'not a photo');
    writeFileSync(join(root, 'dog', 'broken.jpg'), Buffer.from('this is not a JPEG at all'));

    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await tab(page);
    await page.getByTestId('dataset-import').setInputFiles(root);
    await expect(page.getByTestId('class-card')).toHaveCount(3, { timeout: 120_000 });
    expect(await counts(page)).toEqual({ dog: 4, eagle: 4, giraffe: 4 });
    // the text file and the broken JPEG are listed, not fatal
    await expect(page.getByTestId('dataset-skipped')).toHaveAttribute('data-count', '2');
    await page.getByTestId('dataset-skipped').click();
    await expect(page.getByText('notes.txt: not a photo (.txt)')).toBeVisible();
    await expect(page.getByText(/dog\/broken\.jpg: unreadable/)).toBeVisible();
    // the import computed every photo's features once
    const features = page.getByTestId('dataset-features');
    await expect(features).toHaveAttribute('data-computed', '12');

    await trainAndWait(page);
    // Training found the features cached: nothing computed again.
    await expect(features).toHaveAttribute('data-reused', '12');
    await expect(features).toHaveAttribute('data-computed', '0');
    // 20 % per class for validation: one photo of each class, three in the matrix
    const cells = page.getByTestId('confusion-cell');
    await expect(cells).toHaveCount(9);
    const total = (
      await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-count'))))
    ).reduce((a, b) => a + b, 0);
    expect(total).toBe(3);
    await expect(page.getByTestId('class-score')).toHaveCount(3);

    // open a cell with photos: its photos are listed with their fixes
    const cell = page.locator('[data-testid=confusion-cell]:not([data-count="0"])').first();
    const actual = (await cell.getAttribute('data-actual')) ?? '';
    const cellCount = Number(await cell.getAttribute('data-count'));
    await cell.click();
    const photos = page.getByTestId('cell-photos').getByTestId('cell-photo');
    await expect(photos).toHaveCount(cellCount);
    const other = CLASSES.find((c) => c !== actual) ?? 'dog';
    const first = photos.first();
    await first.getByTestId('photo-move').selectOption({ label: other });
    const moved = await counts(page);
    expect(moved[actual]).toBe(3);
    expect(moved[other]).toBe(5);
    await expect(page.getByTestId('dataset-changed')).toBeVisible();
    await first.getByTestId('photo-exclude').click();
    expect(await counts(page)).toEqual({ ...moved, [other]: 4 });
    await expect(page.getByTestId('dataset-counts')).toContainText(
      '11 photos in 3 classes · 1 excluded',
    );

    await trainAndWait(page);
    await expect(features).toHaveAttribute('data-reused', '11');
    await expect(features).toHaveAttribute('data-computed', '0');
    await expect(page.getByTestId('dataset-changed')).toHaveCount(0);

    // the trained model on a dropped photo, before saving
    await page
      .getByTestId('dataset-results')
      .getByTestId('preview-input')
      .setInputFiles({
        name: 'try.png',
        mimeType: 'image/png',
        buffer: variation('giraffe', 7),
      });
    await expect(page.getByTestId('preview-result')).toHaveAttribute(
      'data-label',
      /^(dog|eagle|giraffe)$/,
    );

    // a reload keeps the dataset (classes, moves, exclusions) and its features
    const kept = await counts(page);
    await page.reload();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
      timeout: 120_000,
    });
    await tab(page);
    await expect(page.getByTestId('class-card')).toHaveCount(3);
    expect(await counts(page)).toEqual(kept);
    await trainAndWait(page);
    await expect(features).toHaveAttribute('data-reused', '11');
    await expect(features).toHaveAttribute('data-computed', '0');
  });

  test('a ZIP dataset with train/ and validation/ uses its own split', async ({ page }, info) => {
    test.setTimeout(300_000);
    const zip = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false });
    for (const name of ['dog', 'eagle']) {
      for (let n = 0; n < 4; n++) {
        const split = n === 0 ? 'validation' : 'train';
        await zip.add(`pets/${split}/${name}/${n}.png`, new Uint8ArrayReader(variation(name, n)));
      }
    }
    await zip.add('pets/readme.txt', new Uint8ArrayReader(new TextEncoder().encode('hello')));
    const buffer = Buffer.from(await (await zip.close()).arrayBuffer());

    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await tab(page);
    await page
      .getByTestId('dataset-zip')
      .setInputFiles({ name: 'pets.zip', mimeType: 'application/zip', buffer });
    await expect(page.getByTestId('class-card')).toHaveCount(2, { timeout: 120_000 });
    expect(await counts(page)).toEqual({ dog: 4, eagle: 4 });
    await expect(page.getByTestId('dataset-skipped')).toHaveAttribute('data-count', '1');
    await trainAndWait(page);
    await expect(page.getByTestId('val-accuracy')).toContainText('on 2 photos');
    const total = (
      await page
        .getByTestId('confusion-cell')
        .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-count'))))
    ).reduce((a, b) => a + b, 0);
    expect(total).toBe(2);

    // The model trained on the dataset, as a Keras .h5, before saving; then saved and exported as
    // .tfjs.zip: the .h5 holds exactly those weights, and h5py sees Keras' layout.
    const h5 = await downloadH5(page, info);
    await page.getByTestId('dataset-model-name').fill('Pets');
    await page.getByTestId('dataset-save').click();
    await expect(page.getByTestId('model-status')).toContainText('Pets ready', { timeout: 60_000 });
    const saved = page.locator('[data-testid=teach-saved-model][data-name="Pets"]');
    await expect(saved).toHaveCount(1);
    const downloading = page.waitForEvent('download');
    await saved.getByRole('button', { name: 'Export' }).click();
    const zipped = readFileSync((await (await downloading).path()) ?? '');
    expect(await expectKerasH5(h5, zipped, 2, info)).toBeGreaterThan(2);
  });
});
