/** Everyday polish (issue 17): Settings as a popover, words for people, hints and cues. */
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { MOBILENET_URL, card, needsSharedFixtures, openApp, photo } from './helpers';

/** A flat grey PNG of the given size. */
function greyPng(name: string, width: number, height: number) {
  const image = new PNG({ width, height });
  image.data.fill(140);
  return { name, mimeType: 'image/png', buffer: PNG.sync.write(image) };
}

test('photos waiting for a model show their picture already', async ({ page }) => {
  await page.goto('/?model=http://127.0.0.1:9/nowhere/model.json');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  await page.locator('input[type=file][multiple]').setInputFiles([greyPng('grey.png', 40, 30)]);
  const waiting = card(page, 'grey.png');
  await expect(waiting).toHaveAttribute('data-status', 'waiting');
  const preview = waiting.getByTestId('card-preview');
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
});

test.describe('with the shared MobileNet', () => {
  needsSharedFixtures();

  test('Settings floats over the page, names backends for people, closes on Escape; Diagnostics follows a backend switch', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await openApp(page, { model: MOBILENET_URL });
    const tabs = page.getByRole('tablist');
    const before = await tabs.boundingBox();
    const settings = page.getByTestId('settings');
    await settings.locator('summary').click();
    const select = page.getByTestId('backend-select');
    await expect(select).toBeVisible();
    // the page under it did not move
    expect((await tabs.boundingBox())?.y).toBe(before?.y);
    const options = await select.locator('option').allTextContents();
    expect(options).toContain('WebAssembly');
    expect(options).not.toContain('wasm');
    for (const s of [select, page.getByTestId('resize-select')]) {
      expect((await s.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(24);
    }
    await expect(page.getByTestId('backend-in-use')).toContainText('WebAssembly');
    // the SwiftShader and thread-trial details are folded away
    await expect(page.getByTestId('backend-report')).toBeHidden();

    await page.getByRole('button', { name: 'Measure memory' }).click();
    const memory = page.getByTestId('memory-backend');
    await expect(memory).toHaveAttribute('data-backend', 'wasm');
    await expect(memory).toHaveText('WebAssembly');
    await select.selectOption('cpu');
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-backend', 'cpu', {
      timeout: 120_000,
    });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
    await expect(memory).toHaveAttribute('data-backend', 'cpu', { timeout: 30_000 });

    await page.keyboard.press('Escape');
    await expect.poll(() => settings.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await expect(settings.locator('summary')).toBeFocused();
  });

  test('a tiny photo and a weak best guess say so; a shortened label shows its full name on focus', async ({
    page,
  }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page
      .locator('input[type=file][multiple]')
      .setInputFiles([greyPng('tiny.png', 4, 4), photo('dog.jpg')]);
    const tiny = card(page, 'tiny.png');
    await expect(tiny).toHaveAttribute('data-status', 'done');
    await expect(tiny).toContainText('A tiny photo (4 × 4 px)');
    const dog = card(page, 'dog.jpg');
    await expect(dog).toHaveAttribute('data-status', 'done');
    const top = Number(
      await dog.getByTestId('prediction').first().getAttribute('data-probability'),
    );
    // the hint follows the number: shown exactly when the best guess is under 30 %
    await expect(dog.getByTestId('card-hint')).toHaveCount(top < 0.3 ? 1 : 0);
    const grey = Number(
      await tiny.getByTestId('prediction').first().getAttribute('data-probability'),
    );
    await expect(tiny.getByTestId('card-hint')).toHaveCount(grey < 0.3 ? 1 : 0);

    // "malamute, malemute, Alaskan malamute" is shown as "malamute"; focus shows all of it
    const label = dog.locator('.predictions__label[tabindex="0"]').first();
    const tip = dog.getByTestId('label-tip').first();
    await expect(tip).toBeHidden();
    await label.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(tip).toBeVisible();
    expect(await tip.textContent()).toContain(',');
  });

  test('results that land below the window get a cue that scrolls to them', async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 800, height: 500 });
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    const photos = Array.from({ length: 8 }, (_, i) => ({
      ...photo('dog.jpg'),
      name: `dog-${i}.jpg`,
    }));
    await page.locator('input[type=file][multiple]').setInputFiles(photos);
    const cue = page.getByTestId('new-results-cue');
    await expect(cue).toBeVisible({ timeout: 120_000 });
    await expect(page.locator('[data-testid=image-card][data-status=done]')).toHaveCount(8, {
      timeout: 120_000,
    });
    await cue.click();
    await expect(cue).toHaveCount(0);
    await expect
      .poll(() => page.evaluate(() => window.scrollY), { timeout: 10_000 })
      .toBeGreaterThan(0);
  });
});
