import { expect, test, chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { MOBILENET_URL, card, openApp, photo, needsSharedFixtures } from './helpers';
import { PREVIEW_ORIGIN } from './paths';

test.describe('backend selection and fallback', () => {
  needsSharedFixtures();

  test('auto skips the missing WebGPU and names the backend it uses', async ({ page }) => {
    // Chromium here offers no WebGPU adapter without --enable-unsafe-webgpu.
    await openApp(page, { model: MOBILENET_URL });
    const status = page.getByTestId('model-status');
    const backend = await status.getAttribute('data-backend');
    expect(['webgl', 'wasm', 'cpu']).toContain(backend);
    await page.getByText('Settings').click();
    const report = page.getByTestId('backend-report');
    await expect(report.locator('tr[data-backend=webgpu]')).toContainText('no WebGPU adapter');
    await expect(report.locator('tr[data-backend=webgpu]')).toHaveAttribute('data-ok', 'false');
    await expect(report.locator(`tr[data-backend=${backend}]`)).toHaveAttribute('data-ok', 'true');
    // the software WebGL (SwiftShader) is slower than WASM, so auto does not pick it here
    expect(backend).toBe('wasm');
    await expect(report.locator('tr[data-backend=webgl]')).toContainText(
      /software GPU, not needed/,
    );
  });

  test('forcing an unavailable WebGPU says so plainly', async ({ page }) => {
    await page.goto(
      `/?${new URLSearchParams({ model: MOBILENET_URL, backend: 'webgpu' }).toString()}`,
    );
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-state', 'error');
    await expect(status).toContainText('WebGPU is not available here');
    // the rest of the page still works: photos can be added and wait for a model
    await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'waiting');
  });

  test('forced WebGL and WebGPU (software adapters here) classify a photo', async () => {
    test.setTimeout(300_000);
    // A fresh browser with WebGPU enabled; it is closed afterwards so a busy GPU process dies with it.
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
    });
    try {
      for (const backend of ['webgl', 'webgpu'] as const) {
        const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
        await openApp(page, { model: MOBILENET_URL, backend });
        await expect(page.getByTestId('model-status')).toHaveAttribute('data-backend', backend);
        await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
        await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done', {
          timeout: 120_000,
        });
        const top = await card(page, 'dog.jpg')
          .getByTestId('prediction')
          .first()
          .getAttribute('data-label');
        expect(top, `${backend} top-1`).toContain('malamute');
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
