/**
 * Calls a function once things go quiet: every `poke()` pushes the call `idleMs` later, so a burst
 * of pokes (a photo kept every few hundred milliseconds) ends in one call after the last of them.
 */
export interface IdleCall {
  /** something happened: call once nothing more happens for `idleMs` */
  poke(): void;
  /** forgets a pending call */
  cancel(): void;
}

/** Makes an {@link IdleCall} of `fn` (timers injectable for tests). */
export function idleCall(
  fn: () => void,
  idleMs: number,
  timers: {
    set: (f: () => void, ms: number) => ReturnType<typeof setTimeout>;
    clear: (t: ReturnType<typeof setTimeout>) => void;
  } = { set: (f, ms) => setTimeout(f, ms), clear: (t) => clearTimeout(t) },
): IdleCall {
  let pending: ReturnType<typeof setTimeout> | null = null;
  const cancel = (): void => {
    if (pending !== null) timers.clear(pending);
    pending = null;
  };
  return {
    poke() {
      cancel();
      pending = timers.set(() => {
        pending = null;
        fn();
      }, idleMs);
    },
    cancel,
  };
}
