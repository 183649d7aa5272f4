import { describe, expect, test } from 'vitest';
import { inSlices, waitForFrame, yieldToEventLoop } from './slices';

/** A clock that moves 1 ms per item worked on, and a log of what happened in which order. */
function harness() {
  let t = 0;
  const log: string[] = [];
  return {
    log,
    now: () => t,
    work: (n: number) => {
      t += 1;
      log.push(`w${n}`);
      return n * 10;
    },
    yieldNow: () => {
      log.push('yield');
      return Promise.resolve();
    },
  };
}

describe('inSlices', () => {
  test('20 items of 1 ms each, 8 ms a slice: three slices with a yield between each', async () => {
    const h = harness();
    const slices: { results: number[]; last: boolean }[] = [];
    const items = Array.from({ length: 20 }, (_, i) => i);
    const count = await inSlices(items, h.work, (results, last) => slices.push({ results, last }), {
      budgetMs: 8,
      now: h.now,
      yieldNow: h.yieldNow,
    });
    expect(count).toBe(20);
    expect(slices.map((s) => s.results.length)).toEqual([8, 8, 4]);
    expect(slices.map((s) => s.last)).toEqual([false, false, true]);
    expect(slices.flatMap((s) => s.results)).toEqual(items.map((n) => n * 10));
    // never more than 8 items worked on between two yields; no yield after the last slice
    const runs = h.log.join(' ').split('yield');
    expect(runs).toHaveLength(3);
    for (const run of runs) expect(run.trim().split(' ').length).toBeLessThanOrEqual(8);
  });

  test('an item slower than the budget still makes progress: one item per slice', async () => {
    let t = 0;
    const sizes: number[] = [];
    await inSlices(
      [1, 2, 3],
      () => (t += 20),
      (r) => sizes.push(r.length),
      { budgetMs: 8, now: () => t, yieldNow: () => Promise.resolve() },
    );
    expect(sizes).toEqual([1, 1, 1]);
  });

  test('stops when told, between items', async () => {
    const h = harness();
    let seen = 0;
    const count = await inSlices(
      Array.from({ length: 30 }, (_, i) => i),
      (n) => {
        seen += 1;
        return h.work(n);
      },
      () => undefined,
      { budgetMs: 8, now: h.now, yieldNow: h.yieldNow, stopped: () => seen >= 10 },
    );
    expect(count).toBe(10);
    expect(seen).toBe(10);
  });

  test('nothing to do: no slice, no yield', async () => {
    const h = harness();
    let slices = 0;
    expect(await inSlices([], h.work, () => (slices += 1), { yieldNow: h.yieldNow })).toBe(0);
    expect(slices).toBe(0);
    expect(h.log).toEqual([]);
  });

  test('the real yield is a new task: microtasks queued after it run first', async () => {
    let micro = false;
    const seen = yieldToEventLoop().then(() => micro);
    queueMicrotask(() => (micro = true));
    expect(await seen).toBe(true);
  });

  test('slices that follow each other for 48 ms wait for a frame, not a plain yield', async () => {
    // 200 items of 1 ms, 8 ms slices: 25 slices, 24 pauses between them. Every sixth pause comes
    // after 48 ms of slices and must let a frame render; the others are plain yields.
    const h = harness();
    const frameNow = () => {
      h.log.push('frame');
      return Promise.resolve();
    };
    await inSlices(
      Array.from({ length: 200 }, (_, i) => i),
      h.work,
      () => undefined,
      { budgetMs: 8, now: h.now, yieldNow: h.yieldNow, frameNow, frameEveryMs: 48 },
    );
    const pauses = h.log.filter((e) => e === 'yield' || e === 'frame');
    expect(pauses).toHaveLength(24);
    expect(pauses.filter((e) => e === 'frame')).toHaveLength(4);
    // between two frame waits, at most 48 ms of work (48 items of 1 ms)
    for (const run of h.log.join(' ').split('frame')) {
      expect(run.split(' ').filter((e) => e.startsWith('w')).length).toBeLessThanOrEqual(48);
    }
  });

  test('the frame wait resolves after an animation frame, or after 100 ms when none comes', async () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { raf: g.requestAnimationFrame, caf: g.cancelAnimationFrame, doc: g.document };
    const frames: (() => void)[] = [];
    g.requestAnimationFrame = (cb: () => void) => frames.push(cb);
    g.cancelAnimationFrame = () => undefined;
    g.document = { visibilityState: 'visible' };
    try {
      let done = false;
      const wait = waitForFrame().then(() => (done = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(done).toBe(false); // a plain yield would have resolved by now
      expect(frames).toHaveLength(1);
      frames[0]!();
      await wait;
      expect(done).toBe(true);

      // no frame ever comes (the tab was hidden meanwhile): the limit resolves it
      const start = Date.now();
      await waitForFrame();
      expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    } finally {
      g.requestAnimationFrame = saved.raf;
      g.cancelAnimationFrame = saved.caf;
      g.document = saved.doc;
    }
  });
});
