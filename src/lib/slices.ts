/**
 * Long loops on the page taken in short slices, with a yield to the event loop between them, so no
 * main-thread task grows long (input, rendering and the other tasks run between slices). The
 * folder pick of the photo library uses it: each photo's `File.size` / `lastModified` costs a
 * synchronous round trip to the browser process (~0.5 ms), 2 s for 2,000 photos in one task.
 */

/** How long one slice may work before it yields, by default: well under a 50 ms long task. */
export const SLICE_BUDGET_MS = 8;

/**
 * How long slices may follow each other before one waits for a frame, by default. A
 * `scheduler.yield()` continuation runs ahead of rendering, so back-to-back slices drew no frame
 * until Chromium's rendering-starvation guard (frames of 87–169 ms, seen in the folder-pick
 * probe's long-animation-frame record); waiting for a frame every ~50 ms keeps frames under that.
 */
export const FRAME_EVERY_MS = 48;

/** The longest a frame wait lasts: a tab hidden during the wait draws no frame at all. */
const FRAME_WAIT_LIMIT_MS = 100;

/**
 * Lets the event loop run: `scheduler.yield()` where the browser has it, else a MessageChannel
 * message (a new task without `setTimeout`'s 4 ms clamp once timeouts nest).
 */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof MessageChannel === 'undefined') {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Resolves after the browser has had the chance to draw a frame: in a task queued from an
 * animation-frame callback (so after that frame's rendering), or after
 * {@link FRAME_WAIT_LIMIT_MS} whatever happens (a hidden tab runs no animation frames). Where
 * there is no document or `requestAnimationFrame` (a worker, tests), it is a plain yield.
 */
export function waitForFrame(): Promise<void> {
  const doc = (globalThis as { document?: { visibilityState?: string } }).document;
  if (typeof requestAnimationFrame !== 'function' || !doc || doc.visibilityState === 'hidden') {
    return yieldToEventLoop();
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      cancelAnimationFrame(frame);
      resolve();
    };
    const limit = setTimeout(finish, FRAME_WAIT_LIMIT_MS);
    // The callback runs before the frame is drawn; the task it queues runs after.
    const frame = requestAnimationFrame(() => setTimeout(finish, 0));
  });
}

/** How {@link inSlices} is timed and stopped. */
export interface SliceOptions {
  /** work per slice before yielding (default {@link SLICE_BUDGET_MS}) */
  budgetMs?: number;
  /** the clock (default `performance.now`) */
  now?: () => number;
  /** what a yield is (default {@link yieldToEventLoop}) */
  yieldNow?: () => Promise<void>;
  /**
   * slices may follow each other this long before a yield waits for a frame instead (default
   * {@link FRAME_EVERY_MS})
   */
  frameEveryMs?: number;
  /** what waiting for a frame is (default {@link waitForFrame}) */
  frameNow?: () => Promise<void>;
  /** checked before each item: once true, no more items are worked on */
  stopped?: () => boolean;
}

/**
 * Runs `work` on each item in order, in slices of about `budgetMs` (at least one item each),
 * yielding between slices — and waiting for a frame instead once slices have followed each other
 * for `frameEveryMs` — ; `onSlice` gets each slice's results (and whether it is the last) in the
 * same task as the slice. Resolves with the number of items worked on (fewer when stopped).
 */
export async function inSlices<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => R,
  onSlice: (results: R[], last: boolean) => void,
  options: SliceOptions = {},
): Promise<number> {
  const budget = options.budgetMs ?? SLICE_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const yieldNow = options.yieldNow ?? yieldToEventLoop;
  const frameEvery = options.frameEveryMs ?? FRAME_EVERY_MS;
  const frameNow = options.frameNow ?? waitForFrame;
  let i = 0;
  let sinceFrame = now();
  while (i < items.length) {
    if (options.stopped?.()) return i;
    const start = now();
    const results: R[] = [];
    do {
      results.push(work(items[i]!, i));
      i += 1;
    } while (i < items.length && now() - start < budget && !options.stopped?.());
    onSlice(results, i >= items.length);
    if (i >= items.length) break;
    if (now() - sinceFrame >= frameEvery) {
      await frameNow();
      sinceFrame = now();
    } else {
      await yieldNow();
    }
  }
  return i;
}
