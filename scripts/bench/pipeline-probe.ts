/**
 * A probe of the per-photo path (issue 18's pipeline efficiency), not part of `npm run bench`:
 * builds served by `vite preview` (one origin per variant: e.g. a build before and after a
 * change) are each opened in a fresh profile, loaded once, then take turns: each round drops a
 * batch of photos on each variant (rotating order) and then single photos. It reports per variant
 * the batch's ms per photo, the worker's own ms per photo in the batch and alone (the card's "… ms
 * on"), the gap between them (the pipeline's bubbles) and the renderer's CPU per photo by thread
 * (from /proc: page, workers, raster, …), so ratios can be compared on a loaded machine.
 *
 *   npx tsx scripts/bench/pipeline-probe.ts before=http://127.0.0.1:24360/ after=http://127.0.0.1:25360/
 *
 * Env: PROBE_ROUNDS (default 4), PROBE_BATCH (16), PROBE_PHOTOS (a folder of JPEGs, default
 * ../shared/photos), PROBE_PROFILE=1 (the first round's main thread sampled: JavaScript by
 * function), PROBE_TRACE=1 (the first round traced: the main thread's time by Chromium's own
 * trace events — style, layout, paint, messages, script — self time per photo).
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { CHROMIUM_ARGS } from '../../playwright.config';

const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 4);
const BATCH = Number(process.env.PROBE_BATCH ?? 16);
const PHOTOS = resolve(
  process.env.PROBE_PHOTOS ?? join(process.env.INCEPTION_LENS_SHARED ?? '../shared', 'photos'),
);

const PROBE = `
window.__probe = { events: [], drops: [] };
new MutationObserver((records) => {
  const t = performance.now();
  for (const r of records) {
    const el = r.target;
    if (r.type === 'attributes' && el.getAttribute && el.getAttribute('data-testid') === 'image-card') {
      const s = el.getAttribute('data-status');
      const m = /(\\d+) ms on/.exec(el.textContent || '');
      window.__probe.events.push([t, el.getAttribute('data-filename'), s, m ? Number(m[1]) : null]);
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
// The photos' bytes are sent once (__probePhotos), so a drop's own cost in the page stays out of
// the CPU counted for the batch: a drop names each file and which photo it is.
window.__probeBlobs = [];
window.__probePhotos = (photos) => {
  window.__probeBlobs = photos.map((b64) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' }));
};
window.__probeDrop = async (files) => {
  const target = document.querySelector('[data-testid=drop-zone]');
  const data = new DataTransfer();
  for (const f of files) data.items.add(new File([window.__probeBlobs[f.photo]], f.name, { type: 'image/jpeg' }));
  const t = performance.now();
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
  }
  window.__probe.drops.push(t);
  return t;
};
`;

interface Variant {
  label: string;
  url: string;
  context?: BrowserContext;
  page?: Page;
  pid?: number;
  batches: {
    perPhotoMs: number;
    workerMs: number[];
    gaps: number[];
    firstMs: number;
    cpu: Record<string, number>;
  }[];
  singles: number[];
  singleWorker: number[];
}

const photos = readdirSync(PHOTOS)
  .filter((f) => /\.jpe?g$/i.test(f))
  .sort()
  .map((f) => ({ name: f, base64: readFileSync(join(PHOTOS, f)).toString('base64') }));

let dropCount = 0;
function files(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const photo = i % photos.length;
    dropCount += 1;
    return { name: `${String(dropCount).padStart(4, '0')}-${photos[photo]!.name}`, photo };
  });
}

const TICK = 1000 / 100; // USER_HZ on Linux

/** CPU ms of every thread of `pid`, keyed `name#tid`. */
function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
      out[`${name}#${tid}`] = ((rest[11] ?? 0) + (rest[12] ?? 0)) * TICK;
    } catch {
      // thread ended
    }
  }
  return out;
}

async function rendererPid(browser: Browser, page: Page): Promise<number | undefined> {
  // The renderer of this page: the one whose main thread is busy right after we make it work.
  const cdp = await browser.newBrowserCDPSession();
  const info: { processInfo: { type: string; id: number }[] } = await cdp.send(
    'SystemInfo.getProcessInfo',
  );
  const renderers = info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  others = info.processInfo
    .filter((p) => p.type !== 'renderer')
    .map((p) => ({ pid: p.id, type: p.type }));
  const before = new Map(renderers.map((pid) => [pid, sum(threadCpu(pid))]));
  await page.evaluate(() => {
    const end = performance.now() + 300;
    while (performance.now() < end);
  });
  let best: number | undefined;
  let most = -1;
  for (const pid of renderers) {
    const d = sum(threadCpu(pid)) - (before.get(pid) ?? 0);
    if (d > most) {
      most = d;
      best = pid;
    }
  }
  return best;
}

/** Chromium's processes other than renderers (browser: IndexedDB, blobs; GPU; network), by type. */
let others: { pid: number; type: string }[] = [];
/** CPU ms of the other processes' threads, keyed `type:thread name` (threads of one name summed). */
function othersCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { pid, type } of others) {
    try {
      for (const [k, ms] of Object.entries(threadCpu(pid))) {
        const key = `${type}:${k.slice(0, k.lastIndexOf('#'))}`;
        out[key] = (out[key] ?? 0) + ms;
      }
    } catch {
      // gone
    }
  }
  return out;
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function events(page: Page): Promise<[number, string, string, number | null][]> {
  return page.evaluate(
    () =>
      (window as unknown as { __probe: { events: [number, string, string, number | null][] } })
        .__probe.events,
  );
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The page's main thread, sampled while `work` runs: the top functions by self time. */
async function profiled<T>(page: Page, work: () => Promise<T>): Promise<[T, string]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  const result = await work();
  const { profile } = (await cdp.send('Profiler.stop')) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  await cdp.detach();
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byName = new Map<string, number>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0) / 1000);
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  const top = [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, ms]) => `      ${ms.toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
  return [result, `    main-thread profile (${total.toFixed(0)} ms sampled):\n${top}`];
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * The renderer's main thread traced while `work` runs: each trace event's self time (its
 * duration less its children's), summed by name, per photo — what the "(program)" bucket of a
 * JavaScript profile hides (style, layout, paint, message handling, …).
 */
async function traced<T>(
  browser: Browser,
  page: Page,
  pid: number | undefined,
  photosIn: number,
  work: () => Promise<T>,
): Promise<[T, string]> {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8'],
  });
  const result = await work();
  const raw = JSON.parse((await browser.stopTracing()).toString()) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const all = Array.isArray(raw) ? raw : raw.traceEvents;
  const main = all.find(
    (e) =>
      e.ph === 'M' &&
      e.name === 'thread_name' &&
      e.args?.name === 'CrRendererMain' &&
      e.pid === pid,
  );
  if (!main) return [result, '    (no main thread of that renderer in the trace)'];
  const spans = all
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && (e.dur ?? 0) > 0)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  let busy = 0;
  for (const e of spans) {
    const dur = e.dur ?? 0;
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - dur);
    else busy += dur;
    self.set(e.name, (self.get(e.name) ?? 0) + dur);
    stack.push({ end: e.ts + dur, name: e.name });
  }
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 18)
    .map(([k, us]) => `      ${(us / 1000 / photosIn).toFixed(1).padStart(7)} ms/photo  ${k}`)
    .join('\n');
  return [
    result,
    `    main thread, traced: ${(busy / 1000 / photosIn).toFixed(1)} ms/photo in events; self time:\n${rows}`,
  ];
}

async function dropAndWait(v: Variant, n: number) {
  const page = v.page!;
  await page
    .getByRole('button', { name: 'Clear all' })
    .click()
    .catch(() => undefined);
  await page.waitForTimeout(700);
  const batch = files(n);
  const names = new Set(batch.map((f) => f.name));
  const cpu0 = v.pid ? threadCpu(v.pid) : {};
  const others0 = othersCpu();
  const t0 = await page.evaluate(
    (f) => (window as unknown as { __probeDrop: (f: unknown) => Promise<number> }).__probeDrop(f),
    batch,
  );
  await page.waitForFunction(
    (want) => {
      const ev = (window as unknown as { __probe: { events: [number, string, string][] } }).__probe
        .events;
      const fin = new Set(
        ev
          .filter((e) => want.includes(e[1]) && (e[2] === 'done' || e[2] === 'error'))
          .map((e) => e[1]),
      );
      if (fin.size >= want.length) return true;
      // 60 photos or more are the virtual grid, where cards out of view are not on the page:
      // the library's count says when all are finished
      const count = document.querySelector('[data-testid=library-count]');
      return (
        want.length >= 60 &&
        count?.getAttribute('data-total') === String(want.length) &&
        count.getAttribute('data-done') === String(want.length)
      );
    },
    [...names],
    { timeout: 600_000, polling: 50 },
  );
  const cpu1 = v.pid ? threadCpu(v.pid) : {};
  const others1 = othersCpu();
  const ev = (await events(page)).filter((e) => names.has(e[1]));
  const doneAt = ev.filter((e) => e[2] === 'done' || e[2] === 'error').map((e) => e[0]);
  // (a virtual grid's last answers may be out of view: then the moment the count said so)
  const end = Math.max(
    ...doneAt,
    batch.length >= 60 ? await page.evaluate(() => performance.now()) : 0,
  );
  const workerMs = ev.filter((e) => e[2] === 'done' && e[3] !== null).map((e) => e[3] as number);
  const cpu: Record<string, number> = {};
  for (const [k, after] of Object.entries(cpu1)) {
    const d = after - (cpu0[k] ?? 0);
    if (d > 0) cpu[k] = d;
  }
  for (const [k, after] of Object.entries(others1)) {
    const d = after - (others0[k] ?? 0);
    if (d > 0) cpu[k] = d;
  }
  // Between consecutive answers, what the worker's own time for the later one does not cover:
  // the hand-over from one photo to the next (replies, messages, turns), photo by photo.
  const dones = ev.filter((e) => e[2] === 'done' && e[3] !== null).sort((a, b) => a[0] - b[0]);
  const gaps = dones.slice(1).map((e, i) => e[0] - dones[i]![0] - (e[3] as number));
  const firstMs = dones.length > 0 ? dones[0]![0] - t0 : NaN;
  // The first answer's steps, from the drop: when its card showed each status.
  const firstSteps = ev
    .filter((e) => dones.length > 0 && e[1] === dones[0]![1])
    .map((e) => `${e[2]} ${(e[0] - t0).toFixed(0)}`)
    .join(', ');
  return {
    totalMs: end - t0,
    workerMs,
    gaps,
    firstMs,
    firstSteps,
    cpu,
    errors: ev.filter((e) => e[2] === 'error').length,
  };
}

/** Threads grouped: the page's main thread, each busy worker thread by tid, the rest by name. */
function perPhotoCpu(cpu: Record<string, number>, n: number): string {
  const rows = Object.entries(cpu)
    .sort((a, b) => b[1] - a[1])
    .filter(([, ms]) => ms / n >= 2)
    .map(([k, ms]) => `${k}=${(ms / n).toFixed(0)}`);
  return `${(sum(cpu) / n).toFixed(0)} ms total: ${rows.join(' ')}`;
}

async function main(): Promise<void> {
  const variants: Variant[] = process.argv.slice(2).map((arg) => {
    const eq = arg.indexOf('=');
    return {
      label: arg.slice(0, eq),
      url: arg.slice(eq + 1),
      batches: [],
      singles: [],
      singleWorker: [],
    };
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const load = () => os.loadavg()[0]!.toFixed(1);
  console.log(`load ${load()}; ${ROUNDS} rounds of ${BATCH} photos; photos from ${PHOTOS}`);
  try {
    for (const v of variants) {
      v.context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await v.context.addInitScript(PROBE);
      v.page = await v.context.newPage();
      v.page.on('pageerror', (e) => console.log(`[${v.label}] pageerror ${e.message}`));
      const t = Date.now();
      await v.page.goto(v.url);
      await v.page.evaluate(
        (p) => (window as unknown as { __probePhotos: (p: string[]) => void }).__probePhotos(p),
        photos.map((p) => p.base64),
      );
      await v.page
        .locator('[data-testid=model-status][data-state=ready]')
        .waitFor({ timeout: 600_000 });
      const engine = await v.page.getByTestId('model-status').getAttribute('data-engine');
      await v.page
        .locator('[data-testid=offline-status][data-state=ready]')
        .waitFor({ timeout: 300_000 })
        .catch(() => undefined);
      // Nothing the load left for later (the engine choice, the folded copy's write) may share
      // the worker with the timed batches: wait for the app's data-settled (a build without it
      // gets 30 s instead).
      const settled = await v.page
        .locator('[data-testid=model-status][data-settled]')
        .count()
        .then((n) => n > 0);
      await (settled
        ? v.page
            .locator('[data-testid=model-status][data-settled=true]')
            .waitFor({ state: 'attached', timeout: 300_000 })
            .catch(() => console.log(`[${v.label}] never settled`))
        : v.page.waitForTimeout(30_000));
      v.pid = await rendererPid(browser, v.page);
      const settledEngine = await v.page.getByTestId('model-status').getAttribute('data-engine');
      console.log(
        `[${v.label}] ready in ${((Date.now() - t) / 1000).toFixed(1)} s, engine ${engine} (once settled: ${settledEngine}), renderer ${v.pid}`,
      );
      // Warm: two single photos (the thread trial and first-photo costs are spent here).
      for (let i = 0; i < 6; i++) await dropAndWait(v, 1);
    }
    for (let r = 0; r < ROUNDS; r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
      for (const v of order) {
        let b: Awaited<ReturnType<typeof dropAndWait>>;
        if (process.env.PROBE_TRACE && r === 0) {
          let report: string;
          [b, report] = await traced(browser, v.page!, v.pid, BATCH, () => dropAndWait(v, BATCH));
          console.log(`[${v.label}] traced round:\n${report}`);
        } else if (process.env.PROBE_PROFILE && r === 0) {
          let report: string;
          [b, report] = await profiled(v.page!, () => dropAndWait(v, BATCH));
          console.log(`[${v.label}] profiled round:\n${report}`);
        } else b = await dropAndWait(v, BATCH);
        v.batches.push({
          perPhotoMs: b.totalMs / BATCH,
          workerMs: b.workerMs,
          gaps: b.gaps,
          firstMs: b.firstMs,
          cpu: b.cpu,
        });
        console.log(
          `[${v.label}] round ${r + 1}: ${(b.totalMs / BATCH).toFixed(0)} ms/photo (${((BATCH * 1000) / b.totalMs).toFixed(2)} photos/s), ` +
            `worker median ${median(b.workerMs).toFixed(0)} ms, between photos median ${median(b.gaps).toFixed(1)} ms ` +
            `(mean ${mean(b.gaps).toFixed(1)}), first answer ${b.firstMs.toFixed(0)} ms (${b.firstSteps}), errors ${b.errors}, load ${load()}\n    cpu/photo ${perPhotoCpu(b.cpu, BATCH)}`,
        );
      }
      for (const v of order) {
        for (let i = 0; i < 2; i++) {
          const s = await dropAndWait(v, 1);
          v.singles.push(s.totalMs);
          v.singleWorker.push(...s.workerMs);
        }
      }
    }
    console.log('\nsummary (medians):');
    for (const v of variants) {
      const per = median(v.batches.map((b) => b.perPhotoMs));
      const w = median(v.batches.flatMap((b) => b.workerMs));
      const single = median(v.singles);
      const sw = median(v.singleWorker);
      const gap = median(v.batches.flatMap((b) => b.gaps));
      console.log(
        `[${v.label}] batch ${per.toFixed(0)} ms/photo, worker in batch ${w.toFixed(0)} ms, between photos ${gap.toFixed(1)} ms, single photo drop→done ${single.toFixed(0)} ms (worker ${sw.toFixed(0)} ms); ` +
          `efficiency vs single worker ms ${(sw / per).toFixed(2)}`,
      );
    }
  } finally {
    await browser.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
