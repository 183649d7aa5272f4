import { describe, expect, test } from 'vitest';
import { logicalCores, wasmThreadCount, withUncappedThreads } from './wasm-threads';

describe('wasmThreadCount', () => {
  test('one thread per logical core', () => {
    expect(wasmThreadCount(2)).toBe(2);
    expect(wasmThreadCount(6)).toBe(6);
  });

  test('capped at the 8 helper workers tfjs starts', () => {
    expect(wasmThreadCount(32)).toBe(8);
  });

  test('missing or odd core counts mean one thread', () => {
    expect(wasmThreadCount(undefined)).toBe(1);
    expect(wasmThreadCount(0)).toBe(1);
    expect(wasmThreadCount(Number.NaN)).toBe(1);
    expect(wasmThreadCount(2.5)).toBe(2);
  });
});

describe('logicalCores', () => {
  test('is the real core count even while the backend start-up sees it doubled', async () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { nav: g.navigator, isolated: g.crossOriginIsolated };
    // a navigator whose core count is a getter on its prototype, as in browsers
    Object.defineProperty(globalThis, 'navigator', {
      value: Object.create({
        get hardwareConcurrency() {
          return 2;
        },
      }) as Navigator,
      configurable: true,
    });
    g.crossOriginIsolated = true;
    try {
      const seen = await withUncappedThreads(() =>
        Promise.resolve([navigator.hardwareConcurrency, logicalCores()]),
      );
      // tfjs is shown 4 (it halves it); anything else asking meanwhile is told 2
      expect(seen).toEqual([4, 2]);
      expect([navigator.hardwareConcurrency, logicalCores()]).toEqual([2, 2]);
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: saved.nav, configurable: true });
      g.crossOriginIsolated = saved.isolated;
    }
  });
});
