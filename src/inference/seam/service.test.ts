import { describe, expect, test, vi } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import type { Classifier } from '../classify/classifier';
import type { PreparedModel } from '../classify/inference-model';
import type {
  BackendChoice,
  BackendName,
  BackendReport,
  LoadedModelInfo,
  Prediction,
  ReplyMessage,
  WorkerRequest,
  WorkerResponse,
} from '../protocol';
import { ALSO_RETRY_MS } from '../classify/second-model';
import { InferenceService, type ServiceDeps } from './service';

const ENTRY: ModelEntry = {
  id: 'fake',
  name: 'Fake net',
  url: 'https://example.test/fake/model.json',
  inputSize: 4,
  inputRange: [-1, 1],
  labels: { kind: 'list', labels: ['a', 'b', 'c'] },
  labelOffset: 0,
};

function report(backend: BackendName, ok: boolean): BackendReport {
  return {
    backend,
    available: true,
    ok,
    software: false,
    tried: true,
    detail: ok ? 'ok' : 'failed',
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface ClassifyCall {
  bytes: number[];
  width: number;
  height: number;
  k: number;
  /** settle the call: resolve with predictions, or reject */
  result: Deferred<Prediction[]>;
}

/** A Classifier whose classify calls stay pending until the test settles them. */
class FakeClassifier implements Classifier {
  readonly calls: ClassifyCall[] = [];
  active = 0;
  maxActive = 0;
  disposed = 0;
  warmUps = 0;
  /** each warm-up's `prime` option, in order */
  readonly primes: (boolean | undefined)[] = [];
  readonly info: LoadedModelInfo;

  constructor(
    readonly name: string,
    private readonly warmUpResult: () => Promise<number> = () => Promise.resolve(12.5),
  ) {
    this.info = {
      id: ENTRY.id,
      name,
      url: ENTRY.url,
      inputSize: 4,
      inputRange: [-1, 1],
      numClasses: 3,
      labelSource: 'list',
      params: 99,
    };
  }

  async classify(rgba: Uint8Array, width: number, height: number, k: number) {
    if (this.disposed) throw new Error(`${this.name} used after dispose`);
    const result = deferred<Prediction[]>();
    this.calls.push({ bytes: Array.from(rgba), width, height, k, result });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await result.promise;
    } finally {
      this.active--;
    }
  }

  warmUp(options?: { prime?: boolean }): Promise<number> {
    this.warmUps++;
    this.primes.push(options?.prime);
    return this.warmUpResult();
  }

  dispose(): void {
    this.disposed++;
  }
}

function predictionsFor(name: string): Prediction[] {
  return [{ index: 1, label: name, probability: 0.75 }];
}

/** Everything the service did, plus knobs for its dependencies. */
function setup(extra: Partial<ServiceDeps> = {}) {
  const posted: WorkerResponse[] = [];
  const classifiers: FakeClassifier[] = [];
  const selectCalls: BackendChoice[] = [];
  const loadCalls: ModelEntry[] = [];
  let clock = 1000;
  const reports = [report('webgpu', false), report('webgl', true)];
  const knobs = {
    /** what the next selectBackend does */
    select: (): Promise<{ backend: BackendName; reports: BackendReport[] }> =>
      Promise.resolve({ backend: 'webgl', reports }),
    /** what the next loadClassifier does (default: a new FakeClassifier) */
    loadClassifier: (
      onProgress: (f: number) => void,
      _signal?: AbortSignal,
    ): Promise<Classifier> => {
      onProgress(0.5);
      onProgress(1);
      const c = new FakeClassifier(`model ${classifiers.length + 1}`);
      classifiers.push(c);
      return Promise.resolve(c);
    },
  };
  const deps: ServiceDeps = {
    post: (message) => posted.push(message),
    selectBackend: (choice) => {
      selectCalls.push(choice);
      return knobs.select();
    },
    loadClassifier: (entry, onProgress, _tuning, signal) => {
      loadCalls.push(entry);
      return knobs.loadClassifier(onProgress, signal);
    },
    now: () => (clock += 10),
    ...extra,
  };
  const service = new InferenceService(deps);
  /** moves the fake clock on */
  const advance = (ms: number): void => void (clock += ms);
  return { service, posted, classifiers, selectCalls, loadCalls, knobs, reports, advance };
}

/** Lets every pending promise chain run (several macrotask turns, deterministic). */
async function flush(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Flushes until `predicate` holds, failing after a bounded number of turns. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function load(id: number, backend: BackendChoice = 'auto'): WorkerRequest {
  return { type: 'load', id, model: ENTRY, backend };
}

function classify(id: number, fill = id): WorkerRequest {
  return {
    type: 'classify',
    id,
    pixels: new Uint8Array(2 * 1 * 4).fill(fill).buffer,
    width: 2,
    height: 1,
    topK: 3,
  };
}

function messagesFor(posted: WorkerResponse[], id: number): WorkerResponse[] {
  return posted.filter((m) => m.id === id);
}

function finalFor(posted: WorkerResponse[], id: number): WorkerResponse | undefined {
  return posted.find((m) => m.id === id && m.type !== 'progress');
}

async function loaded(extra: Partial<ServiceDeps> = {}) {
  const s = setup(extra);
  s.service.handle(load(1));
  await until(() => finalFor(s.posted, 1)?.type === 'reply', 'the first load');
  return s;
}

describe('InferenceService: load', () => {
  test('posts progress (backend, download fractions, warming) then ready', async () => {
    const { service, posted, selectCalls, loadCalls, classifiers, reports } = setup();
    service.handle(load(7, 'webgl'));
    await until(() => posted.some((m) => m.type === 'settled'), 'ready, then settled');
    expect(selectCalls).toEqual(['webgl']);
    expect(loadCalls).toEqual([ENTRY]);
    expect(posted).toEqual([
      { type: 'progress', id: 7, stage: 'backend', fraction: 0 },
      { type: 'progress', id: 7, stage: 'download', fraction: 0, backend: 'webgl' },
      { type: 'progress', id: 7, stage: 'download', fraction: 0.5, backend: 'webgl' },
      { type: 'progress', id: 7, stage: 'download', fraction: 1, backend: 'webgl' },
      { type: 'progress', id: 7, stage: 'warming', fraction: 0, backend: 'webgl' },
      {
        type: 'reply',
        id: 7,
        backend: 'webgl',
        model: classifiers[0]?.info,
        backends: reports,
        warmupMs: 12.5,
        startup: expect.any(Array) as unknown,
      },
      // nothing left for later (no engine to choose, no copy to keep): settled at once
      { type: 'settled', id: 0, modelId: ENTRY.id, modelUrl: ENTRY.url },
    ]);
    // when each step ended, in the worker (the fakes here mark none of the loader's own steps)
    const ready = posted.find((m) => m.type === 'reply') as {
      startup?: { step: string; atMs: number }[];
    };
    expect(ready.startup?.map((s) => s.step)).toEqual(['backend webgl', 'warm-up']);
    expect(classifiers[0]?.warmUps).toBe(1);
    expect(classifiers[0]?.disposed).toBe(0);
  });

  test('the warm-up may prime on a small input unless other backends are to be timed against it', async () => {
    for (const [tuning, prime] of [
      [null, true],
      [{ candidates: ['wasm'] as BackendName[] }, true],
      [{ candidates: ['wasm', 'webgl'] as BackendName[] }, false],
    ] as const) {
      const s = setup({ tuneBackend: (_c, selected) => Promise.resolve(selected) });
      s.knobs.select = () =>
        Promise.resolve({ backend: 'wasm', reports: s.reports, tuning } as {
          backend: BackendName;
          reports: BackendReport[];
        });
      s.service.handle(load(1));
      await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
      expect(s.classifiers[0]?.primes).toEqual([prime]);
    }
  });

  test('a backend failure posts an error carrying the reports from the thrown error', async () => {
    const { service, posted, knobs, loadCalls } = setup();
    const failed = [report('webgpu', false), report('webgl', false), report('wasm', false)];
    knobs.select = () =>
      Promise.reject(Object.assign(new Error('no backend works here'), { reports: failed }));
    service.handle(load(3));
    await until(() => finalFor(posted, 3) !== undefined, 'the error');
    expect(finalFor(posted, 3)).toEqual({
      type: 'error',
      id: 3,
      message: 'no backend works here',
      backends: failed,
    });
    expect(loadCalls).toEqual([]);
    expect(posted.some((m) => m.type === 'reply')).toBe(false);
  });

  test('a download failure posts an error with the reports of the chosen backend', async () => {
    const { service, posted, knobs, reports } = setup();
    knobs.loadClassifier = () => Promise.reject(new Error('The model was not found (HTTP 404).'));
    service.handle(load(4));
    await until(() => finalFor(posted, 4) !== undefined, 'the error');
    expect(finalFor(posted, 4)).toEqual({
      type: 'error',
      id: 4,
      message: 'The model was not found (HTTP 404).',
      backends: reports,
    });
  });

  test('an error without reports posts no backends; non-Error values become messages', async () => {
    const { service, posted, knobs } = setup();
    knobs.select = () => Promise.reject(new Error('plain'));
    service.handle(load(5));
    await until(() => finalFor(posted, 5) !== undefined, 'the error');
    expect(finalFor(posted, 5)).toEqual({ type: 'error', id: 5, message: 'plain' });

    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- on purpose
    knobs.select = () => Promise.reject('just a string');
    service.handle(load(6));
    await until(() => finalFor(posted, 6) !== undefined, 'the second error');
    expect(finalFor(posted, 6)).toEqual({ type: 'error', id: 6, message: 'just a string' });
  });

  test('a warm-up failure posts an error and no ready', async () => {
    const { service, posted, knobs, reports } = setup();
    knobs.loadClassifier = () =>
      Promise.resolve(new FakeClassifier('cold', () => Promise.reject(new Error('shader failed'))));
    service.handle(load(8));
    await until(() => finalFor(posted, 8) !== undefined, 'the error');
    expect(finalFor(posted, 8)).toEqual({
      type: 'error',
      id: 8,
      message: 'shader failed',
      backends: reports,
    });
  });

  test('a warm-up failure disposes the classifier that was loaded', async () => {
    const { service, posted, knobs } = setup();
    const cold = new FakeClassifier('cold', () => Promise.reject(new Error('shader failed')));
    knobs.loadClassifier = () => Promise.resolve(cold);
    service.handle(load(8));
    await until(() => finalFor(posted, 8) !== undefined, 'the error');
    expect(cold.disposed).toBe(1);
  });

  test('a failed switch on the same backend keeps the previous model active', async () => {
    const { service, posted, knobs, classifiers } = await loaded();
    knobs.loadClassifier = () => Promise.reject(new Error('gone'));
    service.handle(load(2));
    await until(() => finalFor(posted, 2) !== undefined, 'the failed reload');
    const failure = finalFor(posted, 2);
    expect(failure).toMatchObject({ type: 'error', message: 'gone', kept: { backend: 'webgl' } });
    expect(classifiers[0]?.disposed).toBe(0);
    service.handle(classify(3));
    await until(() => classifiers[0]?.calls.length === 1, 'the old model to be asked');
    classifiers[0]?.calls[0]?.result.resolve(predictionsFor('old'));
    await until(() => finalFor(posted, 3) !== undefined, 'the classify answer');
    expect(finalFor(posted, 3)).toMatchObject({
      type: 'reply',
      predictions: predictionsFor('old'),
    });
  });

  test('a failed load on another backend disposes the old model and leaves none loaded', async () => {
    const { service, posted, knobs, classifiers } = await loaded();
    knobs.select = () => Promise.resolve({ backend: 'cpu', reports: [] });
    knobs.loadClassifier = () => Promise.reject(new Error('gone'));
    service.handle(load(2, 'cpu'));
    await until(() => finalFor(posted, 2) !== undefined, 'the failed reload');
    expect(finalFor(posted, 2)).toMatchObject({ type: 'error', message: 'gone' });
    expect(finalFor(posted, 2)).not.toHaveProperty('kept');
    expect(classifiers[0]?.disposed).toBe(1);
    service.handle(classify(3));
    await until(() => finalFor(posted, 3) !== undefined, 'the classify answer');
    expect(finalFor(posted, 3)).toEqual({
      type: 'error',
      id: 3,
      message: 'no model is loaded',
      code: 'no-model',
    });
  });

  test('a successful switch disposes the previous model exactly once', async () => {
    const { service, posted, classifiers } = await loaded();
    service.handle(load(2));
    await until(() => finalFor(posted, 2) !== undefined, 'the reload');
    expect(finalFor(posted, 2)?.type).toBe('reply');
    expect(classifiers[0]?.disposed).toBe(1);
    expect(classifiers[1]?.disposed).toBe(0);
  });
});

describe('InferenceService: classify', () => {
  test('a photo that reaches a fresh worker before its load waits for that load', async () => {
    const { service, posted, classifiers } = setup();
    service.handle(classify(1));
    await flush();
    expect(posted).toEqual([]); // waiting, not failed
    expect(service.pending).toBe(1);
    service.handle(load(2));
    await until(() => classifiers[0]?.calls.length === 1, 'the photo, after the load');
    classifiers[0]?.calls[0]?.result.resolve(predictionsFor('x'));
    await until(() => finalFor(posted, 1) !== undefined, 'the result');
    expect(finalFor(posted, 2)?.type).toBe('reply');
    expect(finalFor(posted, 1)).toMatchObject({ type: 'reply', predictions: predictionsFor('x') });
  });

  test("a photo when the load failed → error 'no model is loaded'", async () => {
    const { service, posted, knobs } = setup();
    knobs.loadClassifier = () => Promise.reject(new Error('404'));
    service.handle(classify(1));
    service.handle(load(2));
    await until(() => finalFor(posted, 1) !== undefined, 'an answer');
    expect(finalFor(posted, 2)).toMatchObject({ type: 'error', message: '404' });
    expect(finalFor(posted, 1)).toEqual({
      type: 'error',
      id: 1,
      message: 'no model is loaded',
      code: 'no-model',
    });
  });

  test('passes the pixels, size and k to the classifier and posts its result', async () => {
    const { service, posted, classifiers } = await loaded();
    const model = classifiers[0] as FakeClassifier;
    service.handle({ ...classify(2, 200), topK: 5 } as WorkerRequest);
    await until(() => model.calls.length === 1, 'the classify call');
    const call = model.calls[0] as ClassifyCall;
    expect(call).toMatchObject({ width: 2, height: 1, k: 5 });
    expect(call.bytes).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    call.result.resolve(predictionsFor('x'));
    await until(() => finalFor(posted, 2) !== undefined, 'the result');
    expect(finalFor(posted, 2)).toEqual({
      type: 'reply',
      id: 2,
      predictions: predictionsFor('x'),
      ms: 10,
      backend: 'webgl',
    });
  });

  test('requests run in order, one at a time', async () => {
    const { service, posted, classifiers } = await loaded();
    const model = classifiers[0] as FakeClassifier;
    for (const id of [10, 11, 12]) service.handle(classify(id));
    await flush();
    expect(model.calls).toHaveLength(1);
    expect(service.pending).toBe(2);
    for (let i = 0; i < 3; i++) {
      await until(() => model.calls.length === i + 1, `call ${i + 1}`);
      await flush();
      // Still only one call started while this one is pending.
      expect(model.calls).toHaveLength(i + 1);
      expect(model.calls[i]?.bytes[0]).toBe(10 + i);
      model.calls[i]?.result.resolve(predictionsFor(`r${i}`));
    }
    await until(() => finalFor(posted, 12) !== undefined, 'the last result');
    expect(model.maxActive).toBe(1);
    expect(service.pending).toBe(0);
    // (the load's reply, id 1, comes first)
    const results = posted.filter((m) => m.type === 'reply' && m.id >= 10);
    expect(results.map((m) => m.id)).toEqual([10, 11, 12]);
    expect(results.map((m) => (m as ReplyMessage<'classify'>).predictions[0]?.label)).toEqual([
      'r0',
      'r1',
      'r2',
    ]);
  });

  test('a request without a turn (the photo index) is answered during a photo; others wait for it', async () => {
    const asked: string[] = [];
    const handlers: ServiceDeps['handlers'] = {
      'photos-similar': ({ key }) => {
        asked.push(key);
        return Promise.resolve({ neighbours: [], known: true, size: 0, ms: 1 });
      },
      'photos-forget': () => Promise.resolve({ size: 0, dim: 0 }),
    };
    const { service, posted, classifiers } = await loaded({
      handlers,
      withoutTurn: new Set(['photos-similar']),
    });
    const model = classifiers[0] as FakeClassifier;
    service.handle(classify(10));
    await until(() => model.calls.length === 1, 'the photo under way');
    service.handle({ type: 'photos-similar', id: 20, library: 'l', key: 'a', k: 3 });
    service.handle({ type: 'photos-forget', id: 21, library: 'l' });
    await flush();
    // The similar photos are answered while the photo is still being classified …
    expect(finalFor(posted, 20)?.type).toBe('reply');
    expect(asked).toEqual(['a']);
    expect(finalFor(posted, 10)).toBeUndefined();
    // … a request that takes turns waits for the photo …
    expect(finalFor(posted, 21)).toBeUndefined();
    model.calls[0]?.result.resolve(predictionsFor('r'));
    await until(() => finalFor(posted, 21) !== undefined, 'the turn-taking request');
    expect(finalFor(posted, 21)?.type).toBe('reply');
    // … and the photo was answered before it, in its turn.
    const order = posted.filter((m) => m.type === 'reply' && m.id >= 10).map((m) => m.id);
    expect(order).toEqual([20, 10, 21]);
  });

  test('cancelling a queued request answers cancelled at once and it never runs', async () => {
    const { service, posted, classifiers } = await loaded();
    const model = classifiers[0] as FakeClassifier;
    service.handle(classify(20));
    service.handle(classify(21));
    service.handle(classify(22));
    await until(() => model.calls.length === 1, 'the first call');
    service.handle({ type: 'cancel', id: 99, target: 21 });
    expect(finalFor(posted, 21)).toEqual({ type: 'cancelled', id: 21 });
    expect(service.pending).toBe(1);
    model.calls[0]?.result.resolve(predictionsFor('first'));
    await until(() => model.calls.length === 2, 'the next call');
    expect(model.calls[1]?.bytes[0]).toBe(22);
    model.calls[1]?.result.resolve(predictionsFor('third'));
    await until(() => finalFor(posted, 22) !== undefined, 'the third result');
    await flush();
    expect(model.calls).toHaveLength(2);
    expect(finalFor(posted, 20)?.type).toBe('reply');
    expect(finalFor(posted, 22)?.type).toBe('reply');
    expect(messagesFor(posted, 21)).toEqual([{ type: 'cancelled', id: 21 }]);
  });

  test('cancelling the running request answers cancelled instead of result', async () => {
    const { service, posted, classifiers } = await loaded();
    const model = classifiers[0] as FakeClassifier;
    service.handle(classify(30));
    service.handle(classify(31));
    await until(() => model.calls.length === 1, 'the call');
    service.handle({ type: 'cancel', id: 98, target: 30 });
    await flush();
    expect(finalFor(posted, 30)).toBeUndefined(); // only answered when it finishes
    model.calls[0]?.result.resolve(predictionsFor('late'));
    await until(() => finalFor(posted, 30) !== undefined, 'the cancelled answer');
    expect(messagesFor(posted, 30)).toEqual([{ type: 'cancelled', id: 30 }]);
    // The next request is unaffected.
    await until(() => model.calls.length === 2, 'the next call');
    model.calls[1]?.result.resolve(predictionsFor('next'));
    await until(() => finalFor(posted, 31) !== undefined, 'the next result');
    expect(finalFor(posted, 31)?.type).toBe('reply');
  });

  test('a classify that throws posts an error and later requests still run', async () => {
    const { service, posted, classifiers } = await loaded();
    const model = classifiers[0] as FakeClassifier;
    service.handle(classify(40));
    service.handle(classify(41));
    await until(() => model.calls.length === 1, 'the call');
    model.calls[0]?.result.reject(new Error('expected 2×1 RGBA pixels'));
    await until(() => model.calls.length === 2, 'the next call');
    expect(finalFor(posted, 40)).toEqual({
      type: 'error',
      id: 40,
      message: 'expected 2×1 RGBA pixels',
    });
    model.calls[1]?.result.resolve(predictionsFor('fine'));
    await until(() => finalFor(posted, 41) !== undefined, 'the next result');
    expect(finalFor(posted, 41)).toMatchObject({ type: 'reply', id: 41 });
  });

  test('a second load waits for the running classify, then queued ones use the new model', async () => {
    const { service, posted, classifiers, selectCalls } = await loaded();
    const first = classifiers[0] as FakeClassifier;
    service.handle(classify(50));
    await until(() => first.calls.length === 1, 'the running call');
    service.handle(classify(51));
    service.handle(load(52, 'wasm'));
    service.handle(classify(53));
    await flush();
    // The reload has not started: the classify in progress still owns the model.
    expect(messagesFor(posted, 52)).toEqual([]);
    expect(selectCalls).toEqual(['auto']);
    expect(first.disposed).toBe(0);
    expect(classifiers).toHaveLength(1);

    first.calls[0]?.result.resolve(predictionsFor('old'));
    await until(() => finalFor(posted, 52)?.type === 'reply', 'the reload');
    expect(finalFor(posted, 50)).toMatchObject({ type: 'reply', id: 50 });
    const resultAt = posted.findIndex((m) => m.id === 50);
    const reloadAt = posted.findIndex((m) => m.id === 52);
    expect(resultAt).toBeLessThan(reloadAt);
    expect(selectCalls).toEqual(['auto', 'wasm']);
    expect(first.disposed).toBe(1);
    expect(first.calls).toHaveLength(1); // 51 and 53 never reached the old model

    const second = classifiers[1] as FakeClassifier;
    await until(() => second.calls.length === 1, 'the first queued call on the new model');
    expect(second.calls[0]?.bytes[0]).toBe(51);
    second.calls[0]?.result.resolve(predictionsFor('new'));
    await until(() => second.calls.length === 2, 'the second queued call');
    expect(second.calls[1]?.bytes[0]).toBe(53);
    second.calls[1]?.result.resolve(predictionsFor('new'));
    await until(() => finalFor(posted, 53) !== undefined, 'the last result');
    expect(finalFor(posted, 51)).toMatchObject({ type: 'reply', id: 51 });
    expect(finalFor(posted, 53)).toMatchObject({ type: 'reply', id: 53 });
    expect(first.maxActive + second.maxActive).toBe(2);
    expect(second.disposed).toBe(0);
  });

  test('classify requests that arrive during a load wait for it and use the new model', async () => {
    const { service, posted, classifiers, knobs } = setup();
    const download = deferred<Classifier>();
    knobs.loadClassifier = () => download.promise;
    service.handle(load(60));
    service.handle(classify(61));
    await flush();
    expect(finalFor(posted, 61)).toBeUndefined();
    const model = new FakeClassifier('late');
    classifiers.push(model);
    download.resolve(model);
    await until(() => model.calls.length === 1, 'the queued call');
    expect(finalFor(posted, 60)?.type).toBe('reply');
    model.calls[0]?.result.resolve(predictionsFor('ok'));
    await until(() => finalFor(posted, 61) !== undefined, 'the result');
    expect(finalFor(posted, 61)).toMatchObject({ type: 'reply', id: 61 });
  });
});

describe('InferenceService: measured backend choice (auto)', () => {
  function tuned(tune: ServiceDeps['tuneBackend']) {
    const posted: WorkerResponse[] = [];
    const classifier = new FakeClassifier('tuned');
    const seen: { select?: unknown; load?: unknown } = {};
    const service = new InferenceService({
      post: (m) => posted.push(m),
      selectBackend: (_choice, _avoid, options) => {
        seen.select = options;
        return Promise.resolve({ backend: 'webgl', reports: [report('webgl', true)] });
      },
      loadClassifier: (_entry, _progress, tuning) => {
        seen.load = tuning;
        return Promise.resolve(classifier);
      },
      tuneBackend: tune,
      now: () => 0,
    });
    return { service, posted, classifier, seen };
  }

  test('after the warm-up the tuner may switch backends; ready and results name the winner', async () => {
    const calls: unknown[] = [];
    const { service, posted, classifier, seen } = tuned((c, selected, warmupMs, onProgress) => {
      calls.push([c, selected.backend, warmupMs]);
      onProgress(1);
      return Promise.resolve({
        backend: 'wasm',
        reports: [{ ...report('wasm', true), steadyMs: 300, firstMs: 900, runs: 3 }],
      });
    });
    service.handle({
      type: 'load',
      id: 1,
      model: ENTRY,
      backend: 'auto',
      tuning: { remeasure: true, wasmThreads: 'off' },
    });
    await until(() => finalFor(posted, 1)?.type === 'reply', 'ready');
    expect(calls).toEqual([[classifier, 'webgl', 12.5]]);
    expect(seen.select).toEqual({
      modelId: `${ENTRY.id} ${ENTRY.url}`,
      tuning: { remeasure: true, wasmThreads: 'off' },
    });
    expect(seen.load).toEqual({ remeasure: true, wasmThreads: 'off' });
    expect(finalFor(posted, 1)).toMatchObject({
      type: 'reply',
      backend: 'wasm',
      backends: [{ backend: 'wasm', steadyMs: 300 }],
    });
    service.handle(classify(2));
    await until(() => classifier.calls.length === 1, 'the classify');
    classifier.calls[0]?.result.resolve(predictionsFor('x'));
    await until(() => finalFor(posted, 2) !== undefined, 'the result');
    expect(finalFor(posted, 2)).toMatchObject({ type: 'reply', backend: 'wasm' });
  });

  test('a failed measurement disposes the new model and reports the error', async () => {
    const { service, posted, classifier } = tuned(() =>
      Promise.reject(new Error('switching back to wasm failed')),
    );
    service.handle(load(1));
    await until(() => finalFor(posted, 1) !== undefined, 'an answer');
    expect(finalFor(posted, 1)).toMatchObject({
      type: 'error',
      message: 'switching back to wasm failed',
    });
    expect(classifier.disposed).toBe(1);
  });
});

describe('InferenceService: a second model on the same photo (also)', () => {
  const IMAGENET: ModelEntry = {
    ...ENTRY,
    id: 'imagenet',
    name: 'ImageNet net',
    url: 'https://example.test/imagenet/model.json',
  };

  /** Sets up a loaded service whose later loads give ImageNet classifiers. */
  async function loadedWithImageNet() {
    const s = await loaded();
    s.knobs.loadClassifier = (onProgress) => {
      onProgress(0.5);
      const c = new FakeClassifier(`model ${s.classifiers.length + 1}`);
      c.info.numClasses = 1000;
      s.classifiers.push(c);
      return Promise.resolve(c);
    };
    return s;
  }

  function classifyAlso(id: number, also: ModelEntry = IMAGENET): WorkerRequest {
    return { ...classify(id), also } as WorkerRequest;
  }

  /** Settles the next pending classify of `model` with `label`. */
  async function answer(model: FakeClassifier, index: number, label: string): Promise<void> {
    await until(() => model.calls.length > index, `classify ${index + 1} of ${model.name}`);
    model.calls[index]?.result.resolve(predictionsFor(label));
  }

  /** A loaded service that has classified photo 2 with the second model; both fakes. */
  async function firstPhotoWithSecondModel() {
    const s = await loadedWithImageNet();
    const main = s.classifiers[0] as FakeClassifier;
    s.service.handle(classifyAlso(2));
    await answer(main, 0, 'custom');
    await until(() => s.classifiers.length === 2, 'the second model');
    const second = s.classifiers[1] as FakeClassifier;
    await answer(second, 0, 'tabby');
    await until(() => finalFor(s.posted, 2) !== undefined, 'result 2');
    return { ...s, main, second };
  }

  test('loads the second model once, runs it on the same pixels and posts both answers', async () => {
    const { service, posted, classifiers, loadCalls } = await loadedWithImageNet();
    const main = classifiers[0] as FakeClassifier;
    service.handle(classifyAlso(2));
    await answer(main, 0, 'custom');
    await until(() => classifiers.length === 2, 'the second model');
    const second = classifiers[1] as FakeClassifier;
    expect(loadCalls.at(-1)).toEqual(IMAGENET);
    // the photo waits for that load, so its progress is reported under the photo's id
    expect(messagesFor(posted, 2)).toContainEqual({
      type: 'progress',
      id: 2,
      stage: 'download',
      fraction: 0.5,
      note: "loading ImageNet net for ImageNet's top-3",
    });
    await answer(second, 0, 'tabby');
    await until(() => finalFor(posted, 2) !== undefined, 'the result');
    expect(second.calls[0]?.bytes).toEqual(main.calls[0]?.bytes);
    expect(finalFor(posted, 2)).toMatchObject({
      type: 'reply',
      predictions: predictionsFor('custom'),
      also: { modelId: 'imagenet', name: 'model 2', predictions: predictionsFor('tabby') },
    });

    service.handle(classifyAlso(3));
    await answer(main, 1, 'custom');
    await answer(second, 1, 'tiger cat');
    await until(() => finalFor(posted, 3) !== undefined, 'the second result');
    expect(loadCalls).toHaveLength(2); // kept, not loaded again
    expect(finalFor(posted, 3)).toMatchObject({
      also: { predictions: predictionsFor('tiger cat') },
    });
  });

  test('a second model that fails to load is reported on each photo, tried again only later, never fatal', async () => {
    const s = await loaded();
    const main = s.classifiers[0] as FakeClassifier;
    s.knobs.loadClassifier = () => Promise.reject(new Error('offline and not cached'));
    for (const id of [2, 3]) {
      s.service.handle(classifyAlso(id));
      await answer(main, id - 2, 'custom');
      await until(() => finalFor(s.posted, id) !== undefined, `result ${id}`);
      expect(finalFor(s.posted, id)).toMatchObject({
        type: 'reply',
        predictions: predictionsFor('custom'),
        also: { modelId: 'imagenet', name: 'ImageNet net', error: 'offline and not cached' },
      });
    }
    expect(s.loadCalls).toHaveLength(2); // the first load, one failed try

    // Later (back online), a photo tries again and gets ImageNet's answer.
    s.advance(ALSO_RETRY_MS);
    s.knobs.loadClassifier = () => {
      const c = new FakeClassifier('back online');
      c.info.numClasses = 1000;
      s.classifiers.push(c);
      return Promise.resolve(c);
    };
    s.service.handle(classifyAlso(4));
    await answer(main, 2, 'custom');
    await until(() => s.classifiers.length === 2, 'the second model, this time');
    await answer(s.classifiers[1] as FakeClassifier, 0, 'tabby');
    await until(() => finalFor(s.posted, 4) !== undefined, 'result 4');
    expect(s.loadCalls).toHaveLength(3);
    expect(finalFor(s.posted, 4)).toMatchObject({ also: { predictions: predictionsFor('tabby') } });
  });

  test("removing the photo stops the second model's download; a model switch does too", async () => {
    const s = await loaded();
    const main = s.classifiers[0] as FakeClassifier;
    const signals: AbortSignal[] = [];
    s.knobs.loadClassifier = (_progress, signal) =>
      new Promise((_resolve, reject) => {
        if (signal) signals.push(signal);
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    s.service.handle(classifyAlso(2));
    await answer(main, 0, 'custom');
    await until(() => signals.length === 1, 'the download');
    s.service.handle({ type: 'cancel', id: 90, target: 2 });
    await until(() => finalFor(s.posted, 2) !== undefined, 'the answer');
    expect(signals[0]?.aborted).toBe(true);
    expect(finalFor(s.posted, 2)).toEqual({ type: 'cancelled', id: 2 });

    // the next photo starts the download again; a load request stops it
    s.service.handle(classifyAlso(3));
    await answer(main, 1, 'custom');
    await until(() => signals.length === 2, 'the second download');
    s.knobs.loadClassifier = () => Promise.resolve(new FakeClassifier('next'));
    s.service.handle(load(4));
    await until(() => finalFor(s.posted, 3) !== undefined, 'photo 3');
    expect(signals[1]?.aborted).toBe(true);
    expect(finalFor(s.posted, 3)).toMatchObject({
      type: 'reply',
      predictions: predictionsFor('custom'),
      also: { error: expect.stringMatching(/^stopped before it finished loading/) as unknown },
    });
    await until(() => finalFor(s.posted, 4)?.type === 'reply', 'the switch');
  });

  test('the second model gets the photo at its own size when the page sends it', async () => {
    const { service, posted, classifiers } = await loadedWithImageNet();
    const main = classifiers[0] as FakeClassifier;
    const own = { pixels: new Uint8Array(3 * 3 * 4).fill(7).buffer, width: 3, height: 3 };
    service.handle({ ...classify(2, 1), also: IMAGENET, alsoPixels: own } as WorkerRequest);
    await answer(main, 0, 'custom');
    await until(() => classifiers.length === 2, 'the second model');
    const second = classifiers[1] as FakeClassifier;
    await answer(second, 0, 'tabby');
    await until(() => finalFor(posted, 2) !== undefined, 'the result');
    expect(main.calls[0]).toMatchObject({ width: 2, height: 1 });
    expect(second.calls[0]).toMatchObject({ width: 3, height: 3 });
    expect(second.calls[0]?.bytes).toEqual(new Array(36).fill(7));
  });

  test('a second model that is not an ImageNet classifier is refused and freed', async () => {
    const s = await loaded(); // its loads give 3-class 'list' models
    const main = s.classifiers[0] as FakeClassifier;
    s.service.handle(classifyAlso(2));
    await answer(main, 0, 'custom');
    await until(() => finalFor(s.posted, 2) !== undefined, 'the result');
    expect(finalFor(s.posted, 2)).toMatchObject({
      predictions: predictionsFor('custom'),
      also: { error: 'model 2 is not an ImageNet classifier' },
    });
    expect(s.classifiers[1]?.disposed).toBe(1);
  });

  test('a photo without `also` frees the second model; the active model itself is not run twice', async () => {
    const { service, posted, loadCalls, main, second } = await firstPhotoWithSecondModel();

    service.handle(classify(3));
    await answer(main, 1, 'plain');
    await until(() => finalFor(posted, 3) !== undefined, 'result 3');
    expect(second.disposed).toBe(1);
    expect(finalFor(posted, 3)).not.toHaveProperty('also');

    service.handle(classifyAlso(4, ENTRY)); // `also` is the active model: nothing extra
    await answer(main, 2, 'same');
    await until(() => finalFor(posted, 4) !== undefined, 'result 4');
    expect(finalFor(posted, 4)).not.toHaveProperty('also');
    expect(loadCalls).toHaveLength(2);
  });

  test('a reload onto another backend disposes the second model (its tensors lived there)', async () => {
    const s = await firstPhotoWithSecondModel();
    const { second } = s;
    s.knobs.select = () => Promise.resolve({ backend: 'wasm', reports: s.reports });
    s.service.handle(load(5, 'wasm'));
    await until(() => finalFor(s.posted, 5)?.type === 'reply', 'the reload');
    expect(second.disposed).toBe(1);
    s.service.handle(classifyAlso(6));
    await answer(s.classifiers[2] as FakeClassifier, 0, 'custom');
    await until(() => s.classifiers.length === 4, 'the second model, loaded again');
    await answer(s.classifiers[3] as FakeClassifier, 0, 'tabby');
    await until(() => finalFor(s.posted, 6) !== undefined, 'result 6');
    expect(finalFor(s.posted, 6)).toMatchObject({ backend: 'wasm', also: { modelId: 'imagenet' } });
  });
});

describe('InferenceService: the download overlaps the backend start-up', () => {
  const ARTIFACTS: PreparedModel = {
    kind: 'original',
    artifacts: { modelTopology: { fake: true } },
    metadata: Promise.resolve(null),
  };

  function overlapping() {
    const posted: WorkerResponse[] = [];
    const backend = deferred<{ backend: BackendName; reports: BackendReport[] }>();
    const download = deferred<typeof ARTIFACTS | null>();
    const seen: { signal?: AbortSignal; passed?: unknown } = {};
    const order: string[] = [];
    const service = new InferenceService({
      post: (m) => posted.push(m),
      selectBackend: () => {
        order.push('select');
        return backend.promise;
      },
      prefetchModel: (_entry, onProgress, signal) => {
        order.push('prefetch');
        seen.signal = signal;
        onProgress(0.25);
        return download.promise;
      },
      loadClassifier: (_entry, _progress, _tuning, _signal, prefetched) => {
        seen.passed = prefetched;
        return prefetched!.then(() => new FakeClassifier('built from the download') as Classifier);
      },
      now: () => 0,
    });
    return { service, posted, backend, download, seen, order };
  }

  test('the files are fetched while the backend starts, then built from what was fetched', async () => {
    const o = overlapping();
    o.service.handle(load(1));
    await flush();
    expect(o.order).toEqual(['prefetch', 'select']);
    // download progress is shown during the backend's start-up (no backend named yet)
    expect(messagesFor(o.posted, 1)).toContainEqual({
      type: 'progress',
      id: 1,
      stage: 'download',
      fraction: 0.25,
    });
    o.backend.resolve({ backend: 'wasm', reports: [] });
    await flush();
    // picked up where the download was, now with the backend
    expect(messagesFor(o.posted, 1)).toContainEqual({
      type: 'progress',
      id: 1,
      stage: 'download',
      fraction: 0.25,
      backend: 'wasm',
    });
    o.download.resolve(ARTIFACTS);
    await until(() => finalFor(o.posted, 1)?.type === 'reply', 'ready');
    expect(o.seen.passed).toBeInstanceOf(Promise);
    await expect(o.seen.passed as Promise<unknown>).resolves.toBe(ARTIFACTS);
    expect(o.seen.signal?.aborted).toBe(false);
  });

  test('when no backend starts, the download is stopped and the backend error is reported', async () => {
    const o = overlapping();
    o.service.handle(load(1));
    await flush();
    o.backend.reject(new Error('no backend works here'));
    await until(() => finalFor(o.posted, 1) !== undefined, 'the answer');
    expect(finalFor(o.posted, 1)).toMatchObject({
      type: 'error',
      message: 'no backend works here',
    });
    expect(o.seen.signal?.aborted).toBe(true);
  });

  test("a failed download is reported with the loader's message", async () => {
    const o = overlapping();
    o.service.handle(load(1));
    o.download.reject(new Error('The model was not found at x (HTTP 404).'));
    await flush();
    o.backend.resolve({ backend: 'wasm', reports: [] });
    await until(() => finalFor(o.posted, 1) !== undefined, 'the answer');
    expect(finalFor(o.posted, 1)).toMatchObject({
      type: 'error',
      message: 'The model was not found at x (HTTP 404).',
    });
  });
});

describe('InferenceService: the photo engine', () => {
  function withEngine(select: ServiceDeps['selectEngine']) {
    const posted: WorkerResponse[] = [];
    const classifier = new FakeClassifier('engine');
    const order: string[] = [];
    const service = new InferenceService({
      post: (m) => posted.push(m),
      selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [report('wasm', true)] }),
      loadClassifier: () => Promise.resolve(classifier),
      tuneBackend: (_c, selected) => {
        order.push('tune');
        return Promise.resolve(selected);
      },
      selectEngine: (c, backend, tuning, onProgress) => {
        order.push(`engine on ${backend}`);
        onProgress?.(1);
        return select!(c, backend, tuning, onProgress);
      },
      now: () => 0,
    });
    return { service, posted, classifier, order };
  }

  test('the engine is chosen after the backend is settled; ready names it', async () => {
    const seen: unknown[] = [];
    const { service, posted, classifier, order } = withEngine((c, _backend, tuning) => {
      seen.push(c, tuning);
      return Promise.resolve({ engine: 'litert', detail: 'LiteRT.js: measured', litertMs: 80 });
    });
    service.handle({
      type: 'load',
      id: 1,
      model: ENTRY,
      backend: 'auto',
      tuning: { engine: 'auto' },
    });
    await until(() => finalFor(posted, 1)?.type === 'reply', 'ready');
    expect(order).toEqual(['tune', 'engine on wasm']);
    expect(seen).toEqual([classifier, { engine: 'auto' }]);
    expect(finalFor(posted, 1)).toMatchObject({
      type: 'reply',
      engine: { engine: 'litert', litertMs: 80 },
    });
  });

  test('a failing engine choice never fails the load: TensorFlow.js, with the reason', async () => {
    const { service, posted, classifier } = withEngine(() =>
      Promise.reject(new Error('IndexedDB exploded')),
    );
    service.handle(load(1));
    await until(() => finalFor(posted, 1) !== undefined, 'an answer');
    expect(finalFor(posted, 1)).toMatchObject({
      type: 'reply',
      engine: { engine: 'tfjs', detail: expect.stringContaining('IndexedDB exploded') as unknown },
    });
    expect(classifier.disposed).toBe(0);
  });
});

describe('InferenceService: what a load leaves for idle time (engineLater)', () => {
  function later(select: NonNullable<ServiceDeps['selectEngine']>) {
    const posted: WorkerResponse[] = [];
    const order: string[] = [];
    const classifiers: FakeClassifier[] = [];
    const service = new InferenceService({
      post: (m) => posted.push(m),
      selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [report('wasm', true)] }),
      loadClassifier: () => {
        const c = new FakeClassifier(`model ${classifiers.length + 1}`) as FakeClassifier &
          Classifier;
        c.keepFoldedCopy = () => {
          order.push(`keep ${c.name}`);
          delete c.keepFoldedCopy;
          return Promise.resolve(true);
        };
        classifiers.push(c);
        return Promise.resolve(c);
      },
      selectEngine: select,
      engineLater: true,
      idlePollMs: 2, // windows of 60 ms (after a photo) and 200 ms (before the first)
      now: () => 0,
    });
    return { service, posted, order, classifiers };
  }

  test('the load answers on TensorFlow.js; the engine is chosen after the queued photo, then the copy is kept', async () => {
    const s: ReturnType<typeof later> = later(async (_c, _backend, _tuning, _progress, turn) => {
      s.order.push('choice asked');
      const ms = await turn!(() => {
        s.order.push('choice step');
        return Promise.resolve(80);
      });
      return { engine: 'litert', detail: 'LiteRT.js: measured', litertMs: ms };
    });
    s.service.handle({ ...load(1), tuning: { engine: 'auto' } } as WorkerRequest);
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    // The page decodes the photos dropped meanwhile only once it hears 'ready': they come a
    // while later (here beyond the window after a photo, within the one before the first).
    await new Promise((resolve) => setTimeout(resolve, 100));
    s.service.handle(classify(2));
    expect(finalFor(s.posted, 1)).toMatchObject({
      type: 'reply',
      engine: { engine: 'tfjs', pending: true },
    });
    const model = s.classifiers[0]!;
    await until(() => model.calls.length === 1, 'the photo');
    await flush();
    // The photo holds the worker: the choice's step and the copy wait for it.
    expect(s.order).not.toContain('choice step');
    expect(s.order.filter((o) => o.startsWith('keep'))).toEqual([]);
    s.order.push('photo answered');
    model.calls[0]!.result.resolve(predictionsFor('x'));
    await vi.waitFor(() => expect(s.order).toContain('keep model 1'), { timeout: 5_000 });
    expect(s.order).toEqual(['choice asked', 'photo answered', 'choice step', 'keep model 1']);
    expect(s.posted.find((m) => m.type === 'engine-chosen')).toMatchObject({
      id: 0,
      modelId: ENTRY.id,
      modelUrl: ENTRY.url,
      engine: { engine: 'litert', litertMs: 80 },
    });
  });

  test("'settled' comes only once the choice and the copy are done, never while one is pending", async () => {
    const gate = deferred<void>();
    const s: ReturnType<typeof later> = later(async (_c, _backend, _tuning, _progress, turn) => {
      await gate.promise;
      const ms = await turn!(() => Promise.resolve(80));
      return { engine: 'litert', detail: 'LiteRT.js: measured', litertMs: ms };
    });
    const settled = () => s.posted.filter((m) => m.type === 'settled');
    s.service.handle({ ...load(1), tuning: { engine: 'auto' } } as WorkerRequest);
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    // The choice is pending (held by the gate) well past the idle window: no 'settled'.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled()).toEqual([]);
    gate.resolve();
    await vi.waitFor(() => expect(settled()).toHaveLength(1), { timeout: 5_000 });
    expect(settled()[0]).toEqual({
      type: 'settled',
      id: 0,
      modelId: ENTRY.id,
      modelUrl: ENTRY.url,
    });
    // After the engine's announcement and the folded copy, in that order.
    const types = s.posted.map((m) => m.type);
    expect(types.indexOf('engine-chosen')).toBeLessThan(types.indexOf('settled'));
    expect(s.order).toEqual(['keep model 1']);
  });

  test("a copy still being written holds 'settled' back", async () => {
    const s = later(() => Promise.resolve({ engine: 'litert', detail: 'as asked' }));
    const written = deferred<boolean>();
    s.service.handle({ ...load(1), tuning: { engine: 'litert' } } as WorkerRequest);
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    const model = s.classifiers[0]! as FakeClassifier & Classifier;
    model.keepFoldedCopy = () => {
      s.order.push('writing');
      return written.promise;
    };
    await vi.waitFor(() => expect(s.order).toEqual(['writing']), { timeout: 5_000 });
    await flush();
    expect(s.posted.some((m) => m.type === 'settled')).toBe(false);
    written.resolve(true);
    await vi.waitFor(() => expect(s.posted.some((m) => m.type === 'settled')).toBe(true), {
      timeout: 5_000,
    });
  });

  test('in a long batch the choice does not wait for idle: its steps take turns between photos', async () => {
    const s: ReturnType<typeof later> = later(async (_c, _backend, _tuning, _progress, turn) => {
      const ms = await turn!(() => {
        s.order.push('choice step');
        return Promise.resolve(80);
      });
      return { engine: 'litert', detail: 'LiteRT.js: measured', litertMs: ms };
    });
    s.service.handle({ ...load(1), tuning: { engine: 'auto' } } as WorkerRequest);
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    for (let id = 2; id < 22; id++) s.service.handle(classify(id));
    const model = s.classifiers[0]!;
    // Answer photos one at a time; the queue never empties before the 20th.
    for (let n = 1; n <= 20; n++) {
      await until(() => model.calls.length === n || s.order.includes('choice step'), `photo ${n}`);
      if (model.calls.length < n) break;
      s.order.push(`photo ${n}`);
      model.calls[n - 1]!.result.resolve(predictionsFor('x'));
      await flush();
    }
    await vi.waitFor(() => expect(s.order).toContain('choice step'), { timeout: 5_000 });
    const at = s.order.indexOf('choice step');
    // After the 8th photo, with photos still queued — not after the batch.
    expect(s.order.slice(0, at).filter((o) => o.startsWith('photo')).length).toBeGreaterThanOrEqual(
      8,
    );
    expect(s.order.slice(0, at)).not.toContain('photo 20');
  });

  test('a forced engine is chosen with the load, as before', async () => {
    const s = later(() => Promise.resolve({ engine: 'litert', detail: 'as asked' }));
    s.service.handle({ ...load(1), tuning: { engine: 'litert' } } as WorkerRequest);
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    expect(finalFor(s.posted, 1)).toMatchObject({ engine: { engine: 'litert' } });
    await vi.waitFor(() => expect(s.order).toEqual(['keep model 1']), { timeout: 5_000 });
    expect(s.posted.some((m) => m.type === 'engine-chosen')).toBe(false);
  });

  test('a later load stops the pending choice: nothing is installed or announced for the old model', async () => {
    const gate = deferred<void>();
    const wantedSeen: boolean[] = [];
    let calls = 0;
    const s: ReturnType<typeof later> = later(
      async (_c, _backend, _tuning, _progress, turn, stillWanted) => {
        if (++calls > 1) return { engine: 'tfjs', detail: 'second' };
        await gate.promise;
        const step = await turn!(() => Promise.resolve('ran')).catch((e: Error) => e.message);
        s.order.push(`step: ${step}`);
        wantedSeen.push(stillWanted!());
        return { engine: 'litert', detail: 'stale' };
      },
    );
    s.service.handle(load(1));
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready 1');
    s.service.handle(load(3));
    gate.resolve();
    await until(() => finalFor(s.posted, 3)?.type === 'reply', 'ready 3');
    await vi.waitFor(() => expect(wantedSeen).toEqual([false]), { timeout: 5_000 });
    expect(s.order).toContain('step: another model was loaded');
    await flush();
    const events = s.posted.filter((m) => m.type === 'engine-chosen');
    expect(events.map((e) => (e as { engine: { detail: string } }).engine.detail)).toEqual([
      'second',
    ]);
    // Only the later load says it has settled.
    await vi.waitFor(() => expect(s.order).toContain('keep model 2'), { timeout: 5_000 });
    await vi.waitFor(() => expect(s.posted.filter((m) => m.type === 'settled')).toHaveLength(1), {
      timeout: 5_000,
    });
    const last = s.posted.filter((m) => m.type !== 'progress').at(-1);
    expect(last?.type).toBe('settled');
  });
});

describe('InferenceService: every load progress says where the model comes from', () => {
  test('the source is known before the first progress and sent with each', async () => {
    const posted: WorkerResponse[] = [];
    const order: string[] = [];
    const service = new InferenceService({
      post: (m) => posted.push(m),
      modelSource: () => {
        order.push('source');
        return Promise.resolve('browser');
      },
      selectBackend: () => {
        order.push('select');
        return Promise.resolve({ backend: 'wasm', reports: [] });
      },
      prefetchModel: (_entry, onProgress) => {
        order.push('prefetch');
        onProgress(0.5);
        return Promise.resolve(null);
      },
      loadClassifier: () => Promise.resolve(new FakeClassifier('stored') as Classifier),
      now: () => 0,
    });
    service.handle(load(1));
    await until(() => finalFor(posted, 1)?.type === 'reply', 'ready');
    expect(order.slice(0, 2)).toEqual(['source', 'prefetch']);
    const progress = messagesFor(posted, 1).filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThan(2);
    for (const m of progress) expect(m).toMatchObject({ source: 'browser' });
  });

  test('a failing check says network rather than promise a local read', async () => {
    const posted: WorkerResponse[] = [];
    const service = new InferenceService({
      post: (m) => posted.push(m),
      modelSource: () => Promise.reject(new Error('caches unavailable')),
      selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [] }),
      loadClassifier: () => Promise.resolve(new FakeClassifier('fetched') as Classifier),
      now: () => 0,
    });
    service.handle(load(1));
    await until(() => finalFor(posted, 1)?.type === 'reply', 'ready');
    const progress = messagesFor(posted, 1).filter((m) => m.type === 'progress');
    for (const m of progress) expect(m).toMatchObject({ source: 'network' });
  });
});

describe('InferenceService: a return visit that starts on a kept engine (startKept)', () => {
  const KEPT_REPORT = {
    engine: 'litert' as const,
    detail: 'LiteRT.js: started from the .tflite kept on an earlier visit',
  };

  function keptSetup(
    selected: { backend: BackendName; tuning?: { candidates: BackendName[] } | null },
    tuning: Record<string, unknown> = {},
  ) {
    const posted: WorkerResponse[] = [];
    const loads: string[] = [];
    const kept = Object.assign(new FakeClassifier('kept'), { engineReport: KEPT_REPORT });
    let keptAsked = 0;
    let chooserAsked = 0;
    const service = new InferenceService({
      post: (m) => posted.push(m),
      selectBackend: () =>
        Promise.resolve({ ...selected, reports: [report(selected.backend, true)] }),
      prefetchModel: () => Promise.resolve(null),
      startKept: () => {
        keptAsked += 1;
        return Promise.resolve(kept as Classifier);
      },
      loadClassifier: () => {
        loads.push('tfjs');
        return Promise.resolve(new FakeClassifier('tfjs') as Classifier);
      },
      selectEngine: () => {
        chooserAsked += 1;
        return Promise.resolve({ engine: 'tfjs', detail: 'measured' });
      },
      engineLater: true,
      idlePollMs: 1,
      now: () => 0,
    });
    service.handle({ ...load(1), tuning } as WorkerRequest);
    return {
      service,
      posted,
      loads,
      kept,
      asked: () => ({ kept: keptAsked, chooser: chooserAsked }),
    };
  }

  test.each([
    ['remembered', null],
    // automatic with no other candidate (software GPUs are not compared): nothing is measured
    ['the only candidate', { candidates: ['wasm'] as BackendName[] }],
  ])(
    'on WebAssembly settled without measuring (%s), photos start on it: no TF.js model built, no choice after',
    async (_why, tuning) => {
      const s = keptSetup({ backend: 'wasm', tuning });
      await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
      expect(finalFor(s.posted, 1)).toMatchObject({ type: 'reply', engine: KEPT_REPORT });
      expect(s.loads).toEqual([]);
      // its warm-up is asked for once (the kept engine answers with its check's time)
      expect(s.kept.warmUps).toBe(1);
      await until(() => s.posted.some((m) => m.type === 'settled'), 'settled');
      expect(s.asked()).toEqual({ kept: 1, chooser: 0 });
      s.service.handle(classify(2));
      await until(() => s.kept.calls.length === 1, 'the photo on the kept engine');
      s.kept.calls[0]!.result.resolve(predictionsFor('kept'));
      await until(() => finalFor(s.posted, 2)?.type === 'reply', 'the answer');
      expect(s.kept.disposed).toBe(0);
    },
  );

  test('on another backend, or WebAssembly still to be measured, it is let go and the usual load runs', async () => {
    for (const selected of [
      { backend: 'webgl' as const, tuning: null },
      { backend: 'wasm' as const, tuning: { candidates: ['wasm', 'webgl'] as BackendName[] } },
    ]) {
      const s = keptSetup(selected);
      await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
      expect(s.loads).toEqual(['tfjs']);
      expect(s.kept.disposed).toBe(1);
      expect(finalFor(s.posted, 1)).not.toMatchObject({ engine: KEPT_REPORT });
    }
  });

  test('?engine=tfjs never asks for it', async () => {
    const s = keptSetup({ backend: 'wasm', tuning: null }, { engine: 'tfjs' });
    await until(() => finalFor(s.posted, 1)?.type === 'reply', 'ready');
    expect(s.asked().kept).toBe(0);
    expect(s.loads).toEqual(['tfjs']);
  });
});
