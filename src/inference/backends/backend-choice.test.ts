import { describe, expect, test } from 'vitest';
import {
  choiceKey,
  fastestBackend,
  isSlowTier,
  measurementCandidates,
  median,
  rememberedStillValid,
  type BackendTiming,
  type RememberedChoice,
} from './backend-choice';
import type { Capability } from './backend-order';
import type { BackendName } from '../protocol';

function cap(backend: BackendName, software = false): Capability {
  return { backend, present: true, software, detail: backend };
}

function timing(backend: BackendName, steadyMs: number): BackendTiming {
  return { backend, firstMs: steadyMs * 3, steadyMs, runs: 3 };
}

describe('measurementCandidates', () => {
  test('real GPUs and WASM are compared; software GPUs and CPU are skipped when they work', () => {
    const working = [cap('webgpu'), cap('webgl'), cap('wasm'), cap('cpu')];
    expect(measurementCandidates(working)).toEqual(['webgpu', 'webgl', 'wasm']);
  });

  test('this machine: software WebGL (and WebGPU) are not measured, WASM alone remains', () => {
    const working = [cap('wasm'), cap('webgpu', true), cap('webgl', true), cap('cpu')];
    expect(measurementCandidates(working)).toEqual(['wasm']);
  });

  test('when nothing fast works, the slow ones are measured against each other', () => {
    const working = [cap('webgpu', true), cap('webgl', true), cap('cpu')];
    expect(measurementCandidates(working)).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  test('"all" measures everything that works, in order', () => {
    const working = [cap('wasm'), cap('webgl', true), cap('cpu')];
    expect(measurementCandidates(working, true)).toEqual(['wasm', 'webgl', 'cpu']);
    expect(measurementCandidates([], true)).toEqual([]);
  });

  test('slow tier: software GPUs and plain JS only', () => {
    expect(isSlowTier(cap('cpu'))).toBe(true);
    expect(isSlowTier(cap('webgl', true))).toBe(true);
    expect(isSlowTier(cap('webgpu', true))).toBe(true);
    expect(isSlowTier(cap('webgl'))).toBe(false);
    expect(isSlowTier(cap('wasm'))).toBe(false);
  });
});

describe('fastestBackend', () => {
  test('the lowest steady time wins, whatever the order', () => {
    expect(fastestBackend([timing('webgl', 900), timing('wasm', 400)])).toBe('wasm');
    expect(fastestBackend([timing('wasm', 400), timing('webgpu', 60)])).toBe('webgpu');
  });

  test('within 3 % is a tie, settled by preference (GPU first: it leaves the CPU free)', () => {
    expect(fastestBackend([timing('wasm', 100), timing('webgl', 102)])).toBe('webgl');
    expect(fastestBackend([timing('wasm', 100), timing('webgl', 104)])).toBe('wasm');
  });

  test('no usable timing: no winner', () => {
    expect(fastestBackend([])).toBeNull();
    expect(fastestBackend([timing('wasm', Number.NaN), timing('cpu', 0)])).toBeNull();
  });
});

describe('rememberedStillValid', () => {
  const now = 1_000_000_000_000;
  const remembered: RememberedChoice = {
    backend: 'wasm',
    timings: [timing('wasm', 300)],
    measuredAt: now - 1000,
  };

  test('a recent choice of a present backend holds', () => {
    expect(rememberedStillValid(remembered, ['wasm', 'cpu'], now)).toBe(true);
  });

  test('nothing remembered, a backend gone, too old, or from the future: measure again', () => {
    expect(rememberedStillValid(null, ['wasm'], now)).toBe(false);
    expect(rememberedStillValid(remembered, ['webgl', 'cpu'], now)).toBe(false);
    expect(rememberedStillValid(remembered, ['wasm'], now + 31 * 24 * 3600 * 1000)).toBe(false);
    expect(rememberedStillValid({ ...remembered, measuredAt: now + 5000 }, ['wasm'], now)).toBe(
      false,
    );
  });
});

describe('helpers', () => {
  test('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/nothing/);
  });

  test('the key separates devices and models', () => {
    expect(choiceKey('dev A', 'm')).not.toBe(choiceKey('dev B', 'm'));
    expect(choiceKey('dev A', 'm1')).not.toBe(choiceKey('dev A', 'm2'));
  });
});
