/**
 * A probe for the photo library's folder pick (issue 13): writes `--files=N` copies of a shared
 * photo in nested folders (plus three hidden files that must not count), serves the build, picks
 * the folder through `input[webkitdirectory]` with a model loaded, and prints the main thread's
 * long tasks (Long Tasks API) of the first `--seconds` after the pick and when `library-count`'s
 * `data-total` reached N. It does not wait for the photos to be classified. With `--profile` it
 * also prints the functions with the most self time in that window (CDP profiler).
 *
 * `npx tsx scripts/probe-folder-pick.ts --files=5000 [--seconds=8] [--port=24402] [--profile]
 * [--model=/work/shared/models/mobilenet_v1_0.75_224] [--dist=dist] [--profile-out=FILE]`; `npm run build`
 * first (`npx vite build --minify false --outDir dist-probe` keeps the function names readable).
 */
import { chromium } from '@playwright/test';
import {
  cpSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../playwright.config';
import { servePreview } from './bench/serve-preview';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : 'true';
}

/** The parts of a Long Animation Frame entry the probe reads (not yet in TypeScript's DOM types). */
interface LongFrame {
  startTime: number;
  duration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: {
    duration: number;
    forcedStyleAndLayoutDuration: number;
    invoker: string;
    sourceFunctionName: string;
    sourceURL: string;
    sourceCharPosition: number;
  }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  const files = Number(arg('files') ?? 5000);
  const seconds = Number(arg('seconds') ?? 8);
  const port = Number(arg('port') ?? 24402);
  const dist = resolve(ROOT, arg('dist') ?? 'dist');
  const shared = resolve(process.env.INCEPTION_LENS_SHARED ?? join(ROOT, '..', 'shared'));
  const model = resolve(arg('model') ?? join(shared, 'models', 'mobilenet_v1_0.75_224'));
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no build in ${dist}: npm run build`);
  cpSync(model, join(dist, 'models', 'pick-probe'), { recursive: true });

  const tmp = mkdtempSync(join(os.tmpdir(), 'lens-pick-probe-'));
  const root = join(tmp, 'photos');
  const source = join(shared, 'photos', 'dog.jpg');
  for (let n = 0; n < files; n++) {
    const folder = join(root, `set-${n % 7}`, `day-${n % 13}`);
    mkdirSync(folder, { recursive: true });
    copyFileSync(source, join(folder, `photo-${n}.jpg`));
  }
  mkdirSync(join(root, '.thumbs'), { recursive: true });
  writeFileSync(join(root, '.DS_Store'), 'not a photo');
  copyFileSync(source, join(root, '.hidden.jpg'));
  copyFileSync(source, join(root, '.thumbs', 'cached.jpg'));

  const server = await servePreview(ROOT, dist, port);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __tasks: { at: number; ms: number }[] };
      w.__tasks = [];
      // When the folder's change event reached the page, and how long its handlers took: to tell
      // the page's own work from the browser's making of the file list before it.
      const marks: Record<string, number> = {};
      (window as unknown as { __marks: Record<string, number> }).__marks = marks;
      document.addEventListener(
        'change',
        () => {
          marks.changeAt = performance.now();
          setTimeout(() => (marks.changeTaskEndAt = performance.now()), 0);
        },
        true,
      );
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__tasks.push({ at: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      // Long animation frames say what a long task was made of: each script's entry point
      // (invoker), its function and file, and the frame's style, layout and paint.
      const frames: unknown[] = [];
      (window as unknown as { __frames: unknown[] }).__frames = frames;
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as unknown as LongFrame[]) {
            frames.push({
              at: e.startTime,
              ms: e.duration,
              renderMs: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
              styleLayoutMs: e.styleAndLayoutStart
                ? e.startTime + e.duration - e.styleAndLayoutStart
                : 0,
              scripts: e.scripts.map((s) => ({
                ms: Math.round(s.duration),
                forcedLayoutMs: Math.round(s.forcedStyleAndLayoutDuration),
                invoker: s.invoker,
                fn: s.sourceFunctionName,
                at: `${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}`,
              })),
            });
          }
        }).observe({ type: 'long-animation-frame', buffered: true });
      } catch {
        // not in this browser: the long tasks above still say how long, not what
      }
    });
    await page.goto(
      `${origin}/?model=${encodeURIComponent(`${origin}/models/pick-probe/model.json`)}`,
    );
    await page
      .locator('[data-testid=model-status][data-state=ready]')
      .waitFor({ timeout: Number(arg('model-timeout') ?? 300_000) })
      .catch(async (e: unknown) => {
        const status = page.getByTestId('model-status');
        console.error(await status.getAttribute('data-state'), await status.textContent());
        throw e;
      });
    await page.waitForTimeout(1500); // let the model's own start-up tasks pass
    const cdp = await page.context().newCDPSession(page);
    if (arg('profile')) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const pickAt = await page.evaluate(() => performance.now());
    const wall = Date.now();
    await page.locator('input[type=file][webkitdirectory]').setInputFiles(root);
    const setMs = Date.now() - wall;
    await page
      .locator(`[data-testid=library-count][data-total="${files}"]`)
      .waitFor({ state: 'attached', timeout: 300_000 });
    const totalMs = Date.now() - wall;
    const left = seconds * 1000 - (Date.now() - wall);
    if (left > 0) await page.waitForTimeout(left);
    const total = await page.getByTestId('library-count').getAttribute('data-total');
    const tasks = await page.evaluate(
      (from) =>
        (window as unknown as { __tasks: { at: number; ms: number }[] }).__tasks
          .filter((t) => t.at >= from)
          .map((t) => ({ atMs: Math.round(t.at - from), ms: Math.round(t.ms) })),
      pickAt,
    );
    tasks.sort((a, b) => b.ms - a.ms);
    const marks = await page.evaluate(
      (from) =>
        Object.fromEntries(
          Object.entries((window as unknown as { __marks: Record<string, number> }).__marks).map(
            ([k, v]) => [k, Math.round(v - from)],
          ),
        ),
      pickAt,
    );
    console.log(
      JSON.stringify(
        {
          files,
          setInputFilesMs: setMs,
          totalShownAfterMs: totalMs,
          dataTotal: Number(total),
          longestTaskMs: tasks[0]?.ms ?? 0,
          // the task the change event fell in also holds the browser's making of the file list
          taskWithChange: tasks.find(
            (t) => t.atMs <= (marks.changeAt ?? 0) && t.atMs + t.ms >= (marks.changeAt ?? 0),
          ),
          longestAfterChangeMs: Math.max(
            0,
            ...tasks.filter((t) => t.atMs > (marks.changeAt ?? Infinity)).map((t) => t.ms),
          ),
          marks,
          longTasks: tasks.slice(0, 8),
          longFrames: await page.evaluate(
            (from) =>
              ((window as unknown as { __frames: { at: number; ms: number }[] }).__frames ?? [])
                .filter((f) => f.at >= from)
                .sort((a, b) => b.ms - a.ms)
                .slice(0, 6)
                .map((f) => ({ ...f, at: Math.round(f.at - from), ms: Math.round(f.ms) })),
            pickAt,
          ),
          load: os.loadavg().map((l) => Number(l.toFixed(2))),
        },
        null,
        2,
      ),
    );
    if (arg('profile')) {
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
        profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
      };
      // The whole profile, for a closer look (e.g. Chromium's DevTools, or a script of your own).
      const profileOut = arg('profile-out');
      if (profileOut) writeFileSync(profileOut, JSON.stringify(profile));
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, i) => {
        const frame = byId.get(id)!.callFrame;
        const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
      for (const [key, ms] of top) console.log(`${ms.toFixed(0).padStart(7)} ms  ${key}`);
    }
  } finally {
    await browser.close();
    server.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
