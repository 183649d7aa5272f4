import { describe, expect, test } from 'vitest';
import { fasterThreadCount, ThreadTrial, trialSchedule } from './thread-trial';

describe('fasterThreadCount', () => {
  test('the count with the lower median wins', () => {
    const samples = [
      { threads: 2, ms: 250 },
      { threads: 1, ms: 380 },
      { threads: 1, ms: 370 },
      { threads: 2, ms: 900 }, // one disturbed photo does not decide it
      { threads: 2, ms: 260 },
      { threads: 1, ms: 390 },
    ];
    expect(fasterThreadCount(samples)).toBe(2);
  });

  test('on a busy machine one thread wins', () => {
    const samples = [
      { threads: 2, ms: 820 },
      { threads: 1, ms: 375 },
      { threads: 1, ms: 380 },
      { threads: 2, ms: 1050 },
      { threads: 2, ms: 700 },
      { threads: 1, ms: 362 },
    ];
    expect(fasterThreadCount(samples)).toBe(1);
  });

  test('one thread must be at least 10 % faster: noise does not take the threads away', () => {
    const pair = (all: number, one: number) =>
      fasterThreadCount([
        { threads: 4, ms: all },
        { threads: 1, ms: one },
      ]);
    expect(pair(400, 380)).toBe(4);
    expect(pair(400, 361)).toBe(4);
    expect(pair(400, 360)).toBe(1);
    expect(fasterThreadCount([])).toBe(1);
    expect(fasterThreadCount([{ threads: 4, ms: 1 }])).toBe(4);
  });
});

describe('ThreadTrial', () => {
  function harness(msFor: (threads: number) => number, failOn?: number) {
    let clock = 0;
    let threads = 4;
    const switches: number[] = [];
    const decisions: number[] = [];
    const trial = new ThreadTrial(4, {
      setThreads: (n) => {
        switches.push(n);
        if (n === failOn) return false;
        threads = n;
        return true;
      },
      decided: (n) => decisions.push(n),
      now: () => clock,
    });
    const infer = () => {
      clock += msFor(threads);
      return Promise.resolve(threads);
    };
    return { trial, infer, switches, decisions, threads: () => threads };
  }

  test('runs the ABBAAB schedule, then keeps the faster count', async () => {
    const h = harness((t) => (t === 1 ? 300 : 200));
    const used: number[] = [];
    for (let i = 0; i < 8; i++) used.push(await h.trial.run(h.infer));
    expect(used).toEqual([...trialSchedule(4), 4, 4]);
    expect(h.decisions).toEqual([4]);
    expect(h.trial.result).toBe(4);
    // 4→1, 1→4, 4→1, then back to the winner: four pools at most
    expect(h.switches).toEqual([1, 4, 1, 4]);
  });

  test('when one thread is faster it stays on one thread', async () => {
    const h = harness((t) => (t === 1 ? 300 : 700));
    for (let i = 0; i < 7; i++) await h.trial.run(h.infer);
    expect(h.decisions).toEqual([1]);
    expect(h.threads()).toBe(1);
    expect(h.switches).toEqual([1, 4, 1]);
  });

  test('a backend that cannot switch ends the trial on the threads it has', async () => {
    const h = harness(() => 100, 1);
    expect(await h.trial.run(h.infer)).toBe(4);
    expect(await h.trial.run(h.infer)).toBe(4);
    expect(h.trial.result).toBe(4);
    expect(h.switches).toEqual([1]);
  });

  test('an inference that fails is passed on and not counted', async () => {
    const h = harness(() => 100);
    await expect(h.trial.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(h.trial.result).toBeNull();
    for (let i = 0; i < 6; i++) await h.trial.run(h.infer);
    expect(h.trial.result).not.toBeNull();
  });
});
