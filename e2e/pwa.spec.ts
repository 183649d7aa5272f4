import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { INCEPTION_FIXTURE_URL, MOBILENET_URL, card, photo } from './helpers';
import { DIST_DIR, PREVIEW_PORT, ROOT, hasSharedFixtures, NO_SHARED_REASON } from './paths';
import { startStaticHost, type StaticHost } from './static-server';

const dist = resolve(ROOT, DIST_DIR);

test.describe('the built app is an installable PWA', () => {
  test('manifest, icons, service worker and precache list', () => {
    const manifest = JSON.parse(
      readFileSync(resolve(dist, 'manifest.webmanifest'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'Inception Lens',
      short_name: 'Lens',
      display: 'standalone',
      start_url: './',
      scope: './',
      share_target: { action: 'share-target', method: 'POST', enctype: 'multipart/form-data' },
    });
    expect(String(manifest.description)).not.toBe('');
    expect(manifest.theme_color).toMatch(/^#/);
    expect(manifest.background_color).toMatch(/^#/);
    const icons = manifest.icons as { src: string; sizes: string; purpose?: string }[];
    for (const size of [192, 512]) {
      const icon = icons.find((i) => i.sizes === `${size}x${size}` && !i.purpose);
      expect(icon, `${size}px icon`).toBeDefined();
      const png = PNG.sync.read(readFileSync(resolve(dist, icon?.src ?? '')));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    expect(icons.some((i) => i.purpose === 'maskable')).toBe(true);
    expect(readFileSync(resolve(dist, 'index.html'), 'utf8')).toContain('rel="manifest"');

    const sw = readFileSync(resolve(dist, 'sw.js'), 'utf8');
    const assets = readdirSync(resolve(dist, 'assets'));
    const worker = assets.find((a) => /^inference\.worker-.*\.js$/.test(a));
    const wasm = assets.filter((a) => a.endsWith('.wasm'));
    expect(worker).toBeDefined();
    expect(wasm).toHaveLength(3);
    for (const file of [worker, ...wasm, 'index.html'])
      expect(sw, `${file} precached`).toContain(`${file}`);
    // Model files are cached at runtime, never precached (they are tens of MB).
    const precached = [...sw.matchAll(/url:\s*"([^"]+)"|"url":\s*"([^"]+)"/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(precached.length).toBeGreaterThan(5);
    expect(precached.filter((u) => /models\/|\.bin$|group\d+-shard/.test(u ?? ''))).toEqual([]);
  });
});

async function waitReadyOffline(page: Page): Promise<void> {
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready', {
    timeout: 120_000,
  });
}

test.describe('offline', () => {
  test.skip(!hasSharedFixtures(), NO_SHARED_REASON);

  test('after one visit the app, its model and a classification work with no network', async ({
    page,
    context,
  }) => {
    const query = `?${new URLSearchParams({ model: MOBILENET_URL, backend: 'wasm' }).toString()}`;
    await page.goto(`/${query}`);
    await waitReadyOffline(page);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready');
    await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    expect(
      await card(page, 'dog.jpg').getByTestId('prediction').first().getAttribute('data-label'),
    ).toContain('malamute');

    // A model never loaded before cannot come from anywhere: a plain message, not a blank page.
    await page.goto(
      `/?${new URLSearchParams({ model: INCEPTION_FIXTURE_URL, backend: 'wasm' }).toString()}`,
    );
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('model-status')).toContainText('network');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'unavailable');
    await context.setOffline(false);
  });

  test('photos shared to the installed app land in the gallery', async ({ page }) => {
    await page.goto(
      `/?${new URLSearchParams({ model: MOBILENET_URL, backend: 'wasm' }).toString()}`,
    );
    await waitReadyOffline(page);
    const bytes = [...readFileSync(resolve(ROOT, '..', 'shared', 'photos', 'eagle.jpg'))];
    // What the OS share sheet does: a multipart POST of the files to the manifest's share target.
    await page.evaluate((data) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.enctype = 'multipart/form-data';
      form.action = 'share-target';
      const input = document.createElement('input');
      input.type = 'file';
      input.name = 'photos';
      input.multiple = true;
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'shared-1.jpg', { type: 'image/jpeg' }));
      transfer.items.add(new File([new Uint8Array(data)], 'shared-2.jpg', { type: 'image/jpeg' }));
      input.files = transfer.files;
      form.append(input);
      document.body.append(form);
      form.submit();
    }, bytes);
    await page.waitForURL((url) => !url.search.includes('shared='));
    await expect(page.getByTestId('image-card')).toHaveCount(2);
    // The installed app opens on its default model (not on this machine), so they wait in line.
    await expect(card(page, 'shared-1.jpg')).toBeVisible();
    await expect(card(page, 'shared-2.jpg')).toBeVisible();
    await expect(card(page, 'shared-1.jpg')).toHaveAttribute(
      'data-status',
      /waiting|queued|preprocessing|classifying|done/,
    );
  });
});

test.describe('updates', () => {
  test.skip(!hasSharedFixtures(), NO_SHARED_REASON);
  let host: StaticHost;
  const v1 = resolve(ROOT, 'dist-pwa-v1');
  const v2 = resolve(ROOT, 'dist-pwa-v2');

  test.beforeAll(() => {
    for (const [dir, id] of [
      [v1, 'pwa-v1'],
      [v2, 'pwa-v2'],
    ] as const) {
      execFileSync(
        'npx',
        ['vite', 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'],
        {
          cwd: ROOT,
          env: { ...process.env, LENS_BUILD_ID: id },
          stdio: 'inherit',
        },
      );
    }
  });
  test.afterAll(async () => host?.close());

  test('a new build shows "Update available"; accepting reloads into it', async ({ page }) => {
    test.setTimeout(240_000);
    expect(existsSync(resolve(v1, 'sw.js'))).toBe(true);
    host = await startStaticHost(v1, PREVIEW_PORT + 10);
    await page.goto(
      `${host.origin}/?${new URLSearchParams({ model: MOBILENET_URL, backend: 'wasm' }).toString()}`,
    );
    await waitReadyOffline(page);
    await expect(page.getByTestId('app-version')).toContainText('pwa-v1');
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);

    host.serve(v2);
    await page.reload(); // a navigation makes the browser look for a new service worker
    await expect(page.getByTestId('update-prompt')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('app-version')).toContainText('pwa-v1');
    await page.getByTestId('update-prompt').getByRole('button', { name: 'reload' }).click();
    await expect(page.getByTestId('app-version')).toContainText('pwa-v2', { timeout: 60_000 });
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  });
});
