/**
 * Retakes `docs/screenshot.png`: the production build, the real ImageNet MobileNet from
 * `../shared/models` (or `$INCEPTION_LENS_SHARED/models`, served by the e2e fixture server on a
 * second origin) and the three photos from `../shared/photos`, dropped on the page, 1280 px wide
 * (the whole page) in Debian's Chromium.
 *
 *   npm run build && npx tsx scripts/screenshot.ts [--out=docs/screenshot.png]
 *
 * Ports: LENS_PREVIEW_PORT / LENS_FIXTURE_PORT (defaults 4185 / 4186, apart from the tests').
 * Not part of `npm test`: it proves nothing, it only shows the app.
 */
import { chromium } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../playwright.config';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(process.env.INCEPTION_LENS_SHARED ?? resolve(ROOT, '..', 'shared'));
const PREVIEW_PORT = Number(process.env.LENS_PREVIEW_PORT ?? 4185);
const FIXTURE_PORT = Number(process.env.LENS_FIXTURE_PORT ?? 4186);
const OUT = resolve(
  ROOT,
  process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? 'docs/screenshot.png',
);
const PHOTOS = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'];
const MODEL_URL = `http://127.0.0.1:${FIXTURE_PORT}/shared/models/mobilenet_v1_0.75_224/model.json`;

/** Starts a Node child (no shell in between, so killing it stops the server) and waits for `url`. */
async function serve(args: string[], url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      INCEPTION_LENS_SHARED: SHARED,
      LENS_FIXTURE_PORT: String(FIXTURE_PORT),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill();
  throw new Error(`${args.join(' ')} did not answer at ${url}:\n${output}`);
}

async function main(): Promise<void> {
  statSync(join(ROOT, 'dist', 'index.html')); // throws with the path when there is no build
  for (const name of PHOTOS) statSync(join(SHARED, 'photos', name));
  const servers: ChildProcess[] = [];
  try {
    servers.push(
      await serve(
        [
          join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
          'preview',
          '--host',
          '127.0.0.1',
          '--port',
          String(PREVIEW_PORT),
          '--strictPort',
        ],
        `http://127.0.0.1:${PREVIEW_PORT}/`,
      ),
    );
    servers.push(
      await serve(
        [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'e2e/fixture-server.ts'],
        `http://127.0.0.1:${FIXTURE_PORT}/health`,
      ),
    );
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const query = new URLSearchParams({ model: MODEL_URL, backend: 'wasm' });
      await page.goto(`http://127.0.0.1:${PREVIEW_PORT}/?${query.toString()}`);
      const status = page.getByTestId('model-status');
      await status.and(page.locator('[data-state=ready]')).waitFor({ timeout: 180_000 });

      // A real drop on the drop zone, as a user would make it.
      const files = PHOTOS.map((name) => ({
        name,
        bytes: [...readFileSync(join(SHARED, 'photos', name))],
      }));
      const transfer = await page.evaluateHandle((list) => {
        const t = new DataTransfer();
        for (const f of list)
          t.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'image/jpeg' }));
        return t;
      }, files);
      await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
      for (const name of PHOTOS) {
        await page
          .locator(`[data-testid=image-card][data-filename="${name}"][data-status=done]`)
          .waitFor({ timeout: 180_000 });
      }
      // Wait for "Ready offline" too, so the status bar is in its settled state.
      await page
        .getByText(/ready offline/i)
        .first()
        .waitFor({ timeout: 60_000 })
        .catch(() => console.log('(no "Ready offline" within a minute; taking the shot anyway)'));
      // The results landed below the fold: follow the cue to them, as a user would, so it goes away.
      const cue = page.getByTestId('new-results-cue');
      if (await cue.isVisible()) {
        await cue.click();
        await cue.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
      }
      await page.mouse.move(0, 0);
      // The whole page: at 800 px the library's bar and the drop zone push the cards below the fold.
      await page.screenshot({ path: OUT, fullPage: true });
    } finally {
      await browser.close();
    }
  } finally {
    for (const s of servers) s.kill();
  }
  const bytes = statSync(OUT).size;
  // The README shows it on every visit to the repository: keep it light.
  console.log(`${OUT}: ${bytes} bytes${bytes > 200_000 ? ' (over 200 KB: worth shrinking)' : ''}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
