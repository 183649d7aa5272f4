/**
 * A quick start-up probe (issue 18 item 4), lighter than the `core` suite: opens the app in a
 * fresh profile, drops one photo as soon as the drop zone exists, waits for its top-3 (cold
 * start), waits for "Ready offline" and for the worker's background work, then reloads and drops
 * a photo again (warm start). Prints each visit's time to the first top-3, its longest main-thread
 * task and the worker's `ReadyInfo.startup` line. Several builds can be compared interleaved:
 *
 *   npx tsx scripts/startup-probe.ts [--rounds=N] [--query=?engine=tfjs] [--no-sw] [--cold-only] dist-a[:port] dist-b[:port] …
 *
 * Env: PROBE_FRAMES=1 prints each visit's long animation frames; PROBE_MORE=N drops N more photos
 * one at a time after the first answer and prints the worker's own time for each; PROBE_CONSOLE=1
 * passes on the page's and its workers' console lines that start with `[t]` (for temporary timing
 * lines added while investigating; none are committed).
 *
 * Each folder is a build laid out by `npm run bench -- --prepare-only` (`LENS_DIST=folder`); its
 * own `vite preview` serves it. Timings are measurements, never assertions.
 */
import { chromium, type Browser } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { CHROMIUM_ARGS } from '../playwright.config';
import { servePreview } from './bench/serve-preview';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
const query = args.find((a) => a.startsWith('--query='))?.slice(8) ?? '';
/** `--no-sw`: block the service worker (what its install and precache cost the first visit) */
const blockServiceWorker = args.includes('--no-sw');
/** `--cold-only`: the first visit only (no wait for the folded copy, no return visit) */
const coldOnly = args.includes('--cold-only');
/**
 * `--warm-batch=N`: on the return visit, once the first top-3 is in, drop N more photos at once
 * and time them (what a return visit with a batch costs, the first photo's path aside)
 */
const warmBatch = Number(args.find((a) => a.startsWith('--warm-batch='))?.slice(13) ?? 0);
const basePort = Number(process.env.LENS_PREVIEW_PORT ?? 4573);
const builds = args
  .filter((a) => !a.startsWith('--'))
  .map((a, i) => {
    const [dir, port] = a.split(':');
    return { dir: resolve(dir as string), port: Number(port ?? basePort + 100 * i) };
  });

const PROBE = `
window.__probe = { longTasks: [], done: [], startup: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__probe.longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
// What the long frames ran (Chromium's Long Animation Frames: script, invoker, duration).
window.__probe.frames = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 50) window.__probe.frames.push({ at: Math.round(e.startTime), ms: Math.round(e.duration), block: Math.round(e.blockingDuration), scripts: (e.scripts || []).map((s) => ({ ms: Math.round(s.duration), invoker: s.invoker, src: (s.sourceURL || '').split('/').pop(), fn: s.sourceFunctionName, type: s.invokerType })) });
  }).observe({ type: 'long-animation-frame', buffered: true });
} catch {}
const debug = console.debug.bind(console);
console.debug = (...a) => { if (String(a[0]).startsWith('[startup]')) window.__probe.startup.push([performance.now(), String(a[0])]); debug(...a); };
// When each worker was made (page time), to tell the worker's start from the page's.
window.__probe.workers = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(url, options) {
    super(url, options);
    window.__probe.workers.push([Math.round(performance.now()), (options && options.name) || String(url).split('/').pop()]);
  }
};
// The dropped photo's card steps (waiting → preprocessing → classifying → done), page time;
// with PROBE_MORE, each later photo's steps follow (__drop names the photo watched).
window.__probe.steps = [];
new MutationObserver(() => {
  if (!window.__probe.name) return;
  const card = document.querySelector('[data-testid=image-card][data-filename="' + window.__probe.name + '"]');
  const status = card && card.getAttribute('data-status');
  const last = window.__probe.steps[window.__probe.steps.length - 1];
  // done: with the worker's own time for the photo, from the card's "… ms on …"
  const ms = status === 'done' ? /(\\d+) ms on/.exec(card.textContent || '') : null;
  const step = ms ? status + ' (worker ' + ms[1] + ' ms)' : status;
  if (status && (!last || last[1] !== step)) window.__probe.steps.push([Math.round(performance.now()), step]);
}).observe(document, { subtree: true, childList: true, attributes: true });
// Only this visit's photo counts (the photo library restores earlier cards after a reload).
new MutationObserver(() => {
  if (window.__probe.done.length || !window.__probe.name) return;
  if (document.querySelector('[data-testid=image-card][data-status=done][data-filename="' + window.__probe.name + '"]'))
    window.__probe.done.push([performance.now(), 1]);
}).observe(document, { subtree: true, childList: true, attributes: true });
window.__dropMany = async (url, names) => {
  const blob = await (await fetch(url)).blob();
  const data = new DataTransfer();
  for (const name of names) data.items.add(new File([blob], name, { type: 'image/jpeg' }));
  const target = document.querySelector('[data-testid=drop-zone]');
  for (const type of ['dragenter', 'dragover', 'drop'])
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
};
window.__drop = async (url, name) => {
  window.__probe.name = name;
  const blob = await (await fetch(url)).blob();
  const file = new File([blob], name, { type: 'image/jpeg' });
  let target = null;
  while (!(target = document.querySelector('[data-testid=drop-zone]'))) await new Promise((r) => setTimeout(r, 5));
  const data = new DataTransfer();
  data.items.add(file);
  for (const type of ['dragenter', 'dragover', 'drop'])
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
};
`;

interface Visit {
  firstTop3Ms: number | null;
  /** `--warm-batch`: ms from the first top-3 to the batch's last answer */
  batchMs?: number;
  longestTaskMs: number;
  startup: string;
  /** the dropped photo's card: each status and when it came (ms since navigation) */
  photoSteps: string;
  /** each worker the page made (page time) and when the inference worker got the load */
  workers: string;
  engine: string | null;
}

/**
 * When the inference worker got the load, in page time: the ready message's page time less the
 * worker's own time for its last step (the message's trip back is left in).
 */
function loadReceived(ready: [number, string] | undefined): string {
  const steps = ready ? [...ready[1].matchAll(/ (\d+) ms/g)] : [];
  const last = steps.at(-1);
  return ready && last ? ` · load received ≈ ${Math.round(ready[0] - Number(last[1]))} ms` : '';
}

function serve(dir: string, port: number): Promise<ChildProcess> {
  return servePreview(ROOT, dir, port);
}

async function visitPair(browser: Browser, origin: string, photo: string): Promise<Visit[]> {
  const context = await browser.newContext({
    baseURL: origin,
    ...(blockServiceWorker ? { serviceWorkers: 'block' as const } : {}),
  });
  await context.addInitScript(PROBE);
  const page = await context.newPage();
  if (process.env.PROBE_CONSOLE) {
    page.on('console', (m) => {
      if (m.text().startsWith('[t]')) console.log(`  console: ${m.text()}`);
    });
    page.on('worker', (w) =>
      w.on('console', (m) => {
        if (m.text().startsWith('[t]')) console.log(`  worker console: ${m.text()}`);
      }),
    );
  }
  const visits: Visit[] = [];
  try {
    for (const [k, name] of (coldOnly ? ['cold.jpg'] : ['cold.jpg', 'warm.jpg']).entries()) {
      if (k === 0) await page.goto(`/${query}`);
      else await page.reload();
      await page.evaluate(
        ([u, n]) =>
          (window as never as { __drop: (u: string, n: string) => Promise<void> }).__drop(u, n),
        [photo, name] as const,
      );
      await page.waitForFunction(
        () => (window as never as { __probe: { done: unknown[] } }).__probe.done.length > 0,
        null,
        { timeout: 300_000 },
      );
      // PROBE_MORE=N: N more photos one at a time after the first answer, each with the worker's
      // own time (is the first photo's time its own, or does every photo take it?)
      for (let i = 1; i <= Number(process.env.PROBE_MORE ?? 0); i++) {
        const name = `more-${k}-${i}.jpg`;
        await page.evaluate(`window.__drop(${JSON.stringify(photo)}, ${JSON.stringify(name)})`);
        const card = page.locator(
          `[data-testid=image-card][data-status=done][data-filename="${name}"]`,
        );
        await card.waitFor({ timeout: 120_000 });
        const text = (await card.textContent()) ?? '';
        console.log(`  photo ${i + 1} after the first: worker ${/(\d+) ms on/.exec(text)?.[1]} ms`);
      }
      let batchMs: number | undefined;
      if (k === 1 && warmBatch > 0) {
        const start = Date.now();
        const names = Array.from({ length: warmBatch }, (_, i) => `batch-${i}.jpg`);
        await page.evaluate(
          `window.__dropMany(${JSON.stringify(photo)}, ${JSON.stringify(names)})`,
        );
        // Polled from here: a string predicate would be eval'd in the page, which its CSP forbids.
        const count = `document.querySelectorAll('[data-testid=image-card][data-status=done][data-filename^="batch-"]').length`;
        const until = Date.now() + 600_000;
        while (Number(await page.evaluate(count)) < warmBatch && Date.now() < until) {
          await page.waitForTimeout(100);
        }
        batchMs = Date.now() - start;
      }
      if (k === 0 && !coldOnly && !blockServiceWorker) {
        await page
          .locator('[data-testid=offline-status][data-state=ready]')
          .waitFor({ timeout: 300_000 })
          .catch(() => undefined);
      }
      if (k === 0 && !coldOnly) {
        // The return visit is meant to find the folded copy: wait until its record is written.
        const kept = (): Promise<boolean> =>
          page.evaluate(
            () =>
              new Promise<boolean>((done) => {
                const req = indexedDB.open('inception-lens-folded');
                req.onupgradeneeded = () => req.transaction?.abort();
                req.onerror = () => done(false);
                req.onsuccess = () => {
                  const db = req.result;
                  if (!db.objectStoreNames.contains('entries')) return done(false);
                  const keys = db.transaction('entries').objectStore('entries').getAllKeys();
                  keys.onsuccess = () =>
                    done(
                      keys.result.some(
                        (key) => typeof key === 'string' && key.startsWith('entry:'),
                      ),
                    );
                  keys.onerror = () => done(false);
                };
              }),
          );
        const until = Date.now() + 300_000;
        while (!(await kept()) && Date.now() < until) await page.waitForTimeout(1000);
        if (!(await kept())) console.log('  (no folded copy kept within 300 s)');
        // Whether the .tflite LiteRT.js was chosen with is kept too (a string: see the bench's
        // timeSimilarClick on why no named function may go into page code from here).
        const tflite = await page.evaluate(`new Promise((done) => {
          const req = indexedDB.open('inception-lens-tflite');
          req.onupgradeneeded = () => req.transaction.abort();
          req.onerror = () => done('none');
          req.onsuccess = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains('entries')) return done('none');
            const keys = db.transaction('entries').objectStore('entries').getAllKeys();
            keys.onsuccess = () => done(keys.result.some((k) => String(k).startsWith('entry:')) ? 'kept' : 'none');
          };
        })`);
        console.log(`  .tflite for the return visit: ${String(tflite)}`);
      }
      // Give background work (engine choice) its time before reading the long tasks.
      await page.waitForTimeout(k === 0 ? 5_000 : 2_000);
      const probe = await page.evaluate(
        () =>
          (
            window as never as {
              __probe: {
                longTasks: [number, number][];
                done: [number, number][];
                startup: [number, string][];
                steps: [number, string][];
                workers: [number, string][];
              };
            }
          ).__probe,
      );
      visits.push({
        firstTop3Ms: probe.done[0]?.[0] ?? null,
        ...(batchMs !== undefined ? { batchMs } : {}),
        longestTaskMs: probe.longTasks.reduce((m, [, d]) => Math.max(m, d), 0),
        startup: probe.startup.map(([t, s]) => `${s} (page ${Math.round(t)} ms)`).join(' | '),
        photoSteps: probe.steps.map(([t, s]) => `${s} ${t}`).join(' → '),
        workers: `${probe.workers.map(([t, name]) => `${name} made at ${t} ms`).join(', ')}${loadReceived(probe.startup[0])}`,
        engine: await page.getByTestId('model-status').getAttribute('data-engine'),
      });
      if (process.env.PROBE_FRAMES) {
        const frames = await page.evaluate(
          () => (window as never as { __probe: { frames: unknown[] } }).__probe.frames,
        );
        console.log(`  long frames (${k === 0 ? 'cold' : 'warm'}): ${JSON.stringify(frames)}`);
      }
    }
  } finally {
    await context.close();
  }
  return visits;
}

async function main(): Promise<void> {
  const servers = await Promise.all(builds.map((b) => serve(b.dir, b.port)));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? builds : [...builds].reverse();
      for (const b of order) {
        const photos = readdirSync(join(b.dir, 'bench-photos'));
        const load = os.loadavg()[0]?.toFixed(1);
        const [cold, warm] = await visitPair(
          browser,
          `http://127.0.0.1:${b.port}`,
          `/bench-photos/${photos[0]}`,
        );
        console.log(
          `round ${r + 1} ${b.dir.split('/').pop()} (load ${load}): cold ${cold?.firstTop3Ms?.toFixed(0)} ms, longest task ${cold?.longestTaskMs.toFixed(0)} ms, engine ${cold?.engine}; ` +
            `warm ${warm?.firstTop3Ms?.toFixed(0)} ms, longest task ${warm?.longestTaskMs.toFixed(0)} ms, engine ${warm?.engine}` +
            (warm?.batchMs !== undefined
              ? `; then ${warmBatch} photos in ${warm.batchMs} ms`
              : '') +
            `\n  cold: ${cold?.startup}\n  cold photo: ${cold?.photoSteps}\n  cold workers: ${cold?.workers}` +
            `\n  warm: ${warm?.startup}\n  warm photo: ${warm?.photoSteps}`,
        );
      }
    }
  } finally {
    await browser.close();
    for (const s of servers) s.kill();
  }
}

void main();
