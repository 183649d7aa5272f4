/**
 * The performance set-up, checked for function (never for speed; `npm run bench` measures):
 * cross-origin isolation, multi-threaded WASM in the minified build, the single-threaded switch,
 * measured automatic backend choice (remembered, and measured again on request), and isolation
 * supplied by the service worker on a host that sends no headers.
 */
import { expect, test, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { MOBILENET_URL, card, openApp, photo, needsSharedFixtures } from './helpers';
import { DIST_DIR, PREVIEW_PORT, ROOT } from './paths';
import { startStaticHost } from './static-server';

async function classifyDog(page: Page): Promise<string | null> {
  await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
  await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  return card(page, 'dog.jpg').getByTestId('prediction').first().getAttribute('data-label');
}

function backendRow(page: Page, backend: string) {
  return page.getByTestId('backend-report').locator(`tr[data-backend=${backend}]`);
}

test.describe('performance set-up', () => {
  needsSharedFixtures();

  test('the build is cross-origin isolated and WASM runs on every core, correctly', async ({
    page,
  }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await page.getByText('Settings').click();
    // tfjs alone would use cores / 2 threads, and the minified build used to crash its threads.
    const threads = Math.min(8, cores);
    await expect(backendRow(page, 'wasm')).toContainText(
      `SIMD, ${threads} thread${threads === 1 ? '' : 's'}`,
    );
    expect(await classifyDog(page)).toContain('malamute');
  });

  test('?threads=off runs single-threaded and gives the same answer', async ({ page }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm', threads: 'off' });
    await page.getByText('Settings').click();
    await expect(backendRow(page, 'wasm')).toContainText('1 thread (threads turned off)');
    expect(await classifyDog(page)).toContain('malamute');
  });

  test('auto measures the backends with the model, remembers, and measures again on request', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    // measure=all: software WebGL and the CPU backend are measured too (auto skips them here).
    await openApp(page, { model: MOBILENET_URL, measure: 'all' });
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-backend', 'wasm');
    await page.getByText('Settings').click();
    for (const backend of ['wasm', 'webgl', 'cpu']) {
      await expect(backendRow(page, backend).getByTestId('backend-ms')).toContainText(
        /\d+ ms\/photo \(median of 3/,
      );
    }
    await expect(backendRow(page, 'wasm')).toHaveAttribute('data-ok', 'true');
    await expect(backendRow(page, 'cpu')).toContainText('measured, slower');

    // A reload uses the remembered choice: the same numbers, no new measurement.
    const before = await backendRow(page, 'cpu').getByTestId('backend-ms').textContent();
    await page.reload();
    await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await page.getByText('Settings').click();
    await expect(backendRow(page, 'cpu').getByTestId('backend-ms')).toHaveText(before ?? '');
    await expect(backendRow(page, 'wasm')).toHaveAttribute('data-ok', 'true');

    // "Measure backends again" runs the micro-benchmark afresh, and photos still work after it.
    await page.getByTestId('remeasure').click();
    await expect(status).not.toHaveAttribute('data-state', 'ready');
    await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 240_000 });
    await expect(backendRow(page, 'cpu').getByTestId('backend-ms')).toContainText(/ms\/photo/);
    await expect(backendRow(page, 'cpu').getByTestId('backend-ms')).not.toHaveText(before ?? '');
    await expect(status).toHaveAttribute('data-backend', 'wasm');
    expect(await classifyDog(page)).toContain('malamute');
  });

  test('on a host that sends no isolation headers, the service worker supplies them', async ({
    page,
  }) => {
    const host = await startStaticHost(resolve(ROOT, DIST_DIR), PREVIEW_PORT + 11);
    try {
      const url = `${host.origin}/?${new URLSearchParams({ model: MOBILENET_URL, backend: 'wasm' })}`;
      await page.goto(url);
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
        timeout: 120_000,
      });
      // First visit: no headers, so no isolation (WASM still works, single-threaded).
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
        timeout: 60_000,
      });
      await page.reload();
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
        timeout: 120_000,
      });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.getByText('Settings').click();
      await expect(backendRow(page, 'wasm')).toContainText(/SIMD, \d+ threads?/);
      expect(await classifyDog(page)).toContain('malamute');
    } finally {
      await host.close();
    }
  });
});
