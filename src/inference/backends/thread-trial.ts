/**
 * More WASM threads are not always faster. On an idle multi-core machine they are; on a machine
 * whose cores are busy with other work, XNNPACK's threads wait on each other at every layer and a
 * photo can take twice as long as on one thread (measured on the 2-core build machine: see README,
 * Performance). So the thread count is chosen by measurement, for free, after every load: the first
 * photos run alternately on all threads and on one (ABBAAB, so a drifting load hits both alike),
 * and one thread stays only when it was clearly faster. Not remembered: how busy a machine is
 * changes from one session to the next. The effects are injected; this file holds the schedule and
 * the decision, unit-tested.
 */

/** The order of thread counts for the trial photos: A = all threads, B = one. */
export function trialSchedule(all: number): number[] {
  return [all, 1, 1, all, all, 1];
}

/** How much faster one thread must be (median) to be chosen over all of them. */
export const ONE_THREAD_MARGIN = 0.9;

/**
 * The count to keep, from per-photo times: one thread only when its median is at least 10 %
 * below the median on all threads (on an idle machine threads win; noise must not flip that).
 */
export function fasterThreadCount(samples: readonly { threads: number; ms: number }[]): number {
  const by = new Map<number, number[]>();
  for (const s of samples) by.set(s.threads, [...(by.get(s.threads) ?? []), s.ms]);
  const medians = [...by.entries()].map(([threads, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const m =
      sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    return { threads, median: m };
  });
  const one = medians.find((m) => m.threads === 1);
  const most = medians.reduce<{ threads: number; median: number } | null>(
    (a, m) => (a === null || m.threads > a.threads ? m : a),
    null,
  );
  if (!most) return 1;
  if (!one || most.threads === 1) return most.threads;
  return one.median <= most.median * ONE_THREAD_MARGIN ? 1 : most.threads;
}

/** What a trial needs from the outside. */
export interface TrialDeps {
  /** switches the running WASM backend to `threads` threads; false when it cannot */
  setThreads(threads: number): boolean;
  /** the trial's outcome, to remember */
  decided(threads: number, samples: { threads: number; ms: number }[]): void;
  now(): number;
}

/** Runs inferences through a trial; after the schedule is done, it is a plain pass-through. */
export class ThreadTrial {
  private readonly schedule: number[];
  private readonly samples: { threads: number; ms: number }[] = [];
  private current: number;
  /** the chosen count, once decided */
  result: number | null = null;

  constructor(
    all: number,
    private readonly deps: TrialDeps,
  ) {
    this.schedule = trialSchedule(all);
    this.current = all;
  }

  /** Runs one inference, on the count the schedule says, and times it. */
  async run<T>(infer: () => Promise<T>): Promise<T> {
    if (this.result !== null) return infer();
    const threads = this.schedule[this.samples.length] as number;
    if (threads !== this.current) {
      if (!this.deps.setThreads(threads)) {
        // The backend cannot switch (any more): keep what runs, no trial.
        this.result = this.current;
        return infer();
      }
      this.current = threads;
    }
    const start = this.deps.now();
    const value = await infer();
    this.samples.push({ threads, ms: this.deps.now() - start });
    if (this.samples.length === this.schedule.length) {
      let best = fasterThreadCount(this.samples);
      if (best !== this.current && !this.deps.setThreads(best)) best = this.current;
      this.current = best;
      this.result = best;
      this.deps.decided(best, [...this.samples]);
    }
    return value;
  }
}
