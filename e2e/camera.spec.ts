/**
 * The live camera in Classify, with Chromium's fake camera: a fresh browser per group, launched
 * with --use-fake-device-for-media-stream (a built-in or file-fed camera) and
 * --use-fake-ui-for-media-stream (permission granted without a prompt).
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { launchWithFakeCamera } from './fake-camera';
import { MOBILENET_URL, axeInBothSchemes, labelsOf, needsSharedFixtures, openApp } from './helpers';
import { PREVIEW_ORIGIN, SHARED_DIR } from './paths';

/**
 * Counts `classify` requests the page has sent the worker and not yet heard back on, and the most
 * there ever were at once; keeps every camera stream so a test can see its tracks end.
 */
function instrument(): void {
  const w = window as unknown as {
    __classify: { open: Set<number>; max: number; sent: number };
    __streams: MediaStream[];
  };
  w.__classify = { open: new Set(), max: 0, sent: 0 };
  w.__streams = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its worker below
  const post = Worker.prototype.postMessage;
  const hooked = new WeakSet<Worker>();
  Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    const m = message as { type?: string; id?: number } | null;
    const s = w.__classify;
    if (!hooked.has(this)) {
      hooked.add(this);
      this.addEventListener('message', (event: MessageEvent) => {
        const d = event.data as { type?: string; id?: number } | null;
        if (d && d.id !== undefined && d.type !== 'progress') s.open.delete(d.id);
      });
    }
    if (m?.type === 'classify' && m.id !== undefined) {
      s.open.add(m.id);
      s.sent += 1;
      s.max = Math.max(s.max, s.open.size);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return post.call(this, message, ...(rest as [any]));
  };
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    w.__streams.push(stream);
    return stream;
  };
}

/** True when every camera stream the page opened has stopped all its tracks. */
function allTracksEnded(page: Page): Promise<boolean> {
  return page.evaluate(() =>
    (window as unknown as { __streams: MediaStream[] }).__streams.every((s) =>
      s.getTracks().every((t) => t.readyState === 'ended'),
    ),
  );
}

/** Makes the page believe its tab was hidden (or shown again). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test.describe('live camera', () => {
  needsSharedFixtures();
  let browser: Browser;

  test.beforeAll(async () => {
    // The fake camera films the dog photo, so the overlay has a known answer.
    const dog = jpeg.decode(readFileSync(resolve(SHARED_DIR, 'photos/dog.jpg')), {
      useTArray: true,
    });
    browser = await launchWithFakeCamera(dog);
  });
  test.afterAll(async () => {
    await browser.close();
  });

  test('classifies the stream one frame at a time with the top-3 and the frame rate; a capture joins the photos', async () => {
    test.setTimeout(180_000);
    const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
    await page.addInitScript(instrument);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.getByTestId('camera-open').click();
    const camera = page.getByTestId('live-camera');
    await expect(camera).toHaveAttribute('data-state', 'live', { timeout: 30_000 });

    const top = camera.getByTestId('camera-prediction');
    await expect(top).toHaveCount(3, { timeout: 60_000 });
    // the known answer for this photo (classify.spec.ts): a malamute among the top-3
    expect(
      (await top.evaluateAll((els) => els.map((el) => el.getAttribute('data-label')))).join(' | '),
    ).toContain('malamute');
    // the frame rate is measured once a few frames are done
    await expect(camera.getByTestId('camera-fps')).not.toHaveAttribute('data-fps', '0.0', {
      timeout: 60_000,
    });
    expect(Number(await camera.getByTestId('camera-fps').getAttribute('data-fps'))).toBeGreaterThan(
      0,
    );
    await expect
      .poll(() =>
        page.evaluate(() => (window as never as { __classify: { sent: number } }).__classify.sent),
      )
      .toBeGreaterThan(4);
    // frames never pile up: at most one camera frame was with the worker at any time
    expect(
      await page.evaluate(
        () => (window as never as { __classify: { max: number } }).__classify.max,
      ),
    ).toBe(1);

    await camera.getByTestId('camera-capture').click();
    const captured = page.locator('[data-testid=image-card][data-filename^="camera-"]');
    await expect(captured).toHaveCount(1);
    await expect(captured).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    const name = (await captured.getAttribute('data-filename')) ?? '';
    expect(name).toMatch(/^camera-[\d-]+\.jpg$/);
    expect((await labelsOf(page, name)).join(' | ')).toContain('malamute');

    await camera.getByRole('button', { name: 'Close camera' }).click();
    await expect(camera).toHaveCount(0);
    expect(await allTracksEnded(page)).toBe(true);
    await expect(page.getByTestId('camera-open')).toBeFocused();
    await page.close();
  });

  test('the camera stops while the tab is hidden and starts again when it shows', async () => {
    const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
    await page.addInitScript(instrument);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.getByTestId('camera-open').click();
    const camera = page.getByTestId('live-camera');
    await expect(camera).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    await setHidden(page, true);
    await expect(camera).toHaveAttribute('data-state', 'paused');
    expect(await allTracksEnded(page)).toBe(true);
    await setHidden(page, false);
    await expect(camera).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    expect(await allTracksEnded(page)).toBe(false);
    // leaving Classify closes the camera too
    await page.getByRole('tab', { name: 'Models' }).click();
    await expect(camera).toHaveCount(0);
    expect(await allTracksEnded(page)).toBe(true);
    await page.close();
  });
});

test.describe('live camera errors', () => {
  for (const [name, kind, words] of [
    ['NotAllowedError', 'denied', /not allowed.*Allow it/],
    ['NotFoundError', 'missing', /No camera was found/],
  ] as const) {
    test(`${kind === 'denied' ? 'permission denied' : 'no camera'} is said plainly, with what to do`, async ({
      page,
    }) => {
      await page.addInitScript((errorName) => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('refused by the test', errorName));
      }, name);
      await page.goto('/');
      await page.getByTestId('camera-open').click();
      const camera = page.getByTestId('live-camera');
      await expect(camera).toHaveAttribute('data-state', 'error');
      const error = camera.getByTestId('camera-error');
      await expect(error.locator(`[data-kind=${kind}]`)).toHaveText(words);
      await expect(camera.getByTestId('camera-capture')).toBeDisabled();
      await expect(camera.getByRole('button', { name: 'Try again' })).toBeVisible();
      if (kind === 'denied') await axeInBothSchemes(page, 'the live camera refused');
      await camera.getByRole('button', { name: 'Close camera' }).click();
      await expect(camera).toHaveCount(0);
    });
  }
});
