import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  MOBILENET_URL,
  axeInBothSchemes,
  card,
  flatDatasetZip,
  flatPhotos,
  openApp,
  openTeachSettings,
  photo,
  needsSharedFixtures,
  seriousViolations,
} from './helpers';
import { DIST_DIR, FIXTURE_ORIGIN, ROOT } from './paths';

test('the built page carries a strict Content-Security-Policy', () => {
  const html = readFileSync(resolve(ROOT, DIST_DIR, 'index.html'), 'utf8');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  expect(meta, 'CSP meta tag').toBeDefined();
  const policy = new Map(
    (meta ?? '')
      .replace(/&#39;/g, "'")
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name ?? '', values]),
  );
  // Scripts only from our own origin: no remote hosts, no inline or eval'd JavaScript.
  const scripts = policy.get('script-src') ?? [];
  expect(scripts).toContain("'self'");
  expect(scripts.filter((s) => /^https?:|^\*|unsafe-inline|'unsafe-eval'/.test(s))).toEqual([]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(policy.get('worker-src')?.every((s) => s === "'self'" || s === 'blob:')).toBe(true);
  // Every script the page loads is a same-origin file.
  for (const [, src] of html.matchAll(/<script[^>]*src="([^"]+)"/g))
    expect(src).toMatch(/^\.?\/?assets\//);
  expect(/<script(?![^>]*src=)[^>]*>[^<]+<\/script>/.test(html)).toBe(false);
});

test.describe('accessibility and comfort', () => {
  needsSharedFixtures();

  test('axe finds no serious or critical violations on any view, light or dark', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
      // The photo library keeps the first pass's photo: the second pass checks it restored.
      if (scheme === 'light') {
        await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
      }
      await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
      await page.getByTestId('settings').locator('summary').click();
      expect(await seriousViolations(page), `classify view (${scheme})`).toEqual([]);
      const tabs = page.getByRole('tab');
      for (let i = 0; i < (await tabs.count()); i++) {
        const tab = tabs.nth(i);
        const name = await tab.innerText();
        await tab.click();
        await expect(tab).toHaveAttribute('aria-selected', 'true');
        expect(await seriousViolations(page), `${name} view (${scheme})`).toEqual([]);
      }
    }
  });

  test('axe finds no serious or critical violations on dialogs, error states and Teach results, light and dark', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    const inBothSchemes = (what: string): Promise<void> => axeInBothSchemes(page, what);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    const text = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') };
    await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg'), text]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    await expect(card(page, 'notes.txt')).toHaveAttribute('data-status', 'error');
    await inBothSchemes('a gallery with an error card');

    await card(page, 'dog.jpg').getByTestId('explain-button').click();
    const dialog = page.getByTestId('explain-dialog');
    await expect(dialog.getByTestId('heatmap')).toHaveAttribute('data-state', 'ready');
    await inBothSchemes('the "Why?" dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    await page.getByRole('tab', { name: 'Models' }).click();
    const bad = { name: 'bad.h5', mimeType: 'application/octet-stream', buffer: Buffer.from('no') };
    await page.getByTestId('h5-input').setInputFiles(bad);
    await expect(page.getByTestId('import-error')).toBeVisible();
    await inBothSchemes('a refused model import');

    await page.getByRole('tab', { name: 'Teach' }).click();
    const classes = page.getByTestId('teach-class');
    for (const [i, name] of ['warm', 'cool'].entries()) {
      await classes.nth(i).getByTestId('teach-class-name').fill(name);
      await classes.nth(i).getByTestId('teach-add-photos').setInputFiles(flatPhotos(name, i));
      await expect(classes.nth(i).getByTestId('teach-count')).toHaveAttribute('data-count', '4');
    }
    await page.getByLabel('Head only').check();
    await openTeachSettings(page);
    await page.getByTestId('teach-epochs').fill('3');
    await page.getByTestId('teach-train').click();
    await expect(page.getByTestId('teach-status')).toHaveAttribute('data-state', 'done', {
      timeout: 120_000,
    });
    await expect(page.getByTestId('confusion-matrix')).toBeVisible();
    await inBothSchemes("Teach's results");

    await page.goto(
      `/?model=${encodeURIComponent(`${FIXTURE_ORIGIN}/shared/nothing/model.json`)}&backend=wasm`,
    );
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    await inBothSchemes('a model that failed to load');
  });

  test('axe finds no serious or critical violations on the photo library, dataset, Compare and Keras-export states, light and dark', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    // No camera permission: Teach's camera panel shows its error state.
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('refused by the test', 'NotAllowedError'));
    });
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page
      .locator('input[type=file][multiple]')
      .setInputFiles([photo('dog.jpg'), photo('eagle.jpg')]);
    await expect(page.locator('[data-testid=image-card][data-status=done]')).toHaveCount(2);

    // "Why?" with its feature maps drawn below the heatmap.
    await card(page, 'dog.jpg').getByTestId('explain-button').click();
    const why = page.getByTestId('explain-dialog');
    await expect(why.getByTestId('feature-map-tile')).toHaveCount(64);
    await axeInBothSchemes(page, 'the "Why?" dialog with its feature maps');
    await page.keyboard.press('Escape');
    await expect(why).toHaveCount(0);

    await card(page, 'dog.jpg').getByTestId('similar-button').click();
    const similar = page.getByTestId('similar-dialog');
    await expect(similar.getByTestId('similar-list').locator('[data-path]')).toHaveCount(1);
    await axeInBothSchemes(page, 'the "More like this" dialog');
    await similar.getByRole('button', { name: 'Close' }).click();
    await expect(similar).toHaveCount(0);
    await page.getByTestId('duplicates-button').click();
    const duplicates = page.getByTestId('duplicates-dialog');
    await expect(
      duplicates.locator('[data-testid=duplicates-none], [data-testid=duplicates-list]'),
    ).toBeVisible();
    await axeInBothSchemes(page, 'the near-duplicates dialog');
    await duplicates.getByRole('button', { name: 'Close' }).click();
    await expect(duplicates).toHaveCount(0);

    // A dataset trained in Teach: class cards, results, a confusion cell's photos, the .h5 export.
    await page.getByRole('tab', { name: 'Teach' }).click();
    await page.getByTestId('dataset-zip').setInputFiles((await flatDatasetZip()).file);
    await expect(page.getByTestId('class-card')).toHaveCount(2, { timeout: 120_000 });
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('val-accuracy')).toBeVisible({ timeout: 120_000 });
    await page.locator('[data-testid=confusion-cell]:not([data-count="0"])').first().click();
    await expect(page.getByTestId('cell-photos')).toBeVisible();
    const section = page.getByTestId('dataset-section');
    await section.getByTestId('export-h5').click();
    await expect(section.getByTestId('export-h5-python')).toBeVisible();
    await page.getByTestId('teach-class').first().getByRole('button', { name: 'Camera' }).click();
    await expect(page.getByRole('dialog', { name: /^Camera for/ }).getByRole('alert')).toHaveText(
      /not allowed/,
    );
    await axeInBothSchemes(
      page,
      "a dataset's results with a confusion cell open, the .h5 export and Teach's refused camera",
    );

    // Compare's table of two zoo models (random weights: nothing to download).
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByTestId('compare-random').check();
    await page.locator('[data-testid=compare-model][value="mobilenet-0.25"]').check();
    await page.locator('[data-testid=compare-model][value="mobilenet-0.5"]').check();
    await page.getByTestId('compare-files').setInputFiles([photo('dog.jpg')]);
    await page.getByTestId('compare-run').click();
    await expect(page.getByTestId('compare-table')).toHaveAttribute('data-photos', '1', {
      timeout: 120_000,
    });
    await axeInBothSchemes(page, "Compare's table");
  });

  test('dark mode follows the system; reduced motion is respected', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.goto('/?backend=wasm');
    const background = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    expect((r ?? 255) + (g ?? 255) + (b ?? 255)).toBeLessThan(150);
    const transition = await page
      .getByTestId('drop-zone')
      .evaluate((el) => getComputedStyle(el).transitionDuration);
    expect(transition.split(',').every((d) => parseFloat(d) === 0)).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    expect(light).not.toBe(background);
  });

  test('usable by keyboard alone, results announced', async ({ page }) => {
    // Playwright starts intercepting file choosers when the first listener is added, without
    // waiting; listening from the start keeps a loaded machine from racing the key press.
    page.on('filechooser', () => undefined);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    // Tab from the top of the page reaches the drop zone; Enter opens the picker.
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.getByTestId('drop-zone').evaluate((el) => el === document.activeElement);
    }
    expect(reached, 'the drop zone is reachable with Tab').toBe(true);
    // Wait for the chooser before pressing, and await both (a rejected press is not lost).
    const [picked] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 20_000 }),
      page.keyboard.press('Enter'),
    ]);
    await picked.setFiles([photo('eagle.jpg')]);
    await expect(card(page, 'eagle.jpg')).toHaveAttribute('data-status', 'done');
    await expect(page.locator('[aria-live=polite]').filter({ hasText: '1 done' })).toHaveCount(1);
    // The card's actions are reachable and work from the keyboard.
    let onRemove = false;
    for (let i = 0; i < 40 && !onRemove; i++) {
      await page.keyboard.press('Tab');
      onRemove = await page.evaluate(
        () => document.activeElement?.getAttribute('aria-label') === 'Remove eagle.jpg',
      );
    }
    expect(onRemove, "the card's remove button is reachable with Tab").toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('image-card')).toHaveCount(0);
  });

  test('usable at 360 px wide: nothing needs sideways scrolling', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.locator('input[type=file][multiple]').setInputFiles([photo('giraffe.jpg')]);
    await expect(card(page, 'giraffe.jpg')).toHaveAttribute('data-status', 'done');
    await page.getByTestId('settings').locator('summary').click();
    const tabs = page.getByRole('tab');
    for (let i = 0; i <= (await tabs.count()); i++) {
      if (i > 0) await tabs.nth(i - 1).click();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `view ${i}`).toBeLessThanOrEqual(360);
    }
  });
});
