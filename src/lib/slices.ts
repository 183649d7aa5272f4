/**
 * Long loops on the page taken in short slices, with a yield to the event loop between them, so no
 * main-thread task grows long (input, rendering and the other tasks run between slices). The
 * folder pick of the photo library uses it: each photo's `File.size` / `lastModified` costs a
 * synchronous round trip to the browser process (~0.5 ms), 2 s for 2,000 photos in one task.
 */

/** How long one slice may work before it yields, by default: well under a 50 ms long task. */
export const SLICE_BUDGET_MS = 8;

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

/** How {@link inSlices} is timed and stopped. */
export interface SliceOptions {
  /** work per slice before yielding (default {@link SLICE_BUDGET_MS}) */
  budgetMs?: number;
  /** the clock (default `performance.now`) */
  now?: () => number;
  /** what a yield is (default {@link yieldToEventLoop}) */
  yieldNow?: () => Promise<void>;
  /** checked before each item: once true, no more items are worked on */
  stopped?: () => boolean;
}

/**
 * Runs `work` on each item in order, in slices of about `budgetMs` (at least one item each),
 * yielding between slices; `onSlice` gets each slice's results (and whether it is the last) in the
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
  let i = 0;
  while (i < items.length) {
    if (options.stopped?.()) return i;
    const start = now();
    const results: R[] = [];
    do {
      results.push(work(items[i]!, i));
      i += 1;
    } while (i < items.length && now() - start < budget && !options.stopped?.());
    onSlice(results, i >= items.length);
    if (i < items.length) await yieldNow();
  }
  return i;
}
