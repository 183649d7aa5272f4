import { describe, expect, test } from 'vitest';
import { tuneBackend, wasmToSettle, withTimings, type TuningDeps } from './backend-tuning';
import { memoryChoiceStore, type ChoiceStore } from './choice-store';
import type { BackendName, BackendReport } from '../protocol';

function report(backend: BackendName, ok = false): BackendReport {
  return { backend, available: true, ok, software: false, tried: ok, detail: backend };
}

const REPORTS = [report('webgpu'), report('webgl', true), report('wasm'), report('cpu')];

/** Fake backends: each inference on `b` takes `speed[b]` ms (the first one three times that). */
function fakeDeps(
  speed: Partial<Record<BackendName, number>>,
  options: { broken?: BackendName[]; store?: ChoiceStore } = {},
) {
  let current: BackendName = 'webgl';
  const warm = new Set<BackendName>(['webgl']);
  const log: string[] = [];
  const deps: TuningDeps = {
    use: (b) => {
      log.push(`use ${b}`);
      if (options.broken?.includes(b)) return Promise.resolve(`${b} is broken`);
      current = b;
      return Promise.resolve(null);
    },
    infer: () => {
      const ms = (speed[current] ?? 1000) * (warm.has(current) ? 1 : 3);
      warm.add(current);
      log.push(`infer ${current}`);
      return Promise.resolve(ms);
    },
    store: options.store ?? memoryChoiceStore(),
    now: () => 1234,
  };
  return { deps, log, current: () => current };
}

describe('tuneBackend', () => {
  test('measures every candidate and leaves the fastest current, remembered', async () => {
    const store = memoryChoiceStore();
    const fake = fakeDeps({ webgl: 500, wasm: 300 }, { store });
    const result = await tuneBackend(
      'webgl',
      1500,
      { key: 'k', candidates: ['webgl', 'wasm'] },
      REPORTS,
      fake.deps,
      { runs: 3 },
    );
    expect(result.backend).toBe('wasm');
    expect(fake.current()).toBe('wasm');
    expect(result.timings).toEqual([
      { backend: 'webgl', firstMs: 1500, steadyMs: 500, runs: 3 },
      { backend: 'wasm', firstMs: 900, steadyMs: 300, runs: 3 },
    ]);
    // the winner is the one in use; the loser shows its numbers
    const wasm = result.reports.find((r) => r.backend === 'wasm');
    const webgl = result.reports.find((r) => r.backend === 'webgl');
    expect(wasm).toMatchObject({ ok: true, tried: true, steadyMs: 300, measuredAt: 1234 });
    expect(webgl).toMatchObject({ ok: false, steadyMs: 500 });
    expect(result.reports.find((r) => r.backend === 'cpu')?.steadyMs).toBeUndefined();
    expect(await store.get('k')).toEqual({
      backend: 'wasm',
      timings: result.timings,
      measuredAt: 1234,
    });
  });

  test('when the first one is fastest it switches back to it, warming it up again', async () => {
    const fake = fakeDeps({ webgl: 100, wasm: 300 });
    const result = await tuneBackend(
      'webgl',
      300,
      { key: null, candidates: ['webgl', 'wasm'] },
      REPORTS,
      fake.deps,
      { runs: 2 },
    );
    expect(result.backend).toBe('webgl');
    expect(fake.current()).toBe('webgl');
    expect(fake.log.slice(-2)).toEqual(['use webgl', 'infer webgl']);
  });

  test('a candidate that fails to start is reported and skipped', async () => {
    const fake = fakeDeps({ webgl: 500, wasm: 300 }, { broken: ['wasm'] });
    const result = await tuneBackend(
      'webgl',
      1500,
      { key: null, candidates: ['webgl', 'wasm'] },
      REPORTS,
      fake.deps,
    );
    expect(result.backend).toBe('webgl');
    expect(result.timings.map((t) => t.backend)).toEqual(['webgl']);
    expect(result.reports.find((r) => r.backend === 'wasm')?.detail).toContain('wasm is broken');
  });

  test('a single candidate runs nothing extra and stores nothing', async () => {
    const store = memoryChoiceStore();
    const fake = fakeDeps({ wasm: 300 }, { store });
    const result = await tuneBackend(
      'wasm',
      900,
      { key: 'k', candidates: ['wasm'] },
      REPORTS,
      fake.deps,
    );
    expect(result.backend).toBe('wasm');
    expect(fake.log).toEqual([]);
    expect(result.timings).toEqual([{ backend: 'wasm', firstMs: 900, steadyMs: 900, runs: 0 }]);
    expect(await store.get('k')).toBeNull();
  });

  test('progress goes from 0 to 1', async () => {
    const fake = fakeDeps({ webgl: 10, wasm: 20 });
    const seen: number[] = [];
    await tuneBackend(
      'webgl',
      30,
      { key: null, candidates: ['webgl', 'wasm'] },
      REPORTS,
      fake.deps,
      { runs: 2, onProgress: (f) => seen.push(f) },
    );
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe(1);
  });
});

describe('withTimings', () => {
  test('copies numbers onto matching reports only', () => {
    const out = withTimings(REPORTS, [{ backend: 'wasm', firstMs: 9, steadyMs: 3, runs: 2 }], 5);
    expect(out.find((r) => r.backend === 'wasm')).toMatchObject({
      firstMs: 9,
      steadyMs: 3,
      runs: 2,
      measuredAt: 5,
    });
    expect(out.find((r) => r.backend === 'webgl')?.firstMs).toBeUndefined();
    expect(REPORTS[2]?.firstMs).toBeUndefined();
  });
});

describe('wasmToSettle', () => {
  const wasm = (extra: Partial<BackendReport>): BackendReport => ({
    backend: 'wasm',
    available: true,
    ok: true,
    software: false,
    tried: true,
    detail: 'WebAssembly, SIMD, 4 threads',
    ...extra,
  });

  test('a WASM measured while tuning is settled unless its threads were already prepared', () => {
    expect(wasmToSettle([wasm({ steadyMs: 12 })])).toBeDefined();
    expect(wasmToSettle([wasm({ steadyMs: 12, threadsSettled: true })])).toBeUndefined();
    // never measured (not a tuning candidate): nothing to settle, whatever its text says
    expect(wasmToSettle([wasm({ detail: 'WebAssembly' })])).toBeUndefined();
  });
});
