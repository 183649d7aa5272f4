import { describe, expect, test } from 'vitest';
import { wasmThreadCount } from './wasm-threads';

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
