import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { idleCall } from './idle-call';

describe('idleCall', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a burst of pokes ends in one call, idleMs after the last', () => {
    const fn = vi.fn();
    const call = idleCall(fn, 1000);
    for (let i = 0; i < 50; i++) {
      call.poke();
      vi.advanceTimersByTime(300); // a result every 300 ms: never quiet for a second
    }
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(699);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(fn).toHaveBeenCalledTimes(1);
    call.poke();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  test('cancel forgets the pending call', () => {
    const fn = vi.fn();
    const call = idleCall(fn, 500);
    call.poke();
    call.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).not.toHaveBeenCalled();
  });
});
