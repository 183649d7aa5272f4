import { describe, expect, test } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import type { Classifier } from '../classify/classifier';
import { StartupClock, type PreparedModel } from '../classify/inference-model';
import type { EngineOutput, PhotoEngine } from './engine-choice';
import { memoryEngineStore } from './engine-store';
import { keptEngineUsable, startKeptEngine, type KeptEngineDeps } from './kept-engine';
import type { KeptTflite, KeptTfliteMeta, KeptTfliteStore } from './litert/kept-tflite';
import { engineKey } from './select-engine';

const ENTRY: ModelEntry = {
  id: 'tiny',
  name: 'Tiny net',
  url: 'https://example.test/tiny/model.json',
  inputSize: 2,
  inputRange: [-1, 1],
  labels: { kind: 'list', labels: ['cat', 'dog', 'eel'] },
  labelOffset: 0,
};

/** TensorFlow.js' answer on the known input, as kept with the file. */
const ANSWER: EngineOutput = {
  probs: new Float32Array([0.1, 0.7, 0.2]),
  features: new Float32Array([4, -2, 0, 8]),
};

const META: KeptTfliteMeta = {
  answer: ANSWER,
  inputSize: 2,
  numClasses: 3,
  params: 1234,
  feature: { name: 'avg_pool/Mean:0' },
};

/** A store holding one file for `url` at identity 'v1' (in memory). */
function memoryKept(): KeptTfliteStore & { dropped: string[] } {
  const entries = new Map<string, KeptTflite & { identity: string }>([
    [ENTRY.url, { identity: 'v1', file: new Uint8Array([1, 2, 3]), meta: META }],
  ]);
  const dropped: string[] = [];
  return {
    dropped,
    get: (slot, identity) => {
      const e = entries.get(slot);
      return Promise.resolve(e && e.identity === identity ? e : null);
    },
    has: (slot, identity) => Promise.resolve(entries.get(slot)?.identity === identity),
    put: (slot, identity, file, meta) => {
      entries.set(slot, { identity, file, meta });
      return Promise.resolve();
    },
    drop: (slot) => {
      dropped.push(slot);
      entries.delete(slot);
      return Promise.resolve();
    },
  };
}

/** A LiteRT.js stand-in answering `answer` for every input, and recording what it ran. */
function fakeEngine(answer: () => EngineOutput) {
  const runs: Float32Array[] = [];
  let disposed = 0;
  const engine: PhotoEngine = {
    name: 'litert',
    detail: 'LiteRT.js (fake, 2 threads)',
    threads: 2,
    run: (input) => {
      runs.push(input);
      return Promise.resolve(answer());
    },
    dispose: () => void (disposed += 1),
  };
  return { engine, runs, disposed: () => disposed };
}

function deps(engine: PhotoEngine, kept = memoryKept()): KeptEngineDeps & { kept: typeof kept } {
  return {
    kept,
    remembered: memoryEngineStore(),
    // as LiteRT.js does: the runtime starts at once, the model once the file is read
    startEngine: async (file) => {
      await file;
      return engine;
    },
    threads: () => ({ threads: 2, isolated: true }),
    now: () => 0,
    date: () => 1_000_000,
  };
}

const prepared = (folded: () => Promise<null> = () => Promise.resolve(null)) =>
  Promise.resolve({
    kind: 'kept',
    identity: 'v1',
    metadata: Promise.resolve(null),
    folded,
  } as PreparedModel);

/** A TensorFlow.js classifier stand-in for what is built on first need. */
function tfClassifier(log: string[]): Classifier {
  return {
    info: {} as Classifier['info'],
    classify: () => {
      log.push('tfjs photo');
      return Promise.resolve([{ index: 2, label: 'eel', probability: 1 }]);
    },
    original: () => {
      log.push('original');
      return Promise.resolve({} as never);
    },
    warmUp: () => Promise.resolve(1),
    dispose: () => log.push('tfjs disposed'),
  };
}

describe('keptEngineUsable: whether step 1 may stop after model.json', () => {
  test('automatic: only with LiteRT.js remembered as faster here, fresh, and a file for this version', async () => {
    const { engine } = fakeEngine(() => ANSWER);
    const d = deps(engine);
    expect(await keptEngineUsable(ENTRY, 'v1', {}, d)).toBe(false); // nothing remembered
    const key = engineKey(ENTRY, 'wasm', 2);
    await d.remembered.put(key, { engine: 'tfjs', tfjsMs: 1, litertMs: 2, measuredAt: 999_000 });
    expect(await keptEngineUsable(ENTRY, 'v1', {}, d)).toBe(false); // TensorFlow.js won
    await d.remembered.put(key, { engine: 'litert', tfjsMs: 2, litertMs: 1, measuredAt: 999_000 });
    expect(await keptEngineUsable(ENTRY, 'v1', {}, d)).toBe(true);
    expect(await keptEngineUsable(ENTRY, 'v2', {}, d)).toBe(false); // files changed
    expect(await keptEngineUsable(ENTRY, 'v1', { remeasure: true }, d)).toBe(false);
    expect(await keptEngineUsable(ENTRY, 'v1', { engine: 'tfjs' }, d)).toBe(false);
    expect(await keptEngineUsable(ENTRY, 'v1', { failKnownAnswer: ['wasm'] }, d)).toBe(false);
    // a choice older than 30 days is measured again
    await d.remembered.put(key, { engine: 'litert', tfjsMs: 2, litertMs: 1, measuredAt: -4e9 });
    expect(await keptEngineUsable(ENTRY, 'v1', {}, d)).toBe(false);
  });

  test('?engine=litert needs only the file', async () => {
    const { engine } = fakeEngine(() => ANSWER);
    expect(await keptEngineUsable(ENTRY, 'v1', { engine: 'litert' }, deps(engine))).toBe(true);
  });
});

describe('startKeptEngine: photos on the kept file, TensorFlow.js on first need', () => {
  test('checked against the kept answer, it answers photos with labels and features; TF.js is not built', async () => {
    const fake = fakeEngine(() => ANSWER);
    const log: string[] = [];
    const c = await startKeptEngine(
      ENTRY,
      prepared(),
      { engine: 'litert' },
      () => Promise.resolve(tfClassifier(log)),
      undefined,
      deps(fake.engine),
    );
    expect(c).not.toBeNull();
    expect(c!.engineReport).toMatchObject({ engine: 'litert', maxAbsDiff: 0, litertThreads: 2 });
    expect(c!.engineReport?.detail).toContain('kept on an earlier visit');
    expect(c!.info).toMatchObject({ inputSize: 2, numClasses: 3, params: 1234 });
    expect(await c!.warmUp()).toBe(0); // the check was the warm-up
    expect(fake.runs).toHaveLength(1);
    const rgba = new Uint8Array(2 * 2 * 4).fill(255);
    const { predictions, features } = await c!.classifyWithFeatures!(rgba, 2, 2, 2);
    expect(predictions.map((p) => p.label)).toEqual(['dog', 'eel']);
    expect(Array.from(features!)).toEqual([64, -32, 0, 127]);
    expect(fake.runs).toHaveLength(2);
    expect(Array.from(fake.runs[1]!)).toEqual(new Array(12).fill(1)); // [-1, 1] input range
    expect(log).toEqual([]);
    c!.dispose();
    expect(fake.disposed()).toBe(1);
  });

  test('the start-up clock names each step, with where LiteRT.js spent its start', async () => {
    const fake = fakeEngine(() => ANSWER);
    const engine = { ...fake.engine, started: { runtimeMs: 301.4, compileMs: 452.6 } };
    const clock = new StartupClock(() => 0);
    const c = await startKeptEngine(
      ENTRY,
      prepared(),
      { engine: 'litert' },
      () => Promise.reject(new Error('no')),
      clock,
      deps(engine),
    );
    expect(clock.steps.map((s) => s.step)).toEqual([
      'kept .tflite read',
      'LiteRT.js started (runtime ready 301 ms into its worker, compile 453 ms)',
      'warm-up (LiteRT.js, checked)',
    ]);
    c!.dispose();
  });

  test('a file that answers differently is dropped and the usual load follows', async () => {
    const fake = fakeEngine(() => ({ ...ANSWER, probs: new Float32Array([0.1, 0.6, 0.3]) }));
    const d = deps(fake.engine);
    const c = await startKeptEngine(
      ENTRY,
      prepared(),
      {},
      () => Promise.reject(new Error('no')),
      undefined,
      d,
    );
    expect(c).toBeNull();
    expect(fake.disposed()).toBe(1);
    expect(d.kept.dropped).toEqual([ENTRY.url]);
  });

  test('step 1 did not say kept, or the file is gone: null, nothing started', async () => {
    const fake = fakeEngine(() => ANSWER);
    const d = deps(fake.engine);
    const usual = Promise.resolve({ kind: 'original' } as PreparedModel);
    expect(
      await startKeptEngine(ENTRY, usual, {}, () => Promise.reject(new Error('no')), undefined, d),
    ).toBeNull();
    await d.kept.drop(ENTRY.url);
    expect(
      await startKeptEngine(
        ENTRY,
        prepared(),
        {},
        () => Promise.reject(new Error('no')),
        undefined,
        d,
      ),
    ).toBeNull();
    expect(fake.runs).toHaveLength(0);
  });

  test('TensorFlow.js is built once, when first needed: a photo at another size, Inspect, a failing engine', async () => {
    let fail = false;
    const fake = fakeEngine(() => {
      if (fail) throw new Error('LiteRT.js crashed');
      return ANSWER;
    });
    const log: string[] = [];
    let builds = 0;
    const c = (await startKeptEngine(
      ENTRY,
      prepared(),
      { engine: 'litert' },
      () => {
        builds += 1;
        return Promise.resolve(tfClassifier(log));
      },
      undefined,
      deps(fake.engine),
    ))!;
    expect(builds).toBe(0);
    // another size: TensorFlow.js resizes
    await c.classify(new Uint8Array(3 * 3 * 4), 3, 3, 1);
    expect(log).toEqual(['tfjs photo']);
    await c.original!();
    expect(builds).toBe(1);
    // the engine fails on a photo: that photo and every later one go to TensorFlow.js
    fail = true;
    const answer = await c.classify(new Uint8Array(2 * 2 * 4), 2, 2, 1);
    expect(answer[0]?.label).toBe('eel');
    expect(fake.disposed()).toBe(1);
    await c.classify(new Uint8Array(2 * 2 * 4), 2, 2, 1);
    expect(log).toEqual(['tfjs photo', 'original', 'tfjs photo', 'tfjs photo']);
    expect(builds).toBe(1);
    c.dispose();
    expect(log.at(-1)).toBe('tfjs disposed');
  });
});
