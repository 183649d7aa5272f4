/**
 * `npm run bench [-- --suite=core,backends|all --quick --no-build --prepare-only --webgpu --out=file]`:
 * builds the app, lays out the model (float16 as the app downloads it), the peers' converted
 * models and runtimes and the photos, serves the production build with `vite preview` and runs
 * the chosen suites (scripts/bench-suites.ts): `core` (issue 18, scripts/bench-core.ts: start-up,
 * a dropped batch, ours vs LiteRT.js / onnxruntime-web / nsfwjs interleaved, leak soak) and
 * `backends` (every backend and ablation through the app, below), `dataset` (issue 14, Teach on a
 * generated dataset) and `library` (issue 13, scripts/bench-library.ts, which serves itself). Each
 * suite's keys are merged into bench-results.json, the other suites' keys kept.
 *
 * The model is the e2e fixture (our InceptionV3 carrying nsfwjs' real Keras weights and a random
 * 1000-class top; e2e/global-setup.ts makes it): exactly the real architecture and size. Timings
 * are benchmarks, never assertions; the machine's load average is recorded with them.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../playwright.config';
import { quantizeWeights, shardNames, splitShards } from '../src/models/tfjs-artifacts';
import {
  appTable,
  checkTargets,
  headline,
  markdownTable,
  median,
  peerTable,
  steadyTable,
  type AppRun,
  type PageRun,
  type PeerRun,
  type RawResults,
} from './bench-report';
import type { BackendChoice, LoadTuning } from '../src/inference/protocol';
import type {
  BatchResult,
  BenchApi,
  InterleavedResult,
  OursOptions,
  OursResult,
} from './bench/bench-types';
import { tfjsWasmThreads } from './vite-tfjs-wasm-threads';
import {
  benchApi,
  coreSuite,
  interleave,
  openNsfwjsPair,
  type NsfwjsPair,
  type NsfwjsSetup,
} from './bench-core';
import {
  mergeSuiteResults,
  parseSuites,
  spread,
  type Suite,
  type SuiteContext,
  type SuiteMeta,
  type SuiteOutput,
} from './bench-suites';
import { writePeerModels } from './bench/convert/peer-models';
import { servePreview } from './bench/serve-preview';
import { DEFAULT_DATASET_CLASSES, datasetTable, runDatasetSuite } from './bench/dataset-suite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Command-line options. */
interface Options {
  quick: boolean;
  build: boolean;
  /** build and lay out the files, then stop (to serve them by hand) */
  prepareOnly: boolean;
  skip: Set<string>;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const skip = new Set<string>();
  let out = resolve(ROOT, 'bench-results.json');
  for (const arg of argv) {
    if (arg.startsWith('--skip=')) for (const s of arg.slice(7).split(',')) skip.add(s.trim());
    if (arg.startsWith('--out=')) out = resolve(arg.slice(6));
  }
  return {
    quick: argv.includes('--quick'),
    build: !argv.includes('--no-build'),
    prepareOnly: argv.includes('--prepare-only'),
    skip,
    out,
  };
}

const OPTIONS = parseArgs(process.argv.slice(2));
const DIST = resolve(ROOT, process.env.LENS_DIST ?? 'dist-bench');
const PORT = Number(process.env.LENS_PREVIEW_PORT ?? 4573);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const SHARED = resolve(process.env.INCEPTION_LENS_SHARED ?? join(ROOT, '..', 'shared'));
const FIXTURE = join(ROOT, 'e2e', '.fixtures', 'inception-v3-nsfwjs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** How much work each measurement does (here: full run ≈ 11–16 minutes, --quick ≈ 6–9). */
const SIZE = OPTIONS.quick
  ? { steady: 4, batch: 6, soak: 20, slowBatch: 1, peerRounds: 5, peerBatch: 2 }
  : { steady: 12, batch: 16, soak: 200, slowBatch: 2, peerRounds: 7, peerBatch: 4 };

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Makes the InceptionV3 fixture when missing (what e2e/global-setup.ts does). */
function ensureFixture(): void {
  if (existsSync(join(FIXTURE, 'model.json'))) return;
  log('making the InceptionV3 fixture (nsfwjs weights, ~95 MB)…');
  execFileSync('npx', ['tsx', 'scripts/make-inception-fixture.ts', FIXTURE], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

async function buildAll(): Promise<void> {
  log(`building the app into ${DIST}…`);
  execFileSync('npx', ['vite', 'build', '--outDir', DIST, '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, LENS_BUILD_ID: 'bench' },
  });
  log('building the benchmark page…');
  await build({
    configFile: false,
    root: join(ROOT, 'scripts', 'bench'),
    base: './',
    logLevel: 'warn',
    // The same threaded-WASM fix as the app, so nsfwjs gets working threads too.
    plugins: [tfjsWasmThreads()],
    // LiteRT.js loads its runtime with importScripts: the peers' workers are classic (IIFE).
    worker: { format: 'iife' },
    build: {
      outDir: join(DIST, 'bench'),
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
    },
  });
}

/**
 * The model at the app's default URL in float16 — the precision `npm run model:fetch` writes by
 * default, so what the app downloads — and the float32 fixture beside it for comparison.
 */
function serveModels(): { float32: number; float16: number } {
  const models = join(DIST, 'models');
  const f32 = join(models, 'inception-v3-float32');
  const f16 = join(models, 'inception-v3');
  for (const dir of [f32, f16]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(f16, { recursive: true });
  cpSync(FIXTURE, f32, { recursive: true });
  const json = JSON.parse(readFileSync(join(f32, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[]; weights: never[] }[];
  } & Record<string, unknown>;
  const group = json.weightsManifest[0];
  if (!group) throw new Error(`${FIXTURE}/model.json has no weights manifest`);
  const data = Buffer.concat(group.paths.map((p) => readFileSync(join(f32, p))));
  const half = quantizeWeights(
    { specs: group.weights, data: new Uint8Array(data).buffer },
    'float16',
  );
  const shards = splitShards(half.data);
  const names = shardNames(shards.length);
  shards.forEach((s, i) => writeFileSync(join(f16, names[i] as string), new Uint8Array(s)));
  writeFileSync(
    join(f16, 'model.json'),
    JSON.stringify({ ...json, weightsManifest: [{ paths: names, weights: half.specs }] }),
  );
  return { float32: folderBytes(f32), float16: folderBytes(f16) };
}

/** nsfwjs' own InceptionV3, hosted the way its README recommends (model.json + shards). */
function serveNsfwjsModel(): string {
  const dir = join(dirname(require.resolve('nsfwjs')), '..', 'models', 'inception_v3');
  const bundle = require(join(dir, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { paths: string[] }[];
  } & Record<string, unknown>;
  const target = join(DIST, 'peer', 'nsfwjs-inception-v3');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const group of bundle.weightsManifest) {
    for (const path of group.paths) {
      const base64 = require(join(dir, `${path}.min.js`)) as string;
      writeFileSync(join(target, path), Buffer.from(base64, 'base64'));
    }
  }
  writeFileSync(join(target, 'model.json'), JSON.stringify({ format: 'layers-model', ...bundle }));
  return 'peer/nsfwjs-inception-v3/model.json';
}

/** The photos: ../shared's real ones when present, else generated JPEGs. */
function loadPhotos(count: number): { name: string; mimeType: string; buffer: Buffer }[] {
  let sources: { name: string; buffer: Buffer }[] = [];
  const dir = join(SHARED, 'photos');
  if (existsSync(dir)) {
    sources = readdirSync(dir)
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort()
      .map((f) => ({ name: f, buffer: readFileSync(join(dir, f)) }));
  }
  if (sources.length === 0) {
    log(`no photos in ${dir}: using generated 640×480 JPEGs`);
    sources = [0, 1, 2].map((k) => {
      const width = 640;
      const height = 480;
      const data = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i++) {
        const x = i % width;
        const y = Math.floor(i / width);
        data[i * 4] = (x * (k + 1)) & 255;
        data[i * 4 + 1] = (y * (k + 2)) & 255;
        data[i * 4 + 2] = ((x ^ y) * (k + 3)) & 255;
        data[i * 4 + 3] = 255;
      }
      return {
        name: `generated-${k}.jpg`,
        buffer: Buffer.from(jpeg.encode({ data, width, height }, 90).data),
      };
    });
  }
  return Array.from({ length: count }, (_, i) => {
    const s = sources[i % sources.length] as { name: string; buffer: Buffer };
    return {
      name: `${String(i + 1).padStart(2, '0')}-${s.name}`,
      mimeType: 'image/jpeg',
      buffer: s.buffer,
    };
  });
}

async function startPreview(): Promise<ChildProcess> {
  const child = await servePreview(ROOT, DIST, PORT);
  const coep = (await fetch(`${ORIGIN}/`)).headers.get('cross-origin-embedder-policy');
  log(`vite preview on ${ORIGIN} (COEP: ${coep ?? 'none'})`);
  return child;
}

/** Installed before the app's scripts: long tasks, status transitions, finished cards. */
const APP_PROBE = `
window.__bench = { longTasks: [], status: [], done: [], changes: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
document.addEventListener('change', (e) => {
  if (e.target && e.target.matches && e.target.matches('input[type=file]')) window.__bench.changes.push(performance.now());
}, true);
let lastStatus = '';
let lastDone = 0;
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=model-status]');
  if (el) {
    const s = (el.getAttribute('data-state') || '') + '|' + (el.textContent || '').slice(0, 40);
    if (s !== lastStatus) { lastStatus = s; window.__bench.status.push([performance.now(), el.getAttribute('data-state'), el.textContent || '']); }
  }
  const done = document.querySelectorAll('[data-testid=image-card][data-status=done],[data-testid=image-card][data-status=failed]').length;
  if (done !== lastDone) { lastDone = done; window.__bench.done.push([performance.now(), done]); }
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

interface Probe {
  longTasks: [number, number][];
  status: [number, string | null, string][];
  done: [number, number][];
  changes: number[];
}

function stagesOf(status: Probe['status']): AppRun['stages'] {
  const first = (test: (state: string | null, text: string) => boolean): number | null =>
    status.find(([, state, text]) => test(state, text))?.[0] ?? null;
  const start = first((_, text) => text.startsWith('Starting')) ?? status[0]?.[0] ?? 0;
  const download = first((_, text) => text.startsWith('Downloading'));
  const warming = first((state) => state === 'warming');
  const ready = first((state) => state === 'ready') ?? NaN;
  return {
    backendMs: (download ?? warming ?? ready) - start,
    modelMs: (warming ?? ready) - (download ?? ready),
    warmupMs: ready - (warming ?? ready),
    readyMs: ready,
  };
}

/** One configuration of our app to measure. */
interface Config {
  label: string;
  backend: BackendChoice;
  tuning: LoadTuning;
  /** software GPU or plain JS: a few photos only */
  slow?: boolean;
  /** turns one optimisation off, to show what it is worth */
  ablation?: boolean;
}

/** The app address for a configuration (see src/app/tuning-params.ts). */
function queryOf(c: Config): string {
  const params = new URLSearchParams();
  if (c.backend !== 'auto') params.set('backend', c.backend);
  if (c.tuning.wasmThreads === 'off') params.set('threads', 'off');
  if (c.tuning.foldBatchNorm === 'off') params.set('fold', 'off');
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Whether WebGL / WebGPU here are software renderers (they get a few photos only). */
async function softwareGpus(browser: Browser): Promise<{ webgl: boolean; webgpu: boolean }> {
  const pattern = /swiftshader|llvmpipe|softpipe|software|basic render|lavapipe/i;
  // A page of our origin: WebGPU exists only in secure contexts (about:blank is not one).
  const page = await browser.newPage();
  await page.goto(`${ORIGIN}/bench/index.html`);
  const webgl = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return '';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  });
  await page.close();
  const gpuBrowser = await launch(true);
  let webgpu = '';
  try {
    const gpuPage = await gpuBrowser.newPage();
    await gpuPage.goto(`${ORIGIN}/bench/index.html`);
    webgpu = await gpuPage.evaluate(async () => {
      type Info = Record<'vendor' | 'architecture' | 'device' | 'description', string> & {
        isFallbackAdapter?: boolean;
      };
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      const adapter = (await gpu?.requestAdapter()) as
        { isFallbackAdapter?: boolean; info?: Info } | null | undefined;
      if (!adapter) return 'none';
      const info = adapter.info;
      if (adapter.isFallbackAdapter || info?.isFallbackAdapter) return 'fallback adapter';
      // GPUAdapterInfo's fields are getters: read them by name.
      return info
        ? [info.vendor, info.architecture, info.device, info.description].join(' ').trim()
        : 'adapter';
    });
  } finally {
    await gpuBrowser.close();
  }
  log(`WebGL renderer: ${webgl || 'none'}; WebGPU adapter: ${webgpu}`);
  return {
    webgl: !webgl || pattern.test(webgl),
    webgpu: webgpu === 'none' || webgpu === 'fallback adapter' || pattern.test(webgpu),
  };
}

/** One configuration through the real app, in a fresh browser profile. */
async function appRun(
  browser: Browser,
  config: Config,
  batchSize: number,
  photos: ReturnType<typeof loadPhotos>,
): Promise<AppRun> {
  const { label } = config;
  const slow = config.slow === true;
  log(`app: ${label} (${batchSize} photos)…`);
  const context = await browser.newContext({ baseURL: ORIGIN });
  await context.addInitScript(APP_PROBE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const timeout = slow ? 600_000 : 180_000;
  const result: AppRun = {
    label,
    backend: '',
    slow,
    ablation: config.ablation === true,
    stages: { backendMs: NaN, modelMs: NaN, warmupMs: NaN, readyMs: NaN },
    coldStartMs: NaN,
    firstVisitLongestTaskMs: NaN,
    batch: { photos: batchSize, totalMs: NaN, photosPerSec: NaN, longestTaskMs: NaN },
    cardMs: [],
    cachedReadyMs: null,
    errors,
  };
  try {
    await page.goto(`/${queryOf(config)}`);
    const input = page.locator('input[type=file][multiple]');
    await input.setInputFiles([photos[0] as (typeof photos)[number]]);
    await page.waitForFunction(
      () => (window as unknown as { __bench: Probe }).__bench.done.length > 0,
      null,
      { timeout },
    );
    const probe = await readProbe(page);
    result.stages = stagesOf(probe.status);
    result.coldStartMs = probe.done[0]?.[0] ?? NaN;
    result.backend =
      (await page.getByTestId('model-status').getAttribute('data-backend')) ?? 'unknown';
    const status = await page.getByTestId('model-status').getAttribute('data-state');
    if (status !== 'ready') throw new Error(`model status ${status ?? '?'}`);
    // On a first visit the page copies the model into the offline cache after it loads; the
    // batch is measured once that is done ("Ready offline"), the first-visit window apart.
    await page
      .locator('[data-testid=offline-status][data-state=ready]')
      .waitFor({ timeout: slow ? 600_000 : 120_000 })
      .catch(() => log('  (no "Ready offline" state: measuring the batch anyway)'));
    const firstVisit = await readProbe(page);
    // (without the task that delivered the photo: that is Playwright, see below)
    result.firstVisitLongestTaskMs = firstVisit.longTasks
      .filter(([t, d]) => !firstVisit.changes.some((c) => c >= t && c <= t + d))
      .reduce((m, [, d]) => Math.max(m, d), 0);

    await input.setInputFiles(photos.slice(1, 1 + batchSize));
    await page.waitForFunction(
      (n) => {
        const b = (window as unknown as { __bench: Probe }).__bench;
        return (b.done[b.done.length - 1]?.[1] ?? 0) >= n;
      },
      1 + batchSize,
      { timeout },
    );
    const after = await readProbe(page);
    const start = after.changes[after.changes.length - 1] ?? NaN;
    const end = after.done.find(([, n]) => n >= 1 + batchSize)?.[0] ?? NaN;
    // Tasks that began before the files arrived are Playwright handing them over (one DevTools
    // message carrying every file's bytes), not the app.
    const longest = longestIn(after.longTasks, start, end);
    result.batch = {
      photos: batchSize,
      totalMs: end - start,
      photosPerSec: (batchSize * 1000) / (end - start),
      longestTaskMs: longest,
    };
    const failed = await page.locator('[data-testid=image-card][data-status=failed]').count();
    if (failed > 0) errors.push(`${failed} photo(s) failed`);
    result.cardMs = (
      await page
        .getByTestId('image-card')
        .evaluateAll((els) =>
          els.map((el) => Number(/(\d+) ms on/.exec(el.textContent ?? '')?.[1] ?? NaN)),
        )
    )
      .slice(1)
      .filter((v) => Number.isFinite(v));

    if (!slow) {
      // A reload: the service worker now serves the shell and the cached model.
      await page.reload();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=model-status]')?.getAttribute('data-state') ===
          'ready',
        null,
        { timeout },
      );
      const cached = await readProbe(page);
      result.cachedReadyMs = stagesOf(cached.status).readyMs;
    }
  } catch (error) {
    errors.push(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  } finally {
    await context.close();
  }
  return result;
}

/** Milliseconds for the console, or '?'. */
function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? '?' : `${Math.round(ms)} ms`;
}

/** The longest task that began inside [from, to]. */
function longestIn(tasks: [number, number][], from: number, to: number): number {
  return tasks.filter(([t]) => t >= from && t <= to).reduce((m, [, d]) => Math.max(m, d), 0);
}

function readProbe(page: Page): Promise<Probe> {
  return page.evaluate(() => (window as unknown as { __bench: Probe }).__bench);
}

/** A fresh benchmark page with the photos picked. */
async function benchPage(
  browser: Browser,
  photos: ReturnType<typeof loadPhotos>,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL: ORIGIN });
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`bench page error: ${e.message}`));
  await page.goto('/bench/index.html');
  await page.waitForFunction(() => 'lensBench' in window);
  await page.locator('#photos').setInputFiles(photos);
  return { page, close: () => context.close() };
}

function workerFile(): string {
  const file = readdirSync(join(DIST, 'assets')).find((f) => /^inference\.worker-.*\.js$/.test(f));
  if (!file) throw new Error(`no inference worker in ${DIST}/assets`);
  return `/assets/${file}`;
}

async function pageRun(
  browser: Browser,
  label: string,
  options: Omit<OursOptions, 'workerUrl'>,
  photos: ReturnType<typeof loadPhotos>,
): Promise<{ run: PageRun; raw: OursResult }> {
  log(`bench page: ${label}…`);
  const { page, close } = await benchPage(browser, photos);
  try {
    const raw = await page.evaluate(
      (o) => (window as unknown as { lensBench: BenchApi }).lensBench.ours(o),
      { ...options, workerUrl: workerFile() },
    );
    return {
      raw,
      run: {
        label,
        backend: raw.cold.backend,
        coldLoadMs: raw.cold.totalMs,
        cachedLoadMs: raw.cached?.totalMs ?? null,
        steadyMs: raw.steadyMs,
        soak: raw.soak
          ? {
              photos: raw.soak.photos,
              tensorsBefore: raw.soak.before.numTensors,
              tensorsAfter: raw.soak.after.numTensors,
              heapBefore: raw.soak.before.heapBytes,
              heapAfter: raw.soak.after.heapBytes,
            }
          : null,
      },
    };
  } finally {
    await close();
  }
}

async function launch(webgpu = false): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      // measureUserAgentSpecificMemory answers at once instead of after the next GC.
      '--enable-blink-features=ForceEagerMeasureMemory',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
}

/** What the shared preparation laid out (see `main`). */
interface Prepared {
  modelBytes: { float32: number; float16: number };
  nsfwUrl: string;
}

/**
 * The `backends` suite: every backend and ablation through the real app, the benchmark page's
 * steady/soak/batching measurements and the first nsfwjs comparison (the bench before issue 18).
 */
async function backendsSuiteRun(prepared: Prepared, context: SuiteContext): Promise<SuiteOutput> {
  const started = Date.now();
  const loadBefore = os.loadavg();
  const { modelBytes } = prepared;
  const photos = loadPhotos(1 + SIZE.batch);
  const browser = await launch();
  const raw: RawResults = {
    app: [],
    page: [],
    nsfwjs: null,
    nsfwjsSameThreads: null,
    naive: null,
    modelBytes,
    float32ColdLoadMs: null,
  };
  const details: Record<string, unknown> = {};
  try {
    const version = browser.version();
    log(
      `Chromium ${version}; ${os.cpus().length} cores; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    );
    details.chromium = version;

    // 1. The real app, per configuration, each in a fresh browser profile. Software GPUs and
    // the plain-JS backend get a few photos only (they take seconds to tens of seconds each).
    const software = await softwareGpus(browser);
    details.softwareGpus = software;
    const configs: Config[] = [
      { label: 'wasm', backend: 'wasm', tuning: {} },
      { label: 'wasm, 1 thread', backend: 'wasm', tuning: { wasmThreads: 'off' }, ablation: true },
      {
        label: 'wasm, BN not folded',
        backend: 'wasm',
        tuning: { foldBatchNorm: 'off' },
        ablation: true,
      },
      { label: 'webgl', backend: 'webgl', tuning: {}, slow: software.webgl },
      { label: 'webgpu', backend: 'webgpu', tuning: {}, slow: software.webgpu },
      { label: 'cpu', backend: 'cpu', tuning: {}, slow: true },
      { label: 'auto', backend: 'auto', tuning: {} },
    ];
    for (const c of configs) {
      if (OPTIONS.skip.has(c.backend)) continue;
      const b = c.backend === 'webgpu' ? await launch(true) : browser;
      try {
        const run = await appRun(b, c, c.slow ? SIZE.slowBatch : SIZE.batch, photos);
        raw.app.push(run);
        log(
          `  ${c.label}: ${run.backend}, ${run.batch.photosPerSec.toFixed(2)} photos/s, ` +
            `longest task ${run.batch.longestTaskMs.toFixed(0)} ms, ` +
            `cold start ${run.coldStartMs.toFixed(0)} ms` +
            (run.errors.length ? `, errors: ${run.errors.join('; ')}` : ''),
        );
      } finally {
        if (b !== browser) await b.close();
      }
    }

    // 2. Steady latency on the benchmark page: the fast configurations (plus WASM on all threads
    // without the thread trial) each in a worker of their own, one photo each in turn, so a
    // drifting machine load hits them alike. Then cold and cached loads, and the soak on the best.
    const pageOptions = (c: Config): Omit<OursOptions, 'workerUrl'> => ({
      modelUrl: '/models/inception-v3/model.json',
      backend: c.backend,
      tuning: c.tuning,
      steadyRuns: 0,
      soak: 0,
      cachedLoad: false,
      sequentialBatch: false,
    });
    const measured = configs.filter(
      (c) => !c.slow && c.backend !== 'auto' && raw.app.some((a) => a.label === c.label),
    );
    const steadyConfigs: Config[] = [...measured];
    if (measured.some((c) => c.label === 'wasm')) {
      steadyConfigs.push({
        label: 'wasm, all threads, no trial',
        backend: 'wasm',
        tuning: { wasmThreads: 'all' },
        ablation: true,
      });
    }
    if (steadyConfigs.length > 0) {
      log(`bench page: steady latency, ${steadyConfigs.length} configurations in alternation…`);
      const { page, close } = await benchPage(browser, photos.slice(0, 1));
      try {
        const results: InterleavedResult[] = await page.evaluate(
          (o) => (window as unknown as { lensBench: BenchApi }).lensBench.interleaved(o),
          {
            workerUrl: workerFile(),
            modelUrl: '/models/inception-v3/model.json',
            configs: steadyConfigs.map(({ label, backend, tuning }) => ({
              label,
              backend,
              tuning,
            })),
            rounds: SIZE.steady,
          },
        );
        for (const r of results) {
          raw.page.push({
            label: r.label,
            backend: r.cold.backend,
            coldLoadMs: NaN,
            cachedLoadMs: null,
            steadyMs: r.steadyMs,
            soak: null,
          });
          log(
            `  ${r.label}: steady median ${median(r.steadyMs)?.toFixed(0)} ms over ${r.steadyMs.length}`,
          );
        }
      } finally {
        await close();
      }
    }
    const wasmConfig = measured.find((c) => c.label === 'wasm');
    const wasmPage = raw.page.find((p) => p.label === 'wasm');
    if (wasmConfig && wasmPage) {
      // Loads in a fresh profile: cold (nothing cached), then again in a new worker (HTTP cache).
      const { run } = await pageRun(
        browser,
        'wasm, cold and cached loads',
        { ...pageOptions(wasmConfig), cachedLoad: true },
        photos,
      );
      wasmPage.coldLoadMs = run.coldLoadMs;
      wasmPage.cachedLoadMs = run.cachedLoadMs;
    }
    const h0 = headline(raw);
    const bestConfig = measured.find((c) => c.label === h0.bestBackend);
    const best = raw.page.find((p) => p.label === bestConfig?.label);
    if (bestConfig && best && bestConfig.backend !== 'webgpu') {
      const { run } = await pageRun(
        browser,
        `${best.label}, soak`,
        { ...pageOptions(bestConfig), soak: SIZE.soak },
        photos,
      );
      best.soak = run.soak;
      log(
        `  soak ${SIZE.soak} photos: tensors ${run.soak?.tensorsBefore} → ${run.soak?.tensorsAfter}`,
      );
    }
    // Batching: kernel time per photo at batch 2 against batch 1 (decides whether to batch).
    if (!OPTIONS.skip.has('wasm')) {
      log('batching (kernel time, batch 1 vs 2, wasm)…');
      const { page, close } = await benchPage(browser, photos.slice(0, 1));
      try {
        const r = await page.evaluate(
          (o) => (window as unknown as { lensBench: BenchApi }).lensBench.batching(o),
          {
            modelUrl: '/models/inception-v3/model.json',
            threads: 'auto' as const,
            rounds: OPTIONS.quick ? 2 : 6,
          },
        );
        const one = median(r.batch1);
        const two = median(r.batch2);
        details.batching = { ...r, batch1MedianMs: one, batch2PerPhotoMedianMs: two };
        log(
          `  ${r.threads} threads: batch 1 ${one?.toFixed(0)} ms, batch 2 ${two?.toFixed(0)} ms/photo`,
        );
      } finally {
        await close();
      }
    }

    // The float32 fixture: twice the bytes, no float16 decoding; its load for comparison.
    {
      const { run } = await pageRun(
        browser,
        'wasm, float32 weights',
        {
          modelUrl: '/models/inception-v3-float32/model.json',
          backend: 'wasm',
          tuning: {},
          steadyRuns: 0,
          soak: 0,
          cachedLoad: false,
          sequentialBatch: false,
        },
        photos,
      );
      raw.float32ColdLoadMs = run.coldLoadMs;
      const f16 = raw.page.find((p) => p.label === 'wasm')?.coldLoadMs;
      log(
        `  cold load: float32 ${run.coldLoadMs.toFixed(0)} ms, float16 ${f16?.toFixed(0) ?? '?'} ms`,
      );
    }

    // 3. The peer and the baseline, on the best backend, on the same photos. nsfwjs as documented
    // and nsfwjs with our thread count take turns with our worker (one photo per round) for
    // SIZE.peerRounds rounds, as the core suite does (issue 16 item 7; the same code): medians
    // and spread instead of one sample minutes apart from ours.
    const peerBackend = (h0.bestBackend ?? 'wasm') as 'wasm';
    {
      log(
        `nsfwjs@4.4.0 InceptionV3 on ${peerBackend}, as documented and with our thread count, ` +
          `${SIZE.peerRounds} rounds interleaved with ours…`,
      );
      const oursPage = await benchPage(browser, photos.slice(0, 3));
      const ours = benchApi(oursPage.page);
      let pair: NsfwjsPair | null = null;
      try {
        const infos = await ours.call('enginesSetup', {
          workerUrl: workerFile(),
          modelUrl: '/models/inception-v3/model.json',
          backend: peerBackend,
          tfliteUrl: '/peer/inception-v3.tflite',
          onnxUrl: '/peer/inception-v3.onnx',
          litertAssets: '/peer/litert/',
          ortAssets: '/peer/ort/',
          threads: os.cpus().length,
          warmup: 6,
          engines: ['ours'],
        });
        const ourThreads = infos[0]?.threads ?? os.cpus().length;
        pair = await openNsfwjsPair(context, browser, {
          backend: peerBackend,
          threads: ourThreads,
          batch: SIZE.peerBatch,
        });
        const oursMs: number[] = [];
        await interleave(
          SIZE.peerRounds,
          [
            async () => {
              const ms = (await ours.call('enginesRound', oursMs.length)).ours;
              if (ms !== undefined) oursMs.push(ms);
            },
            ...pair.steps,
          ],
          (r) =>
            log(
              `  round ${r + 1}: ours ${oursMs[oursMs.length - 1]?.toFixed(0) ?? '?'} ms; nsfwjs ` +
                `${pair?.docBatches[r]?.photosPerSec.toFixed(2)}, same threads ` +
                `${pair?.sameBatches[r]?.photosPerSec.toFixed(2)} photos/s`,
            ),
        );
        ours.call('enginesClose').catch(() => undefined);
        const peerRun = (
          label: string,
          setup: NsfwjsSetup,
          batches: BatchResult[],
          note: string,
        ): PeerRun => {
          const throughput = spread(batches.map((b) => b.photosPerSec));
          const perPhoto = batches.map((b) => b.totalMs / b.photos);
          return {
            label,
            backend: `${setup.backend}${setup.threads !== null ? `, ${setup.threads} thread${setup.threads === 1 ? '' : 's'}` : ''}`,
            loadMs: setup.loadMs,
            steadyMs: perPhoto,
            batch: {
              photos: SIZE.peerBatch,
              totalMs: median(batches.map((b) => b.totalMs)) ?? NaN,
              photosPerSec: throughput.median ?? NaN,
              longestTaskMs: median(batches.map((b) => b.longestTaskMs)) ?? NaN,
            },
            throughput,
            note: `${note}; median of ${throughput.n} interleaved rounds of ${SIZE.peerBatch} photos (steady/photo: a round's time per photo, decode included)`,
          };
        };
        raw.nsfwjs = peerRun(
          'nsfwjs@4.4.0 InceptionV3',
          pair.doc,
          pair.docBatches,
          'main thread, as documented; default tfjs settings',
        );
        raw.nsfwjsSameThreads = peerRun(
          'nsfwjs@4.4.0, our thread count',
          pair.same,
          pair.sameBatches,
          'main thread, as documented, with our WASM thread count',
        );
        details.peerRoundsOursMs = spread(oursMs);
        for (const p of [raw.nsfwjs, raw.nsfwjsSameThreads]) {
          log(
            `  ${p.label}: ${p.backend}, ${p.batch.photosPerSec.toFixed(2)} photos/s ` +
              `(${p.throughput?.min?.toFixed(2)}–${p.throughput?.max?.toFixed(2)})`,
          );
        }
      } finally {
        await Promise.all([oursPage.close(), pair?.close()]);
      }
    }
    {
      log('naive baseline (ours: 1 thread, BN unfolded, one photo after another)…');
      const { page, close } = await benchPage(browser, photos.slice(1, 1 + SIZE.batch));
      try {
        const r: OursResult = await page.evaluate(
          (o) => (window as unknown as { lensBench: BenchApi }).lensBench.ours(o),
          {
            workerUrl: workerFile(),
            modelUrl: '/models/inception-v3/model.json',
            backend: 'wasm' as const,
            tuning: { wasmThreads: 'off' as const, foldBatchNorm: 'off' as const },
            steadyRuns: SIZE.steady,
            soak: 0,
            cachedLoad: false,
            sequentialBatch: true,
          },
        );
        if (r.batch) {
          raw.naive = {
            label: 'naive baseline (ours)',
            backend: 'wasm, 1 thread',
            loadMs: r.cold.totalMs,
            steadyMs: r.steadyMs,
            batch: r.batch,
            note: 'worker, no BN folding, decode then classify, no overlap',
          };
          log(`  naive: ${r.batch.photosPerSec.toFixed(2)} photos/s`);
        }
      } finally {
        await close();
      }
    }
  } finally {
    await browser.close();
  }

  const h = headline(raw);
  const soak = raw.page.find((p) => p.soak)?.soak ?? null;
  const targets = checkTargets(h, soak?.photos ?? null);
  const loadAfter = os.loadavg();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAfter,
  };
  const results = {
    ...h,
    date: new Date().toISOString(),
    quick: OPTIONS.quick,
    model:
      'InceptionV3 (our Keras port) with nsfwjs’ real Keras weights up to mixed10 and a seeded random ' +
      '1000-class top — the e2e fixture: the real architecture and size (23.9 M parameters), ' +
      'a stand-in for the ImageNet weights, which are not available offline; float16 weights as ' +
      'model:fetch writes them by default',
    modelBytesFloat32: modelBytes.float32,
    float32ColdLoadMs: raw.float32ColdLoadMs,
    machine,
    targets,
    raw,
    ...details,
    durationS: Math.round((Date.now() - started) / 1000),
  };

  console.log(
    `\nInception Lens benchmark — ${results.date.slice(0, 10)}, ${machine.cpus}× ${machine.cpuModel}, ` +
      `Chromium ${String(details.chromium)} headless, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ` +
      `${loadAfter.map((l) => l.toFixed(2)).join(' ')}${OPTIONS.quick ? ' (--quick: short runs)' : ''}`,
  );
  console.log(
    `Model: ${results.model}. Served as the app gets it from model:fetch, float16: ` +
      `${(modelBytes.float16 / 1e6).toFixed(1)} MB (float32: ${(modelBytes.float32 / 1e6).toFixed(1)} MB; ` +
      `cold load on the benchmark page float16 ${fmtMs(raw.page.find((p) => p.label === 'wasm')?.coldLoadMs)}, ` +
      `float32 ${fmtMs(raw.float32ColdLoadMs)}).\n`,
  );
  console.log(appTable(raw));
  console.log('');
  console.log(peerTable(raw, h));
  console.log('');
  console.log(steadyTable(raw));
  console.log('');
  console.log(
    markdownTable(
      ['target', 'wanted', 'measured', 'met'],
      targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === null ? 'n/a' : t.met ? 'yes' : 'NO',
      ]),
    ),
  );
  return { results: { backends: results }, report: '' };
}

/** The suites `--suite=` can name (add yours here; see scripts/bench-suites.ts). */
const SUITES: Record<string, (prepared: Prepared) => Suite> = {
  core: () => coreSuite,
  backends: (prepared) => ({
    name: 'backends',
    keys: ['backends'],
    describe:
      'every backend and ablation through the app, steady/soak/batching, nsfwjs (the bench before issue 18)',
    run: (context) => backendsSuiteRun(prepared, context),
  }),
  // Issue 14: Teach on a generated dataset (`--dataset-photos=N`, default 2,000, in
  // `--dataset-classes=C` folders, default 10), head-only.
  dataset: () => ({
    name: 'dataset',
    keys: ['dataset'],
    describe: 'Teach on a generated dataset: feature extraction, epochs, heap; features reused',
    run: async (context) => {
      const arg = process.argv.find((a) => a.startsWith('--dataset-photos='));
      const photos = arg ? Number(arg.slice('--dataset-photos='.length)) : 2000;
      const classesArg = process.argv.find((a) => a.startsWith('--dataset-classes='));
      const classes = classesArg
        ? Number(classesArg.slice('--dataset-classes='.length))
        : DEFAULT_DATASET_CLASSES;
      if (
        !Number.isInteger(photos) ||
        !Number.isInteger(classes) ||
        classes < 2 ||
        photos < classes
      )
        throw new Error(
          `--dataset-photos must be a whole number ≥ --dataset-classes, itself ≥ 2 (got ${photos}, ${classes})`,
        );
      const browser = await context.launch();
      try {
        const result = await runDatasetSuite(browser, context.origin, photos, context.log, classes);
        return { results: { dataset: result }, report: datasetTable(result) };
      } finally {
        await browser.close();
      }
    },
  }),
};

/** Copies the photos into the served build, for in-page drops. */
function servePhotos(count: number): string[] {
  const dir = join(DIST, 'bench-photos');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return loadPhotos(count).map((p) => {
    writeFileSync(join(dir, p.name), p.buffer);
    return `/bench-photos/${encodeURIComponent(p.name)}`;
  });
}

/**
 * The peers' models (converted from the fixture: BN folded, float16-rounded weights, exactly what
 * the app computes with) and their runtime files, served under /peer/. The conversion is cached
 * beside the fixture (it takes ~10 s of CPU) and redone when the fixture is newer.
 */
function servePeers(): { tflite: number; onnx: number } {
  const cache = join(ROOT, 'e2e', '.fixtures', 'peer-models');
  const stamp = statSync(join(FIXTURE, 'model.json')).mtimeMs;
  const files = ['inception-v3.tflite', 'inception-v3.onnx'].map((f) => join(cache, f));
  if (!files.every((f) => existsSync(f) && statSync(f).mtimeMs > stamp)) {
    log('converting our InceptionV3 to .tflite and .onnx for the peers…');
    const r = writePeerModels(FIXTURE, cache, true);
    log(
      `  .tflite ${(r.tflite.bytes / 1e6).toFixed(1)} MB, .onnx ${(r.onnx.bytes / 1e6).toFixed(1)} MB (${r.ms} ms)`,
    );
  }
  const peer = join(DIST, 'peer');
  mkdirSync(peer, { recursive: true });
  for (const f of files) cpSync(f, join(peer, f.split('/').pop() as string));
  const litert = join(ROOT, 'node_modules', '@litertjs', 'core', 'wasm');
  cpSync(litert, join(peer, 'litert'), { recursive: true });
  const ortDist = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
  mkdirSync(join(peer, 'ort'), { recursive: true });
  for (const f of readdirSync(ortDist).filter((n) =>
    /^ort-wasm-simd-threaded\.(mjs|wasm)$/.test(n),
  )) {
    cpSync(join(ortDist, f), join(peer, 'ort', f));
  }
  return { tflite: statSync(files[0] as string).size, onnx: statSync(files[1] as string).size };
}

async function main(): Promise<void> {
  // Issue 13's photo-library suite serves the app's own build (`dist`, or --dist) by itself
  // (scripts/bench-library.ts) and merges its \`library\` key into the same bench-results.json; it
  // runs first, then any other suites named with it (`--suite=library,core`).
  const names = parseSuites(process.argv.slice(2), [...Object.keys(SUITES), 'library']);
  if (names.includes('library')) {
    const { runLibrarySuite } = await import('./bench-library');
    await runLibrarySuite();
  }
  const rest = names.filter((n) => n !== 'library');
  if (rest.length === 0) return;
  ensureFixture();
  if (OPTIONS.build) await buildAll();
  // The dataset suite runs only the app: converting the peers' models would only cost time.
  const peers = rest.some((n) => n !== 'dataset');
  const prepared: Prepared = {
    modelBytes: serveModels(),
    nsfwUrl: peers ? serveNsfwjsModel() : '',
  };
  if (peers) servePeers();
  const photoUrls = servePhotos(1 + SIZE.batch);
  if (OPTIONS.prepareOnly) {
    log(`prepared ${DIST}: app, /bench/index.html, /models/…, /${prepared.nsfwUrl}, /peer/…`);
    return;
  }
  const preview = await startPreview();
  const context: SuiteContext = {
    root: ROOT,
    dist: DIST,
    origin: ORIGIN,
    quick: OPTIONS.quick,
    log,
    launch,
    workerFile,
    photos: loadPhotos,
    photoUrls: (count) => photoUrls.slice(0, count),
    benchPage,
    modelBytes: prepared.modelBytes.float16,
    nsfwjsModelUrl: prepared.nsfwUrl,
  };
  try {
    for (const name of rest) {
      const suite = (SUITES[name] as (p: Prepared) => Suite)(prepared);
      const loadAverageBefore = os.loadavg();
      const started = Date.now();
      log(
        `suite ${name}: ${suite.describe} (load ${loadAverageBefore.map((l) => l.toFixed(2)).join(' ')})`,
      );
      const output = await suite.run(context);
      const meta: SuiteMeta = {
        date: new Date().toISOString(),
        durationS: Math.round((Date.now() - started) / 1000),
        quick: OPTIONS.quick,
        loadAverageBefore,
        loadAverageAfter: os.loadavg(),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
        },
      };
      const existing = existsSync(OPTIONS.out)
        ? (JSON.parse(readFileSync(OPTIONS.out, 'utf8')) as Record<string, unknown>)
        : {};
      const merged = mergeSuiteResults(existing, suite, output.results, meta);
      writeFileSync(OPTIONS.out, `${JSON.stringify(merged, null, 2)}\n`);
      if (output.report) console.log(`\n${output.report}\n`);
      log(
        `suite ${name}: ${meta.durationS} s, load ${meta.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')} → ` +
          `${meta.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')}; merged into ${OPTIONS.out}`,
      );
    }
  } finally {
    preview.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
