/**
 * The photo library in Classify at a few hundred photos (issue 13): a nested folder with hidden
 * files picked through the folder input, live counts, a bounded DOM, label search, similar photos,
 * and everything back after a reload.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MOBILENET_URL, needsSharedFixtures, openApp } from './helpers';
import { SHARED_DIR } from './paths';
import { writePhotoLibrary, type GeneratedLibrary } from './photo-library-fixture';

const COUNT = 240;

test.describe('photo library', () => {
  needsSharedFixtures();
  let library: GeneratedLibrary;
  test.beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'lens-library-'));
    library = writePhotoLibrary(
      join(root, 'holiday'),
      ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'].map((f) => resolve(SHARED_DIR, 'photos', f)),
      COUNT,
      128,
    );
  });
  test.afterAll(() => {
    if (library) rmSync(resolve(library.root, '..'), { recursive: true, force: true });
  });

  test('a folder of a few hundred photos: counted without hidden files, bounded DOM, search, similar, restored after a reload', async ({
    page,
  }) => {
    test.setTimeout(600_000);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.locator('input[type=file][webkitdirectory]').setInputFiles(library.root);

    const count = page.getByTestId('library-count');
    // Hidden files and folders are skipped and not counted.
    await expect(count).toHaveAttribute('data-total', String(COUNT));
    await expect(page.locator('[data-testid=image-card][data-path^=".thumbs"]')).toHaveCount(0);
    await expect(page.locator('[data-testid=image-card][data-filename^="."]')).toHaveCount(0);
    // Paths are relative to the picked folder.
    await expect(
      page.locator(`[data-testid=image-card][data-path="${library.paths[0]}"]`),
    ).toHaveCount(1);

    // Only the cards in view (plus a margin) are in the DOM, while classifying and after.
    expect(await page.getByTestId('image-card').count()).toBeLessThanOrEqual(200);
    await expect(count).toHaveAttribute('data-done', String(COUNT), { timeout: 540_000 });
    await expect(count).toHaveAttribute('data-shown', String(COUNT));
    const inDom = await page.getByTestId('image-card').count();
    expect(inDom).toBeGreaterThan(0);
    expect(inDom).toBeLessThan(COUNT);
    await page.mouse.wheel(0, 20_000);
    await expect(page.getByTestId('image-card').first()).toBeVisible();
    expect(await page.getByTestId('image-card').count()).toBeLessThanOrEqual(200);
    await page.evaluate(() => window.scrollTo(0, 0));

    // Search by label: the chart's most common top-1 label filters to fewer photos, all matching.
    const top = page.getByTestId('library-chart').locator('button').first();
    const label = (await top.getAttribute('data-label')) ?? '';
    const topCount = Number(await top.getAttribute('data-count'));
    const word = label.split(',')[0]!.trim();
    await page.getByTestId('library-search').fill(word);
    const shown = Number(await count.getAttribute('data-shown'));
    expect(shown).toBeGreaterThanOrEqual(topCount);
    expect(shown).toBeLessThanOrEqual(COUNT);
    await page.getByTestId('library-search').fill('no such label at all');
    await expect(count).toHaveAttribute('data-shown', '0');
    await expect(page.getByTestId('image-card')).toHaveCount(0);
    await page.getByTestId('library-search').fill('');
    await expect(count).toHaveAttribute('data-shown', String(COUNT));
    // A bar of the chart filters by that top-1 label.
    await top.click();
    await expect(count).toHaveAttribute('data-shown', String(topCount));
    await top.click();
    await expect(count).toHaveAttribute('data-shown', String(COUNT));

    // More like this: at least the 10 nearest, nearest first, the photo itself left out.
    const first = page.getByTestId('image-card').first();
    const path = await first.getAttribute('data-path');
    await first.getByTestId('similar-button').click();
    const list = page.getByTestId('similar-list');
    await expect(list.locator('[data-path]').first()).toBeVisible();
    const items = list.locator('[data-path]');
    expect(await items.count()).toBeGreaterThanOrEqual(10);
    const scores = await items.evaluateAll((els) =>
      els.map((el) => Number(el.getAttribute('data-score'))),
    );
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const paths = await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-path')));
    expect(paths).not.toContain(path);
    // The nearest photo is a variation of the same original (the generator names it after it).
    expect(paths[0]!.split('/')[0]).toBe(path!.split('/')[0]);
    await page.getByRole('button', { name: 'Close' }).click();

    // Everything comes back after a reload, without the model having to run again.
    await page.reload();
    await expect(count).toHaveAttribute('data-total', String(COUNT), { timeout: 30_000 });
    await expect(count).toHaveAttribute('data-done', String(COUNT));
    expect(await page.getByTestId('image-card').count()).toBeLessThanOrEqual(200);
    await expect(page.locator(`[data-testid=image-card][data-path="${path}"]`)).toHaveAttribute(
      'data-status',
      'done',
    );
    // Picking the same folder again skips every photo already done.
    await page.locator('input[type=file][webkitdirectory]').setInputFiles(library.root);
    await expect(
      page.getByText(`0 photos added; ${COUNT} already in the library skipped.`),
    ).toBeVisible();
    await expect(count).toHaveAttribute('data-total', String(COUNT));
  });
});
