/**
 * The live camera's classification loop, free of the DOM so it can be tested: at most one frame
 * is being classified at any time; frames that arrive meanwhile are never grabbed (dropped), so
 * nothing piles up in the worker however slow the model is.
 */

/** Frames per second over a sliding window of completed frames. */
export class FpsMeter {
  private readonly times: number[] = [];

  /** @param windowMs how far back completions count */
  constructor(private readonly windowMs = 2000) {}

  /** Records a frame finished at `now` (milliseconds). */
  tick(now: number): void {
    this.times.push(now);
    while (this.times.length > 0 && now - (this.times[0] ?? now) > this.windowMs)
      this.times.shift();
  }

  /** Frames per second, or 0 before two frames have finished within the window. */
  fps(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const span = (this.times[n - 1] ?? 0) - (this.times[0] ?? 0);
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }
}

/** What {@link runFrameLoop} needs from its surroundings. */
export interface FrameLoopDeps<F, R> {
  /** resolves when the next video frame may be grabbed (e.g. requestAnimationFrame) */
  nextFrame: () => Promise<void>;
  /** the current frame, or null when none is available yet (the video is not playing) */
  grab: () => F | null;
  /** classifies one frame; `signal` aborts it when the loop stops */
  classify: (frame: F, signal: AbortSignal) => Promise<R>;
  /** hears each result with the frame rate measured so far */
  onResult: (result: R, fps: number) => void;
  /** hears a failed frame; returning false stops the loop */
  onError: (error: unknown) => boolean;
  /** milliseconds, monotonic */
  now: () => number;
}

/**
 * Classifies frames one after another until `signal` aborts: grab, classify, report, wait for the
 * next video frame. Resolves when the loop has stopped; never has two classifications running.
 */
export async function runFrameLoop<F, R>(
  deps: FrameLoopDeps<F, R>,
  signal: AbortSignal,
): Promise<void> {
  const meter = new FpsMeter();
  while (!signal.aborted) {
    await deps.nextFrame();
    if (signal.aborted) break;
    const frame = deps.grab();
    if (frame === null) continue;
    try {
      const result = await deps.classify(frame, signal);
      if (signal.aborted) break;
      meter.tick(deps.now());
      deps.onResult(result, meter.fps());
    } catch (error) {
      if (signal.aborted) break;
      if (!deps.onError(error)) break;
    }
  }
}
