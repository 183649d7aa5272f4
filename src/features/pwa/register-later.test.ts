// @vitest-environment happy-dom
/**
 * The service worker is registered only once the model has loaded (or failed), a few seconds
 * later, and once: its install precaches the whole build, which on a first visit competed with
 * the model's download and the first photo.
 */
import { act, createElement as h } from 'react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RegisterSWOptions } from 'vite-plugin-pwa/types';
import { useTestRoot } from '../../test/react-root';
import {
  REGISTER_DELAY_MS,
  registrationDue,
  useRegisterSWLater,
  type RegisterSW,
} from './register-later';

describe('registrationDue', () => {
  test('only once the model is ready or has failed', () => {
    expect(registrationDue('loading')).toBe(false);
    expect(registrationDue('warming')).toBe(false);
    expect(registrationDue('ready')).toBe(true);
    expect(registrationDue('error')).toBe(true);
  });
});

describe('useRegisterSWLater', () => {
  const dom = useTestRoot((n) => `blob:test-${n}`);
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setUp() {
    const calls: RegisterSWOptions[] = [];
    const applied: (boolean | undefined)[] = [];
    const register: RegisterSW = (options) => {
      calls.push(options);
      return (reload) => {
        applied.push(reload);
        return Promise.resolve();
      };
    };
    const seen: { needRefresh: boolean; update: (reload?: boolean) => Promise<void> }[] = [];
    const registered: string[] = [];
    function Probe({ due }: { due: boolean }) {
      const { needRefresh, updateServiceWorker } = useRegisterSWLater(due, register, {
        onRegisteredSW: (url) => registered.push(url),
      });
      seen.push({ needRefresh: needRefresh[0], update: updateServiceWorker });
      return null;
    }
    const render = (due: boolean) => act(() => dom.root.render(h(Probe, { due })));
    return { calls, applied, seen, registered, render };
  }

  test('registers nothing while the model loads, then once, a few seconds after it is ready', () => {
    const { calls, render } = setUp();
    render(false);
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(calls).toHaveLength(0);
    render(true);
    act(() => {
      vi.advanceTimersByTime(REGISTER_DELAY_MS - 1);
    });
    expect(calls).toHaveLength(0);
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.immediate).toBe(true);
    // another load (due false, then true again) registers nothing more
    render(false);
    render(true);
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(calls).toHaveLength(1);
  });

  test('a model that goes back to loading before the delay is up holds the registration back', () => {
    const { calls, render } = setUp();
    render(true);
    act(() => {
      vi.advanceTimersByTime(REGISTER_DELAY_MS / 2);
    });
    render(false);
    act(() => {
      vi.advanceTimersByTime(REGISTER_DELAY_MS * 2);
    });
    expect(calls).toHaveLength(0);
  });

  test('passes the plugin’s news on: an update waiting, the registration, and applies the update', async () => {
    const { calls, applied, seen, registered, render } = setUp();
    render(true);
    // before the registration, applying an update does nothing (there is none)
    await act(() => seen.at(-1)!.update(true));
    expect(applied).toEqual([]);
    act(() => {
      vi.advanceTimersByTime(REGISTER_DELAY_MS);
    });
    act(() => {
      calls[0]?.onNeedRefresh?.();
    });
    expect(seen.at(-1)?.needRefresh).toBe(true);
    calls[0]?.onRegisteredSW?.('/sw.js', undefined);
    expect(registered).toEqual(['/sw.js']);
    await act(() => seen.at(-1)!.update(true));
    expect(applied).toEqual([true]);
  });
});
