/**
 * The `core` suite of `npm run bench` (issue 18): InceptionV3 in the real app (cold and warm start
 * to the first top-3, a batch delivered as a real drop, the longest main-thread tasks), ours and
 * the peer engines side by side in one page, interleaved (LiteRT.js, onnxruntime-web, nsfwjs as
 * documented and nsfwjs with our thread count), their agreement with ours, and a tensor-leak
 * soak. Writes `inceptionV3` (exactly issue 18's keys) and `inceptionV3Details` (everything else).
 */
import type { Browser, Page } from '@playwright/test';
import {
  collectRounds,
  pipelineEfficiency,
  spread,
  type Spread,
  type Suite,
  type SuiteContext,
} from './bench-suites';
import type {
  BatchResult,
  BenchApi,
  EngineInfo,
  EnginesRound,
  OursResult,
  WorkerEngine,
} from './bench/bench-types';

/** Installed before the app's scripts: long tasks, status, finished cards, and a real drop. */
const DROP_PROBE = `
window.__bench = { longTasks: [], status: [], done: [], drops: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
let lastStatus = '';
let lastDone = -1;
const count = () => {
  const cards = document.querySelectorAll('[data-testid=image-card]');
  let done = 0, failed = 0;
  for (const c of cards) {
    const s = c.getAttribute('data-status');
    if (s === 'done') done++; else if (s === 'error' || s === 'failed') failed++;
  }
  return [done, failed];
};
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=model-status]');
  if (el) {
    const s = el.getAttribute('data-state') || '';
    if (s !== lastStatus) { lastStatus = s; window.__bench.status.push([performance.now(), s]); }
  }
  const [done, failed] = count();
  if (done + failed !== lastDone) { lastDone = done + failed; window.__bench.done.push([performance.now(), done, failed]); }
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
// Fetches the photos into File objects (before the timed window), then drops them on the drop
// zone as a user's drag and drop does: dragenter, dragover, drop, with a DataTransfer.
window.__benchDrop = async (urls) => {
  const files = await Promise.all(urls.map(async (u) => {
    const blob = await (await fetch(u)).blob();
    return new File([blob], u.split('/').pop(), { type: blob.type || 'image/jpeg' });
  }));
  let target = null;
  while (!(target = document.querySelector('[data-testid=drop-zone]'))) await new Promise((r) => setTimeout(r, 5));
  const data = new DataTransfer();
  for (const f of files) data.items.add(f);
  const t = performance.now();
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
  }
  window.__bench.drops.push(t);
  return t;
};
`;

interface DropProbe {
  longTasks: [number, number][];
  status: [number, string][];
  /** [time, done, failed] at every change */
  done: [number, number, number][];
  drops: number[];
}

/** What the app run measured. */
export interface AppDropRun {
  backend: string;
  coldStartMs: number | null;
  readyMs: number | null;
  /** when the worker said nothing the load left for later is pending (the batch waits for it) */
  settledMs: number | null;
  firstVisitLongestTaskMs: number | null;
  batch: {
    photos: number;
    done: number;
    errored: number;
    totalMs: number | null;
    photosPerSec: number | null;
    longestTaskMs: number | null;
  };
  warmStartMs: number | null;
  warmReadyMs: number | null;
  warmLongestTaskMs: number | null;
  /** the photo engine on the return visit at its first answer (litert: from the kept .tflite) */
  warmEngine: string | null;
  errors: string[];
}

const readProbe = (page: Page): Promise<DropProbe> =>
  page.evaluate(() => (window as unknown as { __bench: DropProbe }).__bench);

async function waitFinished(page: Page, n: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    (k) => {
      const d = (window as unknown as { __bench: DropProbe }).__bench.done;
      const last = d[d.length - 1];
      return last !== undefined && last[1] + last[2] >= k;
    },
    n,
    { timeout },
  );
}

const finishedAt = (probe: DropProbe, n: number): number | null =>
  probe.done.find(([, d, f]) => d + f >= n)?.[0] ?? null;

const longestIn = (tasks: [number, number][], from: number, to: number): number =>
  tasks.filter(([t]) => t >= from && t <= to).reduce((m, [, d]) => Math.max(m, d), 0);

/** The real app on its automatic backend: first visit, a dropped batch, a return visit. */
async function appRun(ctx: SuiteContext, browser: Browser, batch: number): Promise<AppDropRun> {
  const urls = ctx.photoUrls(1 + batch);
  const out: AppDropRun = {
    backend: 'unknown',
    coldStartMs: null,
    readyMs: null,
    settledMs: null,
    firstVisitLongestTaskMs: null,
    batch: {
      photos: batch,
      done: 0,
      errored: 0,
      totalMs: null,
      photosPerSec: null,
      longestTaskMs: null,
    },
    warmStartMs: null,
    warmReadyMs: null,
    warmLongestTaskMs: null,
    warmEngine: null,
    errors: [],
  };
  const context = await browser.newContext({ baseURL: ctx.origin });
  await context.addInitScript(DROP_PROBE);
  const page = await context.newPage();
  page.on('pageerror', (e) => out.errors.push(e.message));
  const timeout = 240_000;
  try {
    // First visit: the photo is dropped as soon as the drop zone exists.
    await page.goto('/');
    await page.evaluate(
      (u) =>
        (window as unknown as { __benchDrop: (u: string[]) => Promise<number> }).__benchDrop(u),
      [urls[0] as string],
    );
    await waitFinished(page, 1, timeout);
    let probe = await readProbe(page);
    out.coldStartMs = finishedAt(probe, 1);
    out.readyMs = probe.status.find(([, s]) => s === 'ready')?.[0] ?? null;
    out.backend =
      (await page.getByTestId('model-status').getAttribute('data-backend')) ?? 'unknown';
    await page
      .locator('[data-testid=offline-status][data-state=ready]')
      .waitFor({ timeout: 120_000 })
      .catch(() => out.errors.push('no "Ready offline" state'));
    probe = await readProbe(page);
    out.firstVisitLongestTaskMs = probe.longTasks.reduce((m, [, d]) => Math.max(m, d), 0);
    // The batch measures the pipeline, so it waits until the worker has nothing of the load left
    // to do (the deferred engine choice and the folded copy's write, which would otherwise share
    // the worker with the batch's photos).
    await page
      .locator('[data-testid=model-status][data-settled=true]')
      .waitFor({ state: 'attached', timeout: 300_000 })
      .then(
        async () => {
          out.settledMs = await page.evaluate(() => performance.now());
        },
        () => out.errors.push('the app never said it had settled: the batch shares the worker'),
      );

    // The batch: dropped at once; finished when every card is done or errored.
    const startDrop = await page.evaluate(
      (u) =>
        (window as unknown as { __benchDrop: (u: string[]) => Promise<number> }).__benchDrop(u),
      urls.slice(1, 1 + batch),
    );
    await waitFinished(page, 1 + batch, timeout);
    probe = await readProbe(page);
    const end = finishedAt(probe, 1 + batch);
    const last = probe.done[probe.done.length - 1];
    out.batch.done = (last?.[1] ?? 1) - 1;
    out.batch.errored = last?.[2] ?? 0;
    if (end !== null) {
      out.batch.totalMs = end - startDrop;
      out.batch.photosPerSec = (batch * 1000) / out.batch.totalMs;
      out.batch.longestTaskMs = longestIn(probe.longTasks, startDrop - 1, end);
    }

    // Return visit: service worker and stored model; a photo dropped at once again.
    await page.reload();
    await page.evaluate(
      (u) =>
        (window as unknown as { __benchDrop: (u: string[]) => Promise<number> }).__benchDrop(u),
      [urls[0] as string],
    );
    // The gallery may keep the earlier cards; wait for one more finished card than it shows.
    await page.waitForFunction(
      () => {
        const b = (window as unknown as { __bench: DropProbe }).__bench;
        const cards = document.querySelectorAll('[data-testid=image-card]').length;
        const l = b.done[b.done.length - 1];
        return (
          b.drops.length > 0 &&
          l !== undefined &&
          l[0] >= (b.drops[0] as number) &&
          l[1] + l[2] >= cards &&
          cards > 0
        );
      },
      null,
      { timeout },
    );
    probe = await readProbe(page);
    out.warmStartMs = probe.done[probe.done.length - 1]?.[0] ?? null;
    out.warmReadyMs = probe.status.find(([, s]) => s === 'ready')?.[0] ?? null;
    out.warmLongestTaskMs = probe.longTasks.reduce((m, [, d]) => Math.max(m, d), 0);
    out.warmEngine = await page.getByTestId('model-status').getAttribute('data-engine');
  } catch (error) {
    out.errors.push(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  } finally {
    await context.close();
  }
  return out;
}

/** Calls the benchmark page's `lensBench` API (scripts/bench/bench-page.ts) from Node. */
export const benchApi = (page: Page) => ({
  call: <K extends keyof BenchApi>(name: K, ...args: Parameters<BenchApi[K]>) =>
    page.evaluate(
      ([n, a]) => {
        const lens = (window as unknown as { lensBench: BenchApi }).lensBench;
        return (lens[n as K] as (...x: unknown[]) => unknown)(...(a as unknown[]));
      },
      [name, args] as const,
    ) as Promise<Awaited<ReturnType<BenchApi[K]>>>,
});

/** How one nsfwjs page was set up. */
export type NsfwjsSetup = Awaited<ReturnType<BenchApi['nsfwjsSetup']>>;

/**
 * nsfwjs on two benchmark pages of their own, each used as its README documents (main thread):
 * one with TensorFlow.js' default thread count, one with `threads` (ours). Each takes one untimed
 * batch; `steps` then measure one batch each and are meant for {@link interleave}.
 */
export interface NsfwjsPair {
  doc: NsfwjsSetup;
  same: NsfwjsSetup;
  docBatches: BatchResult[];
  sameBatches: BatchResult[];
  steps: (() => Promise<unknown>)[];
  close: () => Promise<void>;
}

/** Opens and warms the {@link NsfwjsPair} (shared by the `core` and `backends` suites). */
export async function openNsfwjsPair(
  ctx: Pick<SuiteContext, 'benchPage' | 'photos' | 'nsfwjsModelUrl'>,
  browser: Browser,
  options: { backend: 'wasm' | 'webgl' | 'webgpu'; threads: number; batch: number },
): Promise<NsfwjsPair> {
  const docPage = await ctx.benchPage(browser, ctx.photos(1 + 3 * options.batch));
  const samePage = await ctx.benchPage(browser, ctx.photos(1 + 3 * options.batch));
  const close = async () => {
    await Promise.all([docPage.close(), samePage.close()]);
  };
  try {
    const modelUrl = `/${ctx.nsfwjsModelUrl}`;
    const backend = options.backend as 'wasm';
    const doc = await benchApi(docPage.page).call('nsfwjsSetup', {
      modelUrl,
      backend,
      threads: null,
    });
    const same = await benchApi(samePage.page).call('nsfwjsSetup', {
      modelUrl,
      backend,
      threads: options.threads,
    });
    // nsfwjs warms up inside its load; one untimed batch each settles the pages.
    await benchApi(docPage.page).call('nsfwjsRound', 1);
    await benchApi(samePage.page).call('nsfwjsRound', 1);
    const docBatches: BatchResult[] = [];
    const sameBatches: BatchResult[] = [];
    return {
      doc,
      same,
      docBatches,
      sameBatches,
      steps: [
        async () =>
          docBatches.push(await benchApi(docPage.page).call('nsfwjsRound', options.batch)),
        async () =>
          sameBatches.push(await benchApi(samePage.page).call('nsfwjsRound', options.batch)),
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Runs every step once per round, rotating which goes first each round, so that a drifting
 * machine load hits them alike; `after` is called after each round.
 */
export async function interleave(
  rounds: number,
  steps: readonly (() => Promise<unknown>)[],
  after?: (round: number) => void,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < steps.length; k++)
      await (steps[(k + r) % steps.length] as () => Promise<unknown>)();
    after?.(r);
  }
}

/** One engine's row in the details. */
interface EngineRow {
  threads: number | null;
  loadMs: number | null;
  detail: string;
  error: string | null;
  steady: Spread;
  /** ours only: the photo engine the app chose at load ('tfjs' | 'litert') */
  engine?: string;
  /** ours only: the app's own interleaved measurement at load (ms a photo), when it measured */
  chosenBy?: { tfjsMs: number | null; litertMs: number | null };
}

async function run(ctx: SuiteContext) {
  const quick = ctx.quick;
  const batch = quick ? 6 : 16;
  const rounds = quick ? 5 : 7;
  const nsfwBatch = quick ? 2 : 4;
  const soakPhotos = quick ? 20 : 200;
  // --webgpu: launch with --enable-unsafe-webgpu, which headless Chromium needs before it offers
  // WebGPU at all (the automatic choice still skips software adapters).
  const browser = await ctx.launch(process.argv.includes('--webgpu'));
  const cpus = (await import('node:os')).cpus().length;
  try {
    ctx.log(
      `core: the app (automatic backend), first visit + ${batch} photos dropped + return visit…`,
    );
    const app = await appRun(ctx, browser, batch);
    ctx.log(
      `  ${app.backend}: cold start ${fmt(app.coldStartMs)}, ${app.batch.photosPerSec?.toFixed(2) ?? '?'} photos/s ` +
        `(${app.batch.errored} errored), longest task ${fmt(app.batch.longestTaskMs)}, first visit ${fmt(app.firstVisitLongestTaskMs)}, ` +
        `warm start ${fmt(app.warmStartMs)} (engine ${app.warmEngine ?? '?'})${app.errors.length ? `; errors: ${app.errors.join('; ')}` : ''}`,
    );
    const bestBackend = app.backend === 'unknown' ? 'wasm' : app.backend;
    // Peers run their CPU (WASM) path with our core-based thread count; on a machine whose best
    // backend is a GPU they still run on WASM (their GPU paths are not compared here).
    const threads = Math.min(8, Math.max(1, cpus));

    ctx.log(
      `core: engines side by side (${rounds} interleaved rounds; peers with ${threads} threads)…`,
    );
    const enginesPage = await ctx.benchPage(browser, ctx.photos(3));
    const engines = benchApi(enginesPage.page);
    let pair: NsfwjsPair | null = null;
    try {
      const infos: EngineInfo[] = await engines.call('enginesSetup', {
        workerUrl: ctx.workerFile(),
        modelUrl: '/models/inception-v3/model.json',
        backend: bestBackend as 'wasm',
        tfliteUrl: '/peer/inception-v3.tflite',
        onnxUrl: '/peer/inception-v3.onnx',
        litertAssets: '/peer/litert/',
        ortAssets: '/peer/ort/',
        threads,
        warmup: 6,
        engines: ['ours', 'litert', 'ort'],
      });
      for (const i of infos) {
        ctx.log(
          `  ${i.name}: ${i.error ? `FAILED: ${i.error}` : `${i.threads ?? '?'} threads, load ${fmt(i.loadMs)}, ${i.detail}`}`,
        );
      }
      const ourThreads = infos.find((i) => i.name === 'ours')?.threads ?? threads;
      pair = await openNsfwjsPair(ctx, browser, {
        backend: bestBackend === 'webgpu' || bestBackend === 'webgl' ? bestBackend : 'wasm',
        threads: ourThreads,
        batch: nsfwBatch,
      });
      const { doc, same, docBatches, sameBatches } = pair;
      ctx.log(
        `  nsfwjs: ${doc.backend} ${doc.threads ?? '?'} thread(s); same-threads: ${same.threads ?? '?'}`,
      );

      const engineRounds: EnginesRound[] = [];
      // The order of the three pages rotates too.
      await interleave(
        rounds,
        [
          async () => engineRounds.push(await engines.call('enginesRound', engineRounds.length)),
          ...pair.steps,
        ],
        (r) => {
          const last = engineRounds[engineRounds.length - 1] ?? {};
          ctx.log(
            `  round ${r + 1}: ${Object.entries(last)
              .map(([n, ms]) => `${n} ${Math.round(ms)}`)
              .join(', ')} ms; ` +
              `nsfwjs ${docBatches[docBatches.length - 1]?.photosPerSec.toFixed(2)}, same threads ${sameBatches[sameBatches.length - 1]?.photosPerSec.toFixed(2)} photos/s`,
          );
        },
      );
      const diffs = await engines.call('enginesCompare');
      ctx.log(`  max |Δp| vs ours: ${JSON.stringify(diffs)}`);
      engines.call('enginesClose').catch(() => undefined);

      const perEngine = collectRounds<WorkerEngine>(engineRounds);
      const row = (name: WorkerEngine): EngineRow => {
        const info = infos.find((i) => i.name === name);
        const out: EngineRow = {
          threads: info?.threads ?? null,
          loadMs: info?.loadMs ?? null,
          detail: info?.detail ?? '',
          error: info?.error ?? null,
          steady: spread(perEngine[name] ?? []),
        };
        if (info?.chosen) {
          out.engine = info.chosen.engine;
          out.chosenBy = {
            tfjsMs: info.chosen.tfjsMs ?? null,
            litertMs: info.chosen.litertMs ?? null,
          };
        }
        return out;
      };
      const ours = row('ours');
      const litert = row('litert');
      const ort = row('ort');
      const docSpread = spread(docBatches.map((b) => b.photosPerSec));
      const sameSpread = spread(sameBatches.map((b) => b.photosPerSec));

      ctx.log(`core: soak, ${soakPhotos} photos through our worker…`);
      const soakPage = await ctx.benchPage(browser, ctx.photos(1));
      let soak: OursResult['soak'] = null;
      try {
        const r = await benchApi(soakPage.page).call('ours', {
          workerUrl: ctx.workerFile(),
          modelUrl: '/models/inception-v3/model.json',
          backend: bestBackend as 'wasm',
          tuning: {},
          steadyRuns: 0,
          soak: soakPhotos,
          cachedLoad: false,
          sequentialBatch: false,
        });
        soak = r.soak;
      } finally {
        await soakPage.close();
      }

      const steadyMs = ours.steady.median;
      const inceptionV3 = {
        bestBackend,
        steadyMs,
        throughputPhotosPerSec: app.batch.photosPerSec,
        pipelineEfficiency: pipelineEfficiency(app.batch.photosPerSec, steadyMs),
        coldStartMs: app.coldStartMs,
        warmStartMs: app.warmStartMs,
        longestMainThreadTaskMs: app.batch.longestTaskMs,
        firstVisitLongestTaskMs: app.firstVisitLongestTaskMs,
        tensorLeakAfter200: soak ? soak.after.numTensors - soak.before.numTensors : null,
        modelBytes: ctx.modelBytes,
        peers: {
          litert: {
            steadyMs: litert.steady.median,
            threads: litert.threads,
            maxAbsDiffVsOurs: diffs.litert ?? null,
          },
          ort: {
            steadyMs: ort.steady.median,
            threads: ort.threads,
            maxAbsDiffVsOurs: diffs.ort ?? null,
          },
          // nsfwjs runs its own model (the same InceptionV3 base weights, its 5-class head): its
          // outputs are not ours to compare, so no difference is claimed.
          nsfwjs: {
            throughputPhotosPerSec: docSpread.median,
            threads: doc.threads,
            maxAbsDiffVsOurs: null,
          },
          nsfwjsSameThreads: {
            throughputPhotosPerSec: sameSpread.median,
            threads: same.threads,
            maxAbsDiffVsOurs: null,
          },
        },
      };
      const details = {
        app,
        engines: { ours, litert, ort },
        nsfwjs: {
          ...doc,
          throughput: docSpread,
          batch: nsfwBatch,
          how: 'main thread, as documented',
        },
        nsfwjsSameThreads: { ...same, throughput: sameSpread, batch: nsfwBatch },
        rounds: engineRounds,
        soak,
        peerThreads: threads,
        soakPhotos,
        note:
          'steadyMs: one photo at a time, page → the engine’s worker → answer, same pixels, ' +
          `after 6 warm-up photos, median of ${rounds} interleaved rounds; throughput: the app, ` +
          `${batch} photos dropped at once once the app has settled (data-settled), until every ` +
          'card is done or errored',
      };
      return {
        results: { inceptionV3, inceptionV3Details: details },
        report: coreReport(inceptionV3, details),
      };
    } finally {
      await Promise.all([enginesPage.close(), pair?.close()]);
    }
  } finally {
    await browser.close();
  }
}

function fmt(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? '?' : `${Math.round(ms)} ms`;
}

const num = (v: number | null, d = 0): string =>
  v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d);

/** The suite's printed tables (markdown). */
export function coreReport(
  h: {
    bestBackend: string;
    steadyMs: number | null;
    throughputPhotosPerSec: number | null;
    pipelineEfficiency: number | null;
    coldStartMs: number | null;
    warmStartMs: number | null;
    longestMainThreadTaskMs: number | null;
    firstVisitLongestTaskMs: number | null;
    tensorLeakAfter200: number | null;
    peers: {
      litert: { steadyMs: number | null; threads: number | null; maxAbsDiffVsOurs: number | null };
      ort: { steadyMs: number | null; threads: number | null; maxAbsDiffVsOurs: number | null };
      nsfwjs: { throughputPhotosPerSec: number | null; threads: number | null };
      nsfwjsSameThreads: { throughputPhotosPerSec: number | null; threads: number | null };
    };
  },
  d: {
    engines: Record<'ours' | 'litert' | 'ort', EngineRow>;
    nsfwjs: { throughput: Spread };
    nsfwjsSameThreads: { throughput: Spread };
  },
): string {
  const rows = (['ours', 'litert', 'ort'] as const).map((n) => {
    const e = d.engines[n];
    const d0 = n === 'ours' ? null : h.peers[n].maxAbsDiffVsOurs;
    const diff = n === 'ours' ? '—' : d0 === null ? 'n/a' : d0.toExponential(1);
    const name = n === 'ours' && e.engine ? `ours (photos on ${e.engine})` : n;
    return `| ${name} | ${e.threads ?? '?'} | ${num(e.steady.median)} | ${num(e.steady.min)} | ${num(e.steady.max)} | ${e.steady.n} | ${diff} |${e.error ? ` ${e.error}` : ''}`;
  });
  const peersMin = Math.min(
    ...[h.peers.litert.steadyMs, h.peers.ort.steadyMs].filter((v): v is number => v !== null),
  );
  const ratio = (a: number | null, b: number | null) =>
    a !== null && b !== null && b > 0 ? a / b : null;
  const vsSame = ratio(h.throughputPhotosPerSec, h.peers.nsfwjsSameThreads.throughputPhotosPerSec);
  return [
    `| engine (${h.bestBackend} for ours) | threads | steady median ms | min | max | rounds | max abs diff vs ours |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '| nsfwjs@4.4.0 (main thread) | threads | photos/s median | min | max |',
    '| --- | --- | --- | --- | --- |',
    `| as documented | ${h.peers.nsfwjs.threads ?? '?'} | ${num(d.nsfwjs.throughput.median, 2)} | ${num(d.nsfwjs.throughput.min, 2)} | ${num(d.nsfwjs.throughput.max, 2)} |`,
    `| our thread count | ${h.peers.nsfwjsSameThreads.threads ?? '?'} | ${num(d.nsfwjsSameThreads.throughput.median, 2)} | ${num(d.nsfwjsSameThreads.throughput.min, 2)} | ${num(d.nsfwjsSameThreads.throughput.max, 2)} |`,
    '',
    '| target | wanted | measured |',
    '| --- | --- | --- |',
    `| steadyMs vs fastest peer | ≤ 1.05× | ${num(h.steadyMs)} ms vs ${Number.isFinite(peersMin) ? Math.round(peersMin) : 'n/a'} ms (${num(ratio(h.steadyMs, Number.isFinite(peersMin) ? peersMin : null), 2)}×) |`,
    `| pipelineEfficiency | ≥ 0.9 | ${num(h.pipelineEfficiency, 2)} (${num(h.throughputPhotosPerSec, 2)} photos/s) |`,
    `| throughput vs nsfwjsSameThreads | ≥ 1.2× | ${num(vsSame, 2)}× |`,
    `| coldStartMs | ≤ 2000 | ${num(h.coldStartMs)} |`,
    `| warmStartMs | ≤ 1500 | ${num(h.warmStartMs)} |`,
    `| longestMainThreadTaskMs | ≤ 50 | ${num(h.longestMainThreadTaskMs)} |`,
    `| firstVisitLongestTaskMs | ≤ 50 | ${num(h.firstVisitLongestTaskMs)} |`,
    `| tensorLeakAfter200 | 0 | ${num(h.tensorLeakAfter200)} |`,
  ].join('\n');
}

/** The core suite. */
export const coreSuite: Suite = {
  name: 'core',
  keys: ['inceptionV3', 'inceptionV3Details'],
  describe:
    'InceptionV3: the app (start-up, dropped batch), ours vs LiteRT.js / onnxruntime-web / nsfwjs interleaved, leak soak',
  run,
};
