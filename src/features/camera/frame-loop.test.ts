import { describe, expect, it } from 'vitest';
import { FpsMeter, runFrameLoop } from './frame-loop';

describe('FpsMeter', () => {
  it('reports 0 until two frames finished, then frames per second over the window', () => {
    const meter = new FpsMeter(1000);
    expect(meter.fps()).toBe(0);
    meter.tick(0);
    expect(meter.fps()).toBe(0);
    meter.tick(100);
    meter.tick(200);
    expect(meter.fps()).toBeCloseTo(10);
  });

  it('forgets frames older than its window', () => {
    const meter = new FpsMeter(1000);
    for (let t = 0; t <= 1000; t += 100) meter.tick(t); // 10 fps
    meter.tick(3000); // a long stall: only this and nothing within 1 s before it
    expect(meter.fps()).toBe(0);
    meter.tick(3500);
    expect(meter.fps()).toBeCloseTo(2);
  });
});

describe('runFrameLoop', () => {
  it('never classifies two frames at once; frames arriving meanwhile are dropped', async () => {
    const controller = new AbortController();
    let clock = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let grabbed = 0;
    let ticks = 0;
    const results: number[] = [];
    // The "video" offers a frame every tick; classifying takes three ticks.
    const waiters: (() => void)[] = [];
    const tick = () => {
      ticks += 1;
      clock += 10;
      waiters.splice(0).forEach((w) => w());
    };
    const loop = runFrameLoop<number, number>(
      {
        nextFrame: () => new Promise((r) => waiters.push(r)),
        grab: () => ++grabbed,
        classify: async (frame) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          const until = ticks + 3;
          while (ticks < until) await new Promise<void>((r) => waiters.push(r));
          inFlight -= 1;
          return frame * 10;
        },
        onResult: (r) => results.push(r),
        onError: () => false,
        now: () => clock,
      },
      controller.signal,
    );
    for (let i = 0; i < 40; i++) {
      tick();
      await Promise.resolve();
      await Promise.resolve();
    }
    controller.abort();
    tick();
    await loop;
    expect(maxInFlight).toBe(1);
    expect(results.length).toBeGreaterThan(3);
    // far fewer frames were grabbed than the video offered: the rest were dropped
    expect(grabbed).toBeLessThan(ticks / 2);
    expect(results).toEqual(results.map((_, i) => (i + 1) * 10));
  });

  it('skips ticks with no frame, stops on abort, and stops on an error it is told to', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    let calls = 0;
    await runFrameLoop<number, number>(
      {
        nextFrame: () => Promise.resolve(),
        grab: () => (++calls < 3 ? null : calls),
        classify: () => Promise.reject(new Error('no model')),
        onResult: () => {
          throw new Error('no result expected');
        },
        onError: (e) => {
          seen.push(e);
          return false;
        },
        now: () => 0,
      },
      controller.signal,
    );
    expect(calls).toBe(3);
    expect(seen).toHaveLength(1);

    controller.abort();
    let grabbedAfterAbort = false;
    await runFrameLoop<number, number>(
      {
        nextFrame: () => Promise.resolve(),
        grab: () => {
          grabbedAfterAbort = true;
          return 1;
        },
        classify: () => Promise.resolve(1),
        onResult: () => undefined,
        onError: () => true,
        now: () => 0,
      },
      controller.signal,
    );
    expect(grabbedAfterAbort).toBe(false);
  });
});
