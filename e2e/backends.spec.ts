/**
 * Backends in the real browser: automatic choice and its fallback (WebGPU → WebGL → WASM, driven
 * by `?debug=1&fail=`), forced backends, a lost WebGPU device, and the numbers each backend
 * computes: the real-weights InceptionV3 (nsfwjs' Keras export with its 5-class head) and the
 * shared MobileNet, on wasm, webgl and webgpu, against TensorFlow.js' CPU backend in Node fed the
 * very pixels the page sent its worker. WebGPU and WebGL run on SwiftShader here (slow), so each
 * backend sees two photos at most, and each heavy test starts its own browser. Two savings keep
 * the suite's time down (issue 16 item 9): the CPU reference is computed in Node while the browser
 * loads the next backend, and the WebGPU loss test goes on from the MobileNet test's WebGPU page
 * (already warmed up and checked) instead of warming WebGPU up a second time.
 */
import { expect, test, chromium, type Browser, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config';
import { rgbaToRgbFloat } from '../src/preprocess/pixels';
import { loadNsfwjsInception, readNsfwjsInceptionArtifacts } from '../src/test/nsfwjs-inception';
import { sharedRequired } from '../src/test/shared-fixtures';
import { loadMobilenet } from '../src/test/shared-mobilenet';
import { MOBILENET_URL, card, openApp, photo, needsSharedFixtures } from './helpers';
import { FIXTURE_ORIGIN, GENERATED_DIR, PREVIEW_ORIGIN, SHARED_DIR } from './paths';

/** How far a backend's probability may be from the CPU reference's. */
const TOLERANCE = 1e-3;
/** nsfwjs' InceptionV3 as a tfjs layers-model folder (written by {@link writeNsfwjsFixture}). */
const NSFWJS_DIR = join(GENERATED_DIR, 'nsfwjs-inception-v3');
const NSFWJS_URL = `${FIXTURE_ORIGIN}/generated/nsfwjs-inception-v3/model.json`;
const GPU_BACKENDS = ['wasm', 'webgl', 'webgpu'] as const;
type Backend = (typeof GPU_BACKENDS)[number];

/** Writes nsfwjs' own Keras export (topology, uint8-quantised weights) where the fixture server serves it. */
function writeNsfwjsFixture(): void {
  const artifacts = readNsfwjsInceptionArtifacts();
  mkdirSync(NSFWJS_DIR, { recursive: true });
  writeFileSync(
    join(NSFWJS_DIR, 'weights.bin'),
    new Uint8Array(artifacts.weightData as ArrayBuffer),
  );
  writeFileSync(
    join(NSFWJS_DIR, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      generatedBy: 'keras (nsfwjs 4.4.0 inception_v3)',
      convertedBy: 'inception-lens e2e/backends.spec.ts',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }),
  );
}

/** A browser with WebGPU on (SwiftShader's fallback adapter here); close it after the test. */
function launchWithWebGpu(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
  });
}

/** What one photo got on one backend: the shown top-3 and the pixels the worker was sent. */
interface Shown {
  predictions: { label: string; p: number }[];
  rgba: Uint8Array;
  size: number;
}

/** Opens the app on a forced backend (with `?debug=1`, so the page records each model input). */
async function openOn(
  browser: Browser,
  backend: Backend,
  params: Record<string, string>,
): Promise<Page> {
  const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
  await page.goto(`/?${new URLSearchParams({ ...params, backend, debug: '1' }).toString()}`);
  return page;
}

/**
 * Waits for the page opened by {@link openOn} to be ready, classifies `names` and reads what the
 * cards show. Returns the status text instead when the backend cannot be used here.
 */
async function classifyOn(
  page: Page,
  backend: Backend,
  names: readonly string[],
): Promise<Map<string, Shown> | string> {
  const status = page.getByTestId('model-status');
  // Loose bounds, not expectations: on a busy 2-core machine WebGPU took over 5 min to compile
  // InceptionV3 (≈ 40 s when quiet).
  await expect(status).toHaveAttribute('data-state', /^(ready|error)$/, { timeout: 900_000 });
  if ((await status.getAttribute('data-state')) === 'error')
    return (await status.textContent()) ?? '';
  await expect(status).toHaveAttribute('data-backend', backend);
  await page.locator('input[type=file][multiple]').setInputFiles(names.map((n) => photo(n)));
  const shown = new Map<string, Shown>();
  for (const name of names) {
    await expect(card(page, name)).toHaveAttribute('data-status', 'done', { timeout: 600_000 });
    const predictions = await card(page, name)
      .getByTestId('prediction')
      .evaluateAll((els) =>
        els.map((el) => ({
          label: el.getAttribute('data-label') ?? '',
          p: Number(el.getAttribute('data-probability')),
        })),
      );
    const input = await page.evaluate((n) => window.__lensModelInputs?.[n], name);
    if (!input) throw new Error(`${backend}: the page recorded no model input for ${name}`);
    expect(input.width).toBe(input.height);
    shown.set(name, {
      predictions,
      rgba: new Uint8Array(Buffer.from(input.rgbaBase64, 'base64')),
      size: input.width,
    });
  }
  return shown;
}

/**
 * The MobileNet test's WebGPU page, left open (ready, two photos classified and checked) for the
 * WebGPU loss test, so that WebGPU is not warmed up twice. Null when that test did not run or
 * WebGPU could not start; the loss test then opens its own.
 */
let keptWebGpu: { browser: Browser; page: Page } | null = null;

async function closeKeptWebGpu(): Promise<void> {
  const kept = keptWebGpu;
  keptWebGpu = null;
  await kept?.browser.close();
}

/** A backend that cannot run: fails under CI / LENS_REQUIRE_SHARED=1, else skipped with the reason. */
function unavailable(backend: Backend, why: string): void {
  const reason = `${backend} is not available in this browser: ${why.trim()}`;
  if (sharedRequired() || process.env.CI) throw new Error(`${reason} (required under CI)`);
  console.log(`skipping ${backend}: ${reason}`);
}

/**
 * Classifies `names` on wasm, webgl and webgpu and checks each shown probability against
 * `reference` (TF.js CPU in Node on the same pixels): within {@link TOLERANCE}, same labels
 * wherever the reference's ranks are clearly apart.
 */
async function compareBackends(
  what: string,
  params: Record<string, string>,
  names: readonly string[],
  reference: (shown: Shown) => Promise<{ label: string; p: number }[]>,
  keepWebGpu = false,
): Promise<Map<Backend, Map<string, Shown>>> {
  const all = new Map<Backend, Map<string, Shown>>();
  // The reference, per photo, from the first backend's pixels (every other backend must match).
  const expected = new Map<string, { pixels: Uint8Array; top: { label: string; p: number }[] }>();
  let worst = 0;
  /** Checks one backend's answers at once, so a later backend's failure keeps these in the log. */
  const check = async (backend: Backend, shown: Map<string, Shown>): Promise<void> => {
    let worstHere = 0;
    for (const name of names) {
      const mine = shown.get(name)!;
      let ref = expected.get(name);
      if (!ref) {
        ref = { pixels: mine.rgba, top: await reference(mine) };
        expected.set(name, ref);
      }
      // Same pixels everywhere: the backends differ only in how they compute.
      expect(
        Buffer.compare(Buffer.from(mine.rgba), Buffer.from(ref.pixels)),
        `${backend} ${name} pixels`,
      ).toBe(0);
      const want = ref.top;
      expect(mine.predictions, `${backend} ${name}`).toHaveLength(3);
      mine.predictions.forEach((g, rank) => {
        const w = want[rank]!;
        const diff = Math.abs(g.p - w.p);
        worstHere = Math.max(worstHere, diff);
        expect(diff, `${what} ${backend} ${name} #${rank + 1}: ${g.p} vs CPU ${w.p}`).toBeLessThan(
          TOLERANCE,
        );
        // Two classes within the tolerance of each other may trade places; others may not.
        const gap = Math.min(
          Math.abs(w.p - (want[rank - 1]?.p ?? Infinity)),
          Math.abs(w.p - (want[rank + 1]?.p ?? -Infinity)),
        );
        if (gap > 2 * TOLERANCE) expect(g.label, `${backend} ${name} #${rank + 1}`).toBe(w.label);
      });
    }
    worst = Math.max(worst, worstHere);
    console.log(`${what} on ${backend}: within ${worstHere.toExponential(2)} of TF.js CPU`);
  };
  const browser = await launchWithWebGpu();
  let keep = false;
  try {
    // Each backend's page is opened (and starts loading) before the previous backend's answers
    // are checked: the CPU reference runs in Node while the browser loads and compiles.
    let next: { page: Page; started: number } | null = null;
    const open = async (backend: Backend) => ({
      started: Date.now(),
      page: await openOn(browser, backend, params),
    });
    for (const [i, backend] of GPU_BACKENDS.entries()) {
      const { page, started } = next ?? (await open(backend));
      next = null;
      const turn = Date.now();
      let shown: Map<string, Shown> | string;
      try {
        shown = await classifyOn(page, backend, names);
      } catch (error) {
        await page.close();
        throw error;
      }
      const done = Date.now();
      const keepThis = keepWebGpu && backend === 'webgpu' && typeof shown !== 'string';
      if (!keepThis) await page.close();
      const following = GPU_BACKENDS[i + 1];
      if (following) next = await open(following);
      if (typeof shown === 'string') {
        unavailable(backend, shown);
        continue;
      }
      console.log(
        `${what} on ${backend}: ${names.length} photos in ${done - started} ms from opening ` +
          `the page, ${done - turn} ms of them after its turn came`,
      );
      all.set(backend, shown);
      await check(backend, shown);
      if (keepThis) {
        keptWebGpu = { browser, page };
        keep = true;
      }
    }
  } finally {
    if (!keep) await browser.close();
  }
  expect(all.size, `${what}: no backend could run`).toBeGreaterThan(0);
  console.log(
    `${what}: ${[...all.keys()].join(', ')} within ${worst.toExponential(2)} of TF.js CPU (bound ${TOLERANCE})`,
  );
  return all;
}

/** Top-3 of a softmax output with the labels the app shows. */
function topThree(
  probs: Float32Array,
  label: (i: number) => string,
): { label: string; p: number }[] {
  return [...probs.keys()]
    .sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0))
    .slice(0, 3)
    .map((i) => ({ label: label(i), p: probs[i] ?? NaN }));
}

/** `model`'s probabilities on TF.js' CPU backend for the recorded pixels, mapped onto `range`. */
async function cpuProbabilities(
  model: tf.LayersModel,
  shown: Shown,
  range: readonly [number, number],
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const out = tf.tidy(
    () =>
      model.predict(
        tf.tensor4d(rgbaToRgbFloat(shown.rgba, range), [1, shown.size, shown.size, 3]),
      ) as tf.Tensor,
  );
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

test.describe('backend selection and fallback', () => {
  needsSharedFixtures();
  test.afterAll(closeKeptWebGpu);

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
    // Two photos on each of wasm, webgl and webgpu, each in a fresh page of a browser with WebGPU
    // on (closed afterwards, so a busy GPU process dies with it; the WebGPU page is handed to the
    // loss test next); the shown probabilities are TF.js CPU's within 1e-3, and the dog is a
    // malamute everywhere.
    test.setTimeout(600_000);
    const labels = (
      JSON.parse(
        readFileSync(resolve(SHARED_DIR, 'models/mobilenet_v1_0.75_224/metadata.json'), 'utf8'),
      ) as { labels: string[] }
    ).labels;
    await tf.setBackend('cpu');
    const model = await loadMobilenet();
    try {
      const all = await compareBackends(
        'MobileNet',
        { model: MOBILENET_URL },
        ['dog.jpg', 'giraffe.jpg'],
        async (shown) => {
          expect(shown.size).toBe(224);
          return topThree(await cpuProbabilities(model, shown, [-1, 1]), (i) => labels[i] ?? '');
        },
        true,
      );
      for (const shown of all.values()) {
        expect(shown.get('dog.jpg')!.predictions[0]!.label).toContain('malamute');
      }
    } finally {
      model.dispose();
    }
  });

  test('a lost WebGPU device recovers like a lost WebGL context', async () => {
    test.setTimeout(600_000);
    // Goes on from the MobileNet test's WebGPU page when it is still open (ready on WebGPU, the
    // dog and the giraffe classified there and checked against TF.js CPU); run alone, it opens
    // its own and classifies the dog first.
    let kept = keptWebGpu;
    keptWebGpu = null;
    if (!kept) {
      const browser = await launchWithWebGpu();
      try {
        const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
        kept = { browser, page };
        await page.goto(
          `/?${new URLSearchParams({ model: MOBILENET_URL, backend: 'webgpu', debug: '1' }).toString()}`,
        );
        const status = page.getByTestId('model-status');
        await expect(status).toHaveAttribute('data-state', /^(ready|error)$/, {
          timeout: 300_000,
        });
        if ((await status.getAttribute('data-state')) === 'error') {
          await browser.close();
          unavailable('webgpu', (await status.textContent()) ?? '');
          test.skip(true, 'WebGPU is not available in this browser');
          return;
        }
        await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
        await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done', {
          timeout: 300_000,
        });
      } catch (error) {
        await browser.close();
        throw error;
      }
    }
    const { browser, page } = kept;
    try {
      const status = page.getByTestId('model-status');
      await expect(status).toHaveAttribute('data-state', 'ready');
      await expect(status).toHaveAttribute('data-backend', 'webgpu');
      await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
      await page.getByTestId('settings').locator('summary').click();
      await page.getByTestId('simulate-gpu-loss').click();
      await expect(page.getByTestId('model-notice')).toContainText('webgpu stopped working', {
        timeout: 120_000,
      });
      await expect(page.getByTestId('model-notice')).toContainText('WebGPU device was lost');
      await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
      await expect(status).not.toHaveAttribute('data-backend', 'webgpu');
      // The photos after the loss are classified on the backend it fell back to.
      await page.locator('input[type=file][multiple]').setInputFiles([photo('eagle.jpg')]);
      await expect(card(page, 'eagle.jpg')).toHaveAttribute('data-status', 'done', {
        timeout: 300_000,
      });
      await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
      await page.close();
    } finally {
      await browser.close();
    }
  });

  test("the real-weights InceptionV3 (nsfwjs' Keras export, 5-class head) gives TF.js CPU's probabilities on wasm, webgl and webgpu", async () => {
    // WebGPU compiles InceptionV3's shaders for ≈ 40 s here, then ≈ 19 s a photo (quiet machine;
    // at load 30 the webgl part alone took 6 min).
    test.setTimeout(2_700_000);
    writeNsfwjsFixture();
    await tf.setBackend('cpu');
    const model = await loadNsfwjsInception();
    try {
      // nsfwjs feeds its model pixels / 255: &range=0,1.
      await compareBackends(
        'InceptionV3 (nsfwjs)',
        { model: NSFWJS_URL, range: '0,1' },
        ['dog.jpg', 'eagle.jpg'],
        async (shown) => {
          expect(shown.size).toBe(299);
          return topThree(await cpuProbabilities(model, shown, [0, 1]), (i) => `class ${i}`);
        },
      );
    } finally {
      model.dispose();
    }
  });

  test('?debug=1&fail= walks the WebGPU → WebGL → WASM fallback in the browser', async () => {
    test.setTimeout(600_000);
    const row = (page: Page, backend: string) =>
      page.getByTestId('backend-report').locator(`tr[data-backend=${backend}]`);
    // measure=all: the software GPUs here take a real GPU's place at the head of the order.
    const url = (fail: string) =>
      `/?${new URLSearchParams({ model: MOBILENET_URL, measure: 'all', debug: '1', fail }).toString()}`;

    // WebGPU fails its check: WebGL is the first that works, and the model warms up there. (The
    // browser is closed then: measuring every backend on SwiftShader proves nothing more.)
    let browser = await launchWithWebGpu();
    try {
      const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
      await page.goto(url('webgpu'));
      const status = page.getByTestId('model-status');
      await expect(status).toHaveAttribute('data-state', 'warming', { timeout: 300_000 });
      await expect(status).toHaveAttribute('data-backend', 'webgl');
    } finally {
      await browser.close();
    }

    // WebGPU and WebGL both fail: WASM it is, the report says why, and photos are classified.
    browser = await launchWithWebGpu();
    try {
      const page = await browser.newPage({ baseURL: PREVIEW_ORIGIN });
      await page.goto(url('webgpu,webgl'));
      const status = page.getByTestId('model-status');
      await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
      await expect(status).toHaveAttribute('data-backend', 'wasm');
      await page.getByText('Settings').click();
      for (const gpu of ['webgpu', 'webgl']) {
        await expect(row(page, gpu)).toHaveAttribute('data-ok', 'false');
        await expect(row(page, gpu)).toContainText(
          'known-answer check failed (made to fail on purpose by ?fail=)',
        );
      }
      await expect(row(page, 'wasm')).toHaveAttribute('data-ok', 'true');
      await expect(row(page, 'wasm')).not.toContainText('known-answer check failed');
      await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
      await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
