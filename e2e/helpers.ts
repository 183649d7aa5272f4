/** Shared steps of the end-to-end specs. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { BlobWriter, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { FIXTURE_ORIGIN, SHARED_DIR, sharedFixturesDecision } from './paths';

/** URL of the real ImageNet MobileNet served by the fixture server. */
export const MOBILENET_URL = `${FIXTURE_ORIGIN}/shared/models/mobilenet_v1_0.75_224/model.json`;

/**
 * Answers the app's default place for `?model=mobilenet-0.75` (models/mobilenet-0.75/) from the
 * shared Keras export, so that the zoo entry loads real ImageNet weights without anything being
 * copied into the build. Returns the names of the files served, in order.
 */
export async function routeSharedMobileNet(page: Page): Promise<string[]> {
  const dir = resolve(SHARED_DIR, 'models/mobilenet_v1_0.75_224');
  const served: string[] = [];
  await page.context().route('**/models/mobilenet-0.75/*', (route) => {
    const file = resolve(dir, basename(new URL(route.request().url()).pathname));
    if (!existsSync(file)) return route.fulfill({ status: 404 });
    served.push(basename(file));
    return route.fulfill({
      status: 200,
      contentType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      body: readFileSync(file),
    });
  });
  return served;
}
/** URL of our InceptionV3 carrying nsfwjs' Keras weights (made by global-setup). */
export const INCEPTION_FIXTURE_URL = `${FIXTURE_ORIGIN}/generated/inception-v3-nsfwjs/model.json`;

/** Opens the app with query parameters and waits for the model to be ready. */
export async function openApp(page: Page, params: Record<string, string>): Promise<void> {
  await page.goto(`/?${new URLSearchParams(params).toString()}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
    timeout: 120_000,
  });
}

/** A shared photo as a file payload for `setInputFiles`. */
export function photo(name: string): { name: string; mimeType: string; buffer: Buffer } {
  return {
    name,
    mimeType: 'image/jpeg',
    buffer: readFileSync(resolve(SHARED_DIR, 'photos', name)),
  };
}

/** The card of a file. */
export function card(page: Page, filename: string) {
  return page.locator(`[data-testid=image-card][data-filename="${filename}"]`);
}

/** Labels of a card's predictions, in rank order. */
export async function labelsOf(page: Page, filename: string): Promise<string[]> {
  return card(page, filename)
    .getByTestId('prediction')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-label') ?? ''));
}

/**
 * Declares that the enclosing group needs ../shared (the real MobileNet and photos): without it
 * the group is skipped (the reason shows in the report), or under LENS_REQUIRE_SHARED=1 each of
 * its tests fails with that reason.
 */
export function needsSharedFixtures(): void {
  const { action, reason } = sharedFixturesDecision();
  if (action === 'skip') test.skip(true, reason);
  if (action === 'fail') {
    test.beforeEach(() => {
      throw new Error(reason);
    });
  }
}

/** Four 64 × 64 PNGs of one hue (red for class 0, blue otherwise) with a little noise. */
export function flatPhotos(prefix: string, index: number) {
  return [0, 1, 2, 3].map((n) => {
    const png = new PNG({ width: 64, height: 64 });
    for (let i = 0; i < png.data.length; i += 4) {
      const noise = ((i * 7919 + n * 104729) % 41) - 20;
      png.data[i] = index === 0 ? 200 + noise : 30;
      png.data[i + 1] = 60 + noise;
      png.data[i + 2] = index === 0 ? 30 : 200 + noise;
      png.data[i + 3] = 255;
    }
    return { name: `${prefix}-${n}.png`, mimeType: 'image/png', buffer: PNG.sync.write(png) };
  });
}

/**
 * Shows the Classify view with no photos in it. Waits for the view before looking for "Clear all"
 * (checking right after the tab click can miss it), and for the cards to be gone after clearing.
 */
export async function emptyClassifyView(page: Page): Promise<void> {
  const tab = page.getByRole('tab', { name: 'Classify' });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  const clear = page.getByRole('button', { name: 'Clear all' });
  if (await clear.isVisible()) await clear.click();
  await expect(page.getByTestId('image-card')).toHaveCount(0);
}

/** Unfolds Teach's "Advanced settings" (epochs, batch, …) unless it is open already. */
export async function openTeachSettings(page: Page): Promise<void> {
  const details = page.getByTestId('teach-advanced');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await expect(page.getByTestId('teach-epochs')).toBeVisible();
}

/**
 * A dataset ZIP laid out as Keras' image_dataset_from_directory reads it: one folder per class
 * ("warm", "cool") holding {@link flatPhotos}' four PNGs, stored uncompressed. Returns the ZIP as
 * a file payload and the photos in it.
 */
export async function flatDatasetZip(name = 'hues.zip') {
  const zip = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false, level: 0 });
  const photos = ['warm', 'cool'].flatMap((c, i) => flatPhotos(c, i).map((p) => ({ c, p })));
  for (const { c, p } of photos) {
    await zip.add(`hues/${c}/${p.name}`, new Uint8ArrayReader(new Uint8Array(p.buffer)));
  }
  const buffer = Buffer.from(await (await zip.close()).arrayBuffer());
  return {
    file: { name, mimeType: 'application/zip', buffer },
    photos: photos.map(({ p }) => p),
  };
}

/** Serious and critical axe violations on the page as it is now, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // axe.run in the page itself: the default (runPartial, then finishRun in a blank page opened
  // for each analysis) exists for cross-origin iframes, which this app has none of, and costs a
  // page per call (34 calls in a run).
  const results = await new AxeBuilder({ page }).setLegacyMode().analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Expects no serious or critical axe violations on the page as it is now, light then dark. */
export async function axeInBothSchemes(page: Page, what: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await seriousViolations(page), `${what} (${scheme})`).toEqual([]);
  }
}
