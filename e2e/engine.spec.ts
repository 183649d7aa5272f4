/**
 * The photo engine in the real browser: LiteRT.js (converted in the worker from the loaded
 * InceptionV3) classifies photos with TensorFlow.js' probabilities; automatic choice measures both
 * and says which it keeps; a model LiteRT.js cannot take stays on TensorFlow.js, saying why.
 * Timing is never asserted (`npm run bench` measures).
 */
import { expect, test, type Page } from '@playwright/test';
import { INCEPTION_FIXTURE_URL, MOBILENET_URL, card, needsSharedFixtures, photo } from './helpers';

/** How far LiteRT.js' probabilities may be from TensorFlow.js' (the engine check's own bar). */
const TOLERANCE = 1e-4;

/** Opens the app on `engine` and waits for the model; loose bound for a loaded 2-core machine. */
async function openOn(page: Page, model: string, engine: string): Promise<void> {
  await page.goto(`/?${new URLSearchParams({ model, backend: 'wasm', engine }).toString()}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
    timeout: 300_000,
  });
}

/** The engine report in Settings → Diagnostics. */
async function engineReport(page: Page) {
  await page.getByText('Settings').click();
  return page.getByTestId('engine-report');
}

/**
 * Every shown prediction of a photo, given under the name `as` (the photo library keeps earlier
 * photos across reloads: a fresh name finds this photo's card): label and full probability.
 */
async function classify(
  page: Page,
  name: string,
  as = name,
): Promise<{ label: string; p: number }[]> {
  await page.locator('input[type=file][multiple]').setInputFiles([{ ...photo(name), name: as }]);
  name = as;
  await expect(card(page, name)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  return card(page, name)
    .getByTestId('prediction')
    .evaluateAll((els) =>
      els.map((el) => ({
        label: el.getAttribute('data-label') ?? '',
        p: Number(el.getAttribute('data-probability')),
      })),
    );
}

test.describe('the photo engine', () => {
  needsSharedFixtures();

  test('?engine=litert classifies a photo as ?engine=tfjs does, within 1e-4', async ({ page }) => {
    test.setTimeout(900_000);
    const shown: Record<string, { label: string; p: number }[]> = {};
    for (const engine of ['tfjs', 'litert'] as const) {
      await openOn(page, INCEPTION_FIXTURE_URL, engine);
      const status = page.getByTestId('model-status');
      // LiteRT.js ran here, not a silent fallback: the status and Diagnostics name it.
      await expect(status).toHaveAttribute('data-engine', engine);
      const report = await engineReport(page);
      await expect(report).toHaveAttribute('data-engine', engine);
      await expect(report).toContainText(engine === 'litert' ? 'LiteRT.js' : 'TensorFlow.js');
      if (engine === 'litert') await expect(page.getByTestId('active-engine')).toBeVisible();
      shown[engine] = await classify(page, 'dog.jpg', `dog-${engine}.jpg`);
    }
    const [tfjs, litert] = [shown.tfjs!, shown.litert!];
    expect(litert.map((x) => x.label)).toEqual(tfjs.map((x) => x.label));
    expect(tfjs.length).toBe(3);
    for (const [i, x] of litert.entries()) {
      expect(Math.abs(x.p - tfjs[i]!.p)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  test('automatic choice measures LiteRT.js against TensorFlow.js and names the engine it keeps', async ({
    page,
  }) => {
    test.setTimeout(900_000);
    await openOn(page, INCEPTION_FIXTURE_URL, 'auto');
    // Photos do not wait for the choice: the model is ready on TensorFlow.js, and a photo is
    // answered while LiteRT.js is still to be measured (in idle time, after the first photos).
    const report = await engineReport(page);
    await expect(report).toContainText(/TensorFlow\.js for now|measured \d+ ms a photo against/);
    const predictions = await classify(page, 'dog.jpg');
    expect(predictions).toHaveLength(3);
    // Both engines were timed (the numbers vary with the machine; only their presence is checked).
    await expect(report).toContainText(/measured \d+ ms a photo against/, { timeout: 300_000 });
    const chosen = await page.getByTestId('model-status').getAttribute('data-engine');
    expect(['tfjs', 'litert']).toContain(chosen);
    await expect(report).toHaveAttribute('data-engine', chosen ?? '');
    // The chosen engine answers the next photo.
    expect(await classify(page, 'dog.jpg', 'dog-again.jpg')).toHaveLength(3);
  });

  test('a return visit starts photos on the .tflite LiteRT.js was chosen with, and answers the same', async ({
    page,
  }) => {
    test.setTimeout(900_000);
    await openOn(page, INCEPTION_FIXTURE_URL, 'litert');
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-engine', 'litert');
    const first = await classify(page, 'dog.jpg', 'dog-first-visit.jpg');
    // The file is kept in idle time with the folded copy: settled says both are written.
    await expect(status).toHaveAttribute('data-settled', 'true', { timeout: 300_000 });
    const kept = await page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      // The file itself in the origin-private file system (seam/byte-files.ts), its record in
      // IndexedDB.
      const folder = await (
        await navigator.storage.getDirectory()
      ).getDirectoryHandle('inception-lens-tflite');
      const sizes: number[] = [];
      for await (const handle of (
        folder as unknown as { values(): AsyncIterable<FileSystemFileHandle> }
      ).values())
        sizes.push((await handle.getFile()).size);
      return { record: names.includes('inception-lens-tflite'), sizes };
    });
    expect(kept.record).toBe(true);
    expect(kept.sizes).toHaveLength(1);
    expect(kept.sizes[0]).toBeGreaterThan(90e6); // InceptionV3's float32 weights and more

    await page.reload();
    await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
    // LiteRT.js runs from the load on, started from the kept file, not converted again.
    await expect(status).toHaveAttribute('data-engine', 'litert');
    const report = await engineReport(page);
    await expect(report).toContainText('started from the .tflite kept on an earlier visit');
    const again = await classify(page, 'dog.jpg', 'dog-return-visit.jpg');
    expect(again.map((x) => x.label)).toEqual(first.map((x) => x.label));
    for (const [i, x] of again.entries()) {
      expect(Math.abs(x.p - first[i]!.p)).toBeLessThanOrEqual(TOLERANCE);
    }
    // Inspect still works: TensorFlow.js' model is built when first asked for.
    await page.getByRole('tab', { name: 'Inspect' }).click();
    await expect(page.getByTestId('summary-totals')).toHaveAttribute('data-total', '23851784', {
      timeout: 300_000,
    });
  });

  test('a model LiteRT.js cannot take (MobileNet: ReLU6, depthwise convolutions) stays on TensorFlow.js, saying why', async ({
    page,
  }) => {
    await openOn(page, MOBILENET_URL, 'litert');
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-engine', 'tfjs');
    const report = await engineReport(page);
    await expect(report).toHaveAttribute('data-engine', 'tfjs');
    await expect(report).toContainText(
      /LiteRT\.js could not start \(.+ (is not supported|only a relu after a folded Conv2D)/,
    );
    const predictions = await classify(page, 'dog.jpg');
    expect(predictions[0]?.label).toContain('malamute');
  });
});
