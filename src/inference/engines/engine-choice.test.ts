import { describe, expect, test } from 'vitest';
import {
  chooseEngine,
  engineSchedule,
  ENGINE_TOLERANCE,
  fasterEngine,
  maxAbsDiff,
  rememberedEngineValid,
  type EngineChoiceDeps,
  type EngineOutput,
  type PhotoEngine,
} from './engine-choice';
import { memoryEngineStore } from './engine-store';

const PROBS = new Float32Array([0.7, 0.2, 0.1]);
const FEATURES = new Float32Array([3, -1, 0.5]);

interface Fake {
  deps: EngineChoiceDeps;
  engine: PhotoEngine & { disposed: boolean; runs: number };
  log: string[];
}

/**
 * Fakes with a clock that advances by each engine's cost per inference, so timings are exact.
 * `litert` sets what LiteRT.js returns, or throws.
 */
function fakes(
  options: {
    tfjsMs?: number;
    litertMs?: number;
    litert?: () => EngineOutput;
    startFails?: string;
    runFailsAfter?: number;
  } = {},
): Fake {
  const { tfjsMs = 100, litertMs = 80 } = options;
  let clock = 0;
  const log: string[] = [];
  const engine = {
    name: 'litert' as const,
    detail: 'LiteRT.js (fake)',
    threads: 2,
    disposed: false,
    runs: 0,
    run(): Promise<EngineOutput> {
      engine.runs += 1;
      log.push('L');
      if (options.runFailsAfter !== undefined && engine.runs > options.runFailsAfter) {
        return Promise.reject(new Error('out of memory'));
      }
      clock += litertMs;
      return Promise.resolve(
        options.litert?.() ?? { probs: PROBS.slice(), features: FEATURES.slice() },
      );
    },
    dispose() {
      engine.disposed = true;
    },
  };
  const deps: EngineChoiceDeps = {
    start: () =>
      options.startFails ? Promise.reject(new Error(options.startFails)) : Promise.resolve(engine),
    tfjs: () => {
      log.push('T');
      clock += tfjsMs;
      return Promise.resolve({ probs: PROBS.slice(), features: FEATURES.slice() });
    },
    input: new Float32Array(12),
    store: memoryEngineStore(),
    now: () => clock,
    date: () => 1_000_000,
  };
  return { deps, engine, log };
}

describe('the engine choice (pure parts)', () => {
  test('LiteRT.js wins only when at least 3 % faster', () => {
    expect(fasterEngine(100, 80)).toBe('litert');
    expect(fasterEngine(100, 97)).toBe('litert');
    expect(fasterEngine(100, 98)).toBe('tfjs');
    expect(fasterEngine(100, 120)).toBe('tfjs');
    expect(fasterEngine(100, NaN)).toBe('tfjs');
  });

  test('max abs diff; NaN and a length mismatch count as a mismatch', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBeCloseTo(1);
    expect(maxAbsDiff([1, 2], [1, 2, 3])).toBe(Infinity);
    expect(maxAbsDiff([1, NaN], [1, 2]) <= ENGINE_TOLERANCE).toBe(false);
  });

  test('timed runs alternate (TL LT TL …) so a drifting load hits both engines alike', () => {
    expect(engineSchedule(3)).toEqual(['tfjs', 'litert', 'litert', 'tfjs', 'tfjs', 'litert']);
  });

  test('a remembered outcome holds for 30 days, never from the future', () => {
    const r = { engine: 'litert' as const, tfjsMs: 1, litertMs: 1, measuredAt: 1000 };
    expect(rememberedEngineValid(r, 1000 + 86_400_000)).toBe(true);
    expect(rememberedEngineValid(r, 1000 + 31 * 86_400_000)).toBe(false);
    expect(rememberedEngineValid(r, 999)).toBe(false);
    expect(rememberedEngineValid(null, 1000)).toBe(false);
  });
});

describe('chooseEngine', () => {
  test('the faster engine wins: LiteRT.js at 80 ms against TF.js at 100 ms, and it is remembered', async () => {
    const f = fakes({ tfjsMs: 100, litertMs: 80 });
    const decision = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(decision.engine).toBe(f.engine);
    expect(decision.report).toMatchObject({
      engine: 'litert',
      tfjsMs: 100,
      litertMs: 80,
      maxAbsDiff: 0,
    });
    expect(f.engine.disposed).toBe(false);
    // The known-answer pair, then TL LT TL.
    expect(f.log).toEqual(['T', 'L', 'T', 'L', 'L', 'T', 'T', 'L']);
    expect(await f.deps.store.get('k')).toMatchObject({
      engine: 'litert',
      tfjsMs: 100,
      litertMs: 80,
    });
  });

  test('each timed run waits for the other engine to settle first, outside the timing', async () => {
    const f = fakes({ tfjsMs: 100, litertMs: 80 });
    let clock = 0;
    const now = f.deps.now.bind(f.deps);
    f.deps.now = () => now() + clock;
    f.deps.settle = () => {
      f.log.push('-');
      clock += 1000; // an idle gap is never counted as either engine's time
      return Promise.resolve();
    };
    const decision = await chooseEngine('auto', f.deps, { key: null });
    expect(f.log).toEqual(['T', 'L', '-', 'T', '-', 'L', '-', 'L', '-', 'T', '-', 'T', '-', 'L']);
    expect(decision.report).toMatchObject({ engine: 'litert', tfjsMs: 100, litertMs: 80 });
  });

  test('TF.js stays when LiteRT.js is slower; LiteRT.js is disposed', async () => {
    const f = fakes({ tfjsMs: 100, litertMs: 130 });
    const decision = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(decision.engine).toBeNull();
    expect(decision.report.engine).toBe('tfjs');
    expect(decision.report.detail).toMatch(/measured 100 ms .* 130 ms/);
    expect(f.engine.disposed).toBe(true);
    expect((await f.deps.store.get('k'))?.engine).toBe('tfjs');
  });

  test('a mismatch beyond 1e-4 falls back to TF.js, even when LiteRT.js is forced', async () => {
    for (const choice of ['auto', 'litert'] as const) {
      const f = fakes({
        litert: () => ({ probs: new Float32Array([0.7, 0.2002, 0.0998]), features: FEATURES }),
      });
      const decision = await chooseEngine(choice, f.deps, { key: 'k' });
      expect(decision.engine).toBeNull();
      expect(decision.report.engine).toBe('tfjs');
      expect(decision.report.detail).toMatch(/different answer/);
      expect(decision.report.maxAbsDiff).toBeCloseTo(2e-4, 6);
      expect(f.engine.disposed).toBe(true);
      expect(await f.deps.store.get('k')).toBeNull(); // nothing remembered
    }
  });

  test('a difference within 1e-4 passes', async () => {
    const f = fakes({
      litert: () => ({ probs: new Float32Array([0.70005, 0.19995, 0.1]), features: FEATURES }),
    });
    const decision = await chooseEngine('litert', f.deps, { key: null });
    expect(decision.report.engine).toBe('litert');
    expect(decision.report.maxAbsDiff).toBeLessThanOrEqual(ENGINE_TOLERANCE);
  });

  test('missing or different pooled features are a mismatch too', async () => {
    const none = fakes({ litert: () => ({ probs: PROBS, features: null }) });
    expect((await chooseEngine('auto', none.deps, { key: null })).report.engine).toBe('tfjs');
    const off = fakes({
      litert: () => ({ probs: PROBS, features: new Float32Array([3, -1, 0.6]) }),
    });
    expect((await chooseEngine('auto', off.deps, { key: null })).report.engine).toBe('tfjs');
  });

  test('a failure falls back to TF.js: LiteRT.js does not start, or fails while measured', async () => {
    const f = fakes({ startFails: 'unsupported op DEPTHWISE_CONV_2D' });
    const decision = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(decision.engine).toBeNull();
    expect(decision.report.detail).toMatch(/could not start \(unsupported op DEPTHWISE_CONV_2D\)/);

    const later = fakes({ runFailsAfter: 2 });
    const second = await chooseEngine('auto', later.deps, { key: 'k' });
    expect(second.engine).toBeNull();
    expect(second.report.detail).toMatch(/failed while measured \(out of memory\)/);
    expect(later.engine.disposed).toBe(true);

    const check = fakes({ runFailsAfter: 0 });
    const third = await chooseEngine('litert', check.deps, { key: null });
    expect(third.engine).toBeNull();
    expect(third.report.detail).toMatch(/failed its check/);
  });

  test('engine=tfjs tries nothing; engine=litert skips the timing', async () => {
    const f = fakes();
    const tfjs = await chooseEngine('tfjs', f.deps, { key: 'k' });
    expect(tfjs.engine).toBeNull();
    expect(f.log).toEqual([]);
    const litert = await chooseEngine('litert', f.deps, { key: 'k' });
    expect(litert.engine).toBe(f.engine);
    expect(f.log).toEqual(['T', 'L']); // the known-answer check only
    expect(await f.deps.store.get('k')).toBeNull();
  });

  test('a remembered outcome is used without timing; remeasure ignores it', async () => {
    const f = fakes({ tfjsMs: 100, litertMs: 130 });
    await f.deps.store.put('k', { engine: 'tfjs', tfjsMs: 90, litertMs: 120, measuredAt: 999_000 });
    const kept = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(kept.report.detail).toMatch(/earlier/);
    expect(f.log).toEqual([]); // LiteRT.js not even started

    await f.deps.store.put('k', {
      engine: 'litert',
      tfjsMs: 90,
      litertMs: 60,
      measuredAt: 999_000,
    });
    const again = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(again.report).toMatchObject({ engine: 'litert', litertMs: 60 });
    expect(f.log).toEqual(['T', 'L']); // started and checked, not timed

    f.log.length = 0;
    const fresh = await chooseEngine('auto', f.deps, { key: 'k', remeasure: true });
    expect(fresh.report.engine).toBe('tfjs'); // 130 ms against 100 ms, measured now
    expect(f.log).toHaveLength(8);
  });

  test('with a turn, the check and each timed run (settle included) take one turn each', async () => {
    const f = fakes({ tfjsMs: 100, litertMs: 80 });
    f.deps.settle = () => {
      f.log.push('settle');
      return Promise.resolve();
    };
    f.deps.turn = async (step) => {
      f.log.push('[');
      const out = await step();
      f.log.push(']');
      return out;
    };
    const decision = await chooseEngine('auto', f.deps, { key: null, runs: 2 });
    expect(decision.report.engine).toBe('litert');
    expect(f.log.join(' ')).toBe('[ T L ] [ settle T ] [ settle L ] [ settle L ] [ settle T ]');
  });

  test('a turn refused (another model was loaded) falls back to TF.js and frees LiteRT.js', async () => {
    const f = fakes();
    f.deps.turn = () => Promise.reject(new Error('another model was loaded'));
    const decision = await chooseEngine('auto', f.deps, { key: 'k' });
    expect(decision.engine).toBeNull();
    expect(decision.report.detail).toContain('another model was loaded');
    expect(f.engine.disposed).toBe(true);
    expect(await f.deps.store.get('k')).toBeNull();
  });
});
