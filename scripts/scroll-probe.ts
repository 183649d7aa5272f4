/**
 * Traces the library grid's first scrolls (a Chromium trace with the rendering categories, which
 * a CPU profile cannot show) and prints, for each wheel, the longest main-thread task after it and
 * what it spent its time on: the events' script, style, layout (text shaping within it), pre-paint,
 * paint and commit, in ms. Not part of `npm run bench`; times are measurements, never assertions.
 *
 *   npx tsx scripts/scroll-probe.ts <dist> [photos=400] [wheels=4]     (TREE=1: the first as a tree)
 *
 * `<dist>` is a build (`npm run build`); the bench's InceptionV3 fixture (e2e/.fixtures) is copied
 * into it, and a generated folder of `photos` photos is picked; tracing starts after 16 results.
 */
import { chromium } from '@playwright/test';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { writePhotoLibrary } from '../e2e/photo-library-fixture';
import { CHROMIUM_ARGS } from '../playwright.config';
import { servePreview } from './bench/serve-preview';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: Record<string, unknown>;
}

/** Prints events (0.5 ms or longer) as the tree their times nest into, with their arguments. */
function printTree(inside: TraceEvent[]): void {
  const sorted = inside
    .filter((e) => (e.dur ?? 0) >= 500)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: TraceEvent[] = [];
  const endOf = (e: TraceEvent): number => e.ts + (e.dur ?? 0);
  for (const e of sorted) {
    while (stack.length > 0 && endOf(stack[stack.length - 1]!) < endOf(e)) stack.pop();
    const args =
      e.args && Object.keys(e.args).length > 0 ? ` ${JSON.stringify(e.args).slice(0, 160)}` : '';
    console.log(`${'  '.repeat(stack.length)}${e.name} ${((e.dur ?? 0) / 1000).toFixed(1)}${args}`);
    stack.push(e);
  }
}

async function main(): Promise<void> {
  const root = resolve('.');
  const dist = resolve(process.argv[2] ?? 'dist');
  const size = Number(process.argv[3] ?? 400);
  const wheels = Number(process.argv[4] ?? 4);
  const port = Number(process.env.LENS_PREVIEW_PORT ?? 4573);
  const shared = resolve(process.env.INCEPTION_LENS_SHARED ?? '../shared');
  cpSync(join(root, 'e2e/.fixtures/inception-v3-nsfwjs'), join(dist, 'models', 'library-bench'), {
    recursive: true,
  });
  const tmp = mkdtempSync(join(os.tmpdir(), 'lens-scroll-probe-'));
  const library = writePhotoLibrary(
    join(tmp, 'photos'),
    ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'].map((f) => join(shared, 'photos', f)),
    size,
    320,
  );
  const server = await servePreview(root, dist, port);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const origin = `http://127.0.0.1:${port}`;
    await page.goto(
      `${origin}/?model=${encodeURIComponent(`${origin}/models/library-bench/model.json`)}`,
    );
    await page
      .locator('[data-testid=model-status][data-state=ready]')
      .waitFor({ timeout: 300_000 });
    await page.locator('input[type=file][webkitdirectory]').setInputFiles(library.root);
    const count = page.getByTestId('library-count');
    while (Number(await count.getAttribute('data-done')) < 16) await page.waitForTimeout(200);
    const tracePath = join(tmp, 'trace.json');
    await browser.startTracing(page, {
      path: tracePath,
      categories: [
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'toplevel',
        'blink',
        'v8.execute',
        'blink.user_timing',
      ],
    });
    for (let i = 0; i < wheels; i++) {
      await page.evaluate((n) => performance.mark(`probe-wheel-${n}`), i);
      await page.mouse.wheel(0, 900);
      await page.waitForTimeout(700);
    }
    await browser.stopTracing();
    const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as
      { traceEvents: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(trace) ? trace : trace.traceEvents;
    const mainThreads = new Set(
      events
        .filter((e) => e.name === 'thread_name' && (e.args?.name as string) === 'CrRendererMain')
        .map((e) => `${e.pid}:${e.tid}`),
    );
    const onMain = events.filter((e) => mainThreads.has(`${e.pid}:${e.tid}`) && e.ph === 'X');
    const marks = events
      .filter((e) => e.name.startsWith('probe-wheel-'))
      .sort((a, b) => a.ts - b.ts)
      .map((e) => e.ts);
    const tasks = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
    const sum = (inside: TraceEvent[], test: (e: TraceEvent) => boolean): number =>
      inside.filter(test).reduce((total, e) => total + (e.dur ?? 0), 0) / 1000;
    const rows: string[] = [];
    marks.forEach((mark, i) => {
      const until = marks[i + 1] ?? Infinity;
      const window = tasks.filter((t) => t.ts >= mark && t.ts < until);
      const task = window.reduce<TraceEvent | undefined>(
        (a, b) => (a && (a.dur ?? 0) >= (b.dur ?? 0) ? a : b),
        undefined,
      );
      if (!task) return;
      const end = task.ts + (task.dur ?? 0);
      const inside = onMain.filter((e) => e.ts >= task.ts && e.ts < end);
      const parts = {
        task: (task.dur ?? 0) / 1000,
        // the wheel and scroll events' listeners (React's render, when it runs inside them)
        events: sum(inside, (e) => e.name === 'EventDispatch'),
        style: sum(inside, (e) => e.name === 'UpdateLayoutTree'),
        layout: sum(inside, (e) => e.name === 'Layout'),
        shaping: sum(inside, (e) => e.name === 'InlineNode::ShapeTextIncludingFirstLine'),
        prepaint: sum(inside, (e) => e.name === 'PrePaint'),
        paint: sum(inside, (e) => e.name === 'LocalFrameView::RunPaintLifecyclePhase'),
        commit: sum(inside, (e) => e.name === 'Commit'),
      };
      if (process.env.TREE && i === 0) printTree(inside);
      rows.push(
        `wheel ${i + 1}: ` +
          Object.entries(parts)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(' · '),
      );
    });
    console.log(rows.join('\n'));
    console.log(`load ${os.loadavg()[0]!.toFixed(2)}; wheels at ${marks.length}`);
  } finally {
    await browser.close();
    server.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
