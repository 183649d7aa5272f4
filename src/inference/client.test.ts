import { describe, expect, test } from 'vitest';
import type { ModelEntry } from '../models/registry';
import {
  CancelledError,
  InferenceClient,
  WorkerError,
  WorkerCrashedError,
  type LoadProgress,
  type WorkerLike,
} from './client';
import type {
  BackendReport,
  GradCamResult,
  LoadedModelInfo,
  WorkerEvent,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

const ENTRY: ModelEntry = {
  id: 'fake',
  name: 'Fake net',
  url: 'https://example.test/fake/model.json',
  inputSize: 4,
  inputRange: [-1, 1],
  labels: { kind: 'imagenet' },
  labelOffset: 0,
};

const INFO: LoadedModelInfo = {
  id: 'fake',
  name: 'Fake net',
  url: ENTRY.url,
  inputSize: 4,
  inputRange: [-1, 1],
  numClasses: 1000,
  labelSource: 'imagenet',
  params: 1234,
};

const REPORTS: BackendReport[] = [
  {
    backend: 'webgpu',
    available: true,
    ok: false,
    software: false,
    tried: true,
    detail: 'no adapter',
  },
  { backend: 'webgl', available: true, ok: true, software: false, tried: true, detail: 'ANGLE' },
];

type Listener = (event: unknown) => void;

/** A Worker stand-in: records what is posted, lets the test emit events. */
class FakeWorker {
  readonly posted: { message: WorkerRequest; transfer: unknown }[] = [];
  readonly listeners = new Map<string, Listener[]>();
  terminated = 0;
  preventedErrors = 0;

  postMessage(message: unknown, transfer?: unknown): void {
    this.posted.push({ message: message as WorkerRequest, transfer });
  }

  terminate(): void {
    this.terminated++;
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  emitMessage(data: WorkerResponse): void {
    for (const l of this.listeners.get('message') ?? []) l({ data });
  }

  emitError(message: string): void {
    const event = { message, preventDefault: () => this.preventedErrors++ };
    for (const l of this.listeners.get('error') ?? []) l(event);
  }

  /** The last request posted. */
  last(): WorkerRequest {
    const entry = this.posted[this.posted.length - 1];
    if (!entry) throw new Error('nothing was posted');
    return entry.message;
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new InferenceClient((): WorkerLike => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  });
  const worker = (i = 0): FakeWorker => {
    const w = workers[i];
    if (!w) throw new Error(`worker ${i} was not created`);
    return w;
  };
  return { client, workers, worker };
}

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  const done = promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return { state, done };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InferenceClient', () => {
  test('creates the worker lazily, once', async () => {
    const { client, workers } = setup();
    expect(workers).toHaveLength(0);
    const a = track(client.load(ENTRY, 'auto'));
    const b = track(client.classify(new ArrayBuffer(4), 1, 1));
    expect(workers).toHaveLength(1);
    expect(workers[0]?.posted).toHaveLength(2);
    client.terminate();
    await Promise.all([a.done, b.done]);
  });

  test('start() creates the worker ahead of the first request, once', () => {
    const { client, workers } = setup();
    expect(workers).toHaveLength(0);
    client.start();
    client.start();
    expect(workers).toHaveLength(1);
    void client.load(ENTRY, 'auto').catch(() => undefined);
    expect(workers).toHaveLength(1); // the request goes to the worker already started
    expect(workers[0]?.posted).toHaveLength(1);
    client.terminate();
  });

  test('load posts a load request, reports progress and resolves on ready', async () => {
    const { client, worker } = setup();
    const progress: LoadProgress[] = [];
    const call = track(client.load(ENTRY, 'webgl', (p) => progress.push(p)));
    const request = worker().last();
    expect(Number.isInteger(request.id)).toBe(true);
    expect(request).toEqual({
      type: 'load',
      id: request.id,
      model: ENTRY,
      backend: 'webgl',
    });
    expect(worker().posted[0]?.transfer).toEqual([]);
    const id = request.id;

    worker().emitMessage({ type: 'progress', id, stage: 'backend', fraction: 0 });
    worker().emitMessage({
      type: 'progress',
      id,
      stage: 'download',
      fraction: 0.25,
      backend: 'webgl',
    });
    // Messages for other requests are not ours.
    worker().emitMessage({ type: 'progress', id: id + 100, stage: 'warming', fraction: 0 });
    worker().emitMessage({
      type: 'reply',
      id: id + 100,
      backend: 'cpu',
      model: INFO,
      backends: [],
      warmupMs: 1,
    });
    await tick();
    expect(call.state.settled).toBe(false);
    expect(progress).toEqual([
      { stage: 'backend', fraction: 0 },
      { stage: 'download', fraction: 0.25, backend: 'webgl' },
    ]);
    expect(progress[0]).not.toHaveProperty('backend');

    worker().emitMessage({
      type: 'reply',
      id,
      backend: 'webgl',
      model: INFO,
      backends: REPORTS,
      warmupMs: 321,
    });
    await call.done;
    expect(call.state.value).toEqual({
      backend: 'webgl',
      model: INFO,
      backends: REPORTS,
      warmupMs: 321,
    });
    // Later messages for a settled request are ignored.
    worker().emitMessage({ type: 'progress', id, stage: 'warming', fraction: 1 });
    expect(progress).toHaveLength(2);
  });

  test('classify transfers the pixel buffer and resolves with the result', async () => {
    const { client, worker } = setup();
    const pixels = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
    const call = track(client.classify(pixels, 2, 1, { topK: 5 }));
    const posted = worker().posted[0];
    expect(Number.isInteger(posted?.message.id)).toBe(true);
    expect(posted?.message).toEqual({
      type: 'classify',
      id: posted?.message.id,
      pixels,
      width: 2,
      height: 1,
      topK: 5,
    });
    expect(posted?.message.type === 'classify' && posted.message.pixels).toBe(pixels);
    expect(posted?.transfer).toEqual([pixels]);
    expect((posted?.transfer as unknown[])[0]).toBe(pixels);

    const predictions = [{ index: 3, label: 'tiger shark', probability: 0.5 }];
    worker().emitMessage({
      type: 'reply',
      id: worker().last().id,
      predictions,
      ms: 17,
      backend: 'wasm',
    });
    await call.done;
    expect(call.state.value).toEqual({ predictions, ms: 17, backend: 'wasm' });
  });

  test('classify with `also` sends the second model, reports its loading and resolves with both answers', async () => {
    const { client, worker } = setup();
    const progress: LoadProgress[] = [];
    const call = track(
      client.classify(new ArrayBuffer(4), 1, 1, {
        also: ENTRY,
        onProgress: (p) => progress.push(p),
      }),
    );
    const sent = worker().last();
    expect(sent.type === 'classify' && sent.also).toEqual(ENTRY);
    expect(worker().posted.at(-1)?.transfer).toHaveLength(1); // no second image: one buffer
    const own = { pixels: new ArrayBuffer(8), width: 1, height: 2 };
    void client
      .classify(new ArrayBuffer(4), 1, 1, { also: ENTRY, alsoPixels: own })
      .catch(() => undefined);
    const both = worker().posted.at(-1);
    expect(both?.message.type === 'classify' && both.message.alsoPixels).toEqual(own);
    expect((both?.transfer as unknown[])[1]).toBe(own.pixels); // moved, not copied
    worker().emitMessage({
      type: 'progress',
      id: sent.id,
      stage: 'download',
      fraction: 0.25,
      note: 'loading X',
    });
    expect(progress).toEqual([{ stage: 'download', fraction: 0.25, note: 'loading X' }]);
    const predictions = [{ index: 0, label: 'warm', probability: 0.9 }];
    const also = { modelId: ENTRY.id, name: 'X', predictions, ms: 3 };
    worker().emitMessage({
      type: 'reply',
      id: sent.id,
      predictions,
      ms: 5,
      backend: 'wasm',
      also,
    });
    await call.done;
    expect(call.state.value).toEqual({ predictions, ms: 5, backend: 'wasm', also });
  });

  test('classify asks for the top 3 by default; every request gets a new id', () => {
    const { client, worker } = setup();
    void client.classify(new ArrayBuffer(4), 1, 1).catch(() => undefined);
    void client.classify(new ArrayBuffer(4), 1, 1).catch(() => undefined);
    const [a, b] = worker().posted.map((p) => p.message);
    expect(a?.type === 'classify' && a.topK).toBe(3);
    expect(a?.id).not.toBe(b?.id);
    client.terminate();
  });

  test('an error answer rejects with a WorkerError carrying the backend reports', async () => {
    const { client, worker } = setup();
    const call = track(client.load(ENTRY, 'auto'));
    worker().emitMessage({
      type: 'error',
      id: worker().last().id,
      message: 'no backend works',
      backends: REPORTS,
    });
    await call.done;
    expect(call.state.error).toBeInstanceOf(WorkerError);
    expect(call.state.error).toMatchObject({
      name: 'WorkerError',
      message: 'no backend works',
      backends: REPORTS,
    });
  });

  test('an error answer without reports has backends undefined', async () => {
    const { client, worker } = setup();
    const call = track(client.classify(new ArrayBuffer(4), 1, 1));
    worker().emitMessage({ type: 'error', id: worker().last().id, message: 'no model is loaded' });
    await call.done;
    expect(call.state.error).toBeInstanceOf(WorkerError);
    expect((call.state.error as WorkerError).backends).toBeUndefined();
    expect((call.state.error as Error).message).toBe('no model is loaded');
  });

  test('aborting posts a cancel for the request and rejects once the worker confirms', async () => {
    const { client, worker } = setup();
    const controller = new AbortController();
    const call = track(client.classify(new ArrayBuffer(4), 1, 1, { signal: controller.signal }));
    const target = worker().last().id;
    controller.abort();
    expect(worker().posted).toHaveLength(2);
    const cancel = worker().last();
    expect(Number.isInteger(cancel.id)).toBe(true);
    expect(cancel).toEqual({ type: 'cancel', id: cancel.id, target });
    expect(cancel.id).not.toBe(target);
    await tick();
    expect(call.state.settled).toBe(false);

    worker().emitMessage({ type: 'cancelled', id: target });
    await call.done;
    expect(call.state.error).toBeInstanceOf(CancelledError);
    expect((call.state.error as Error).message).toBe('cancelled');
    expect((call.state.error as Error).name).toBe('CancelledError');
  });

  test('aborting after the answer posts nothing', async () => {
    const { client, worker } = setup();
    const controller = new AbortController();
    const call = track(client.classify(new ArrayBuffer(4), 1, 1, { signal: controller.signal }));
    worker().emitMessage({
      type: 'reply',
      id: worker().last().id,
      predictions: [],
      ms: 1,
      backend: 'cpu',
    });
    await call.done;
    controller.abort();
    expect(worker().posted).toHaveLength(1);
    expect(call.state.error).toBeUndefined();
  });

  test('an already-aborted signal rejects at once without posting or starting a worker', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    controller.abort();
    await expect(
      client.classify(new ArrayBuffer(4), 1, 1, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(workers).toHaveLength(0);
  });

  test('a worker error rejects every pending call and the next call starts a new worker', async () => {
    const { client, workers, worker } = setup();
    const load = track(client.load(ENTRY, 'auto'));
    const first = track(client.classify(new ArrayBuffer(4), 1, 1));
    const second = track(client.classify(new ArrayBuffer(4), 1, 1));
    worker().emitError('out of memory');
    await Promise.all([load.done, first.done, second.done]);
    for (const call of [load, first, second]) {
      expect(call.state.error).toBeInstanceOf(Error);
      expect((call.state.error as Error).message).toBe(
        'The inference worker stopped: out of memory',
      );
    }
    expect(worker(0).terminated).toBe(1);
    expect(worker(0).preventedErrors).toBe(1);
    expect(workers).toHaveLength(1);

    const again = track(client.classify(new ArrayBuffer(4), 1, 1));
    expect(workers).toHaveLength(2);
    expect(worker(0).posted).toHaveLength(3);
    expect(worker(1).posted).toHaveLength(1);
    // A late answer from the dead worker for a call it had changes nothing.
    const firstId = worker(0).posted[1]?.message.id ?? -1;
    worker(0).emitMessage({ type: 'reply', id: firstId, predictions: [], ms: 1, backend: 'cpu' });
    expect(first.state.value).toBeUndefined();
    worker(1).emitMessage({
      type: 'reply',
      id: worker(1).last().id,
      predictions: [],
      ms: 2,
      backend: 'wasm',
    });
    await again.done;
    expect(again.state.value).toEqual({ predictions: [], ms: 2, backend: 'wasm' });
  });

  test('a worker error without a message still mentions the worker', async () => {
    const { client, worker } = setup();
    const call = track(client.load(ENTRY, 'auto'));
    worker().emitError('');
    await call.done;
    expect((call.state.error as Error).message).toBe('The inference worker stopped: it crashed');
  });

  test('a second error event from the same dead worker is ignored', async () => {
    const { client, workers, worker } = setup();
    const call = track(client.load(ENTRY, 'auto'));
    worker().emitError('first');
    worker().emitError('second');
    await call.done;
    expect(worker().terminated).toBe(1);
    expect((call.state.error as Error).message).toMatch(/first/);
    expect(workers).toHaveLength(1);
  });

  test('terminate rejects pending calls and the next call starts a new worker', async () => {
    const { client, workers, worker } = setup();
    const call = track(client.classify(new ArrayBuffer(4), 1, 1));
    client.terminate();
    await call.done;
    expect((call.state.error as Error).message).toBe('The inference worker was stopped.');
    expect(worker(0).terminated).toBe(1);
    client.terminate(); // no worker: nothing to do
    expect(worker(0).terminated).toBe(1);
    const next = track(client.load(ENTRY, 'cpu'));
    expect(workers).toHaveLength(2);
    client.terminate();
    await next.done;
  });

  test('a crash is a WorkerCrashedError and tells the crash listeners; terminate is not a crash', async () => {
    const { client, worker } = setup();
    const reasons: string[] = [];
    const unsubscribe = client.onCrash((reason) => reasons.push(reason));
    const call = track(client.classify(new ArrayBuffer(4), 1, 1));
    worker(0).emitError('boom');
    await call.done;
    expect(call.state.error).toBeInstanceOf(WorkerCrashedError);
    expect(reasons).toEqual(['The inference worker stopped: boom']);

    const next = track(client.classify(new ArrayBuffer(4), 1, 1));
    client.terminate();
    await next.done;
    expect(next.state.error).not.toBeInstanceOf(WorkerCrashedError);
    expect(reasons).toHaveLength(1);

    const third = track(client.classify(new ArrayBuffer(4), 1, 1));
    client.restart('restarted by the test');
    await third.done;
    expect(third.state.error).toBeInstanceOf(WorkerCrashedError);
    expect(reasons[1]).toBe('The inference worker was restarted by the test.');
    unsubscribe();
    const fourth = track(client.classify(new ArrayBuffer(4), 1, 1));
    worker(3).emitError('again');
    await fourth.done;
    expect(reasons).toHaveLength(2);
  });

  test('events nobody waits for go to the event listeners; stray answers do not', () => {
    const { client, worker } = setup();
    const seen: WorkerEvent[] = [];
    client.onEvent((m) => seen.push(m));
    void track(client.classify(new ArrayBuffer(4), 1, 1));
    const lost: WorkerEvent = { type: 'backend-lost', id: 0, backend: 'webgpu', reason: 'gone' };
    const settled: WorkerEvent = { type: 'settled', id: 0, modelId: 'm', modelUrl: 'u' };
    worker().emitMessage({ type: 'cancelled', id: 0 });
    worker().emitMessage(lost);
    worker().emitMessage(settled);
    expect(seen).toEqual([lost, settled]);
  });

  test('call sends the request flat, hears its progress and resolves with its reply', async () => {
    const { client, worker } = setup();
    const stages: string[] = [];
    const pixels = new ArrayBuffer(16);
    const request = { pixels, width: 2, height: 2, classIndex: 7 };
    const call = track(
      client.call('grad-cam', request, {
        transfer: [pixels],
        onProgress: ({ stage }) => stages.push(stage),
      }),
    );
    const posted = worker().posted[0];
    expect(posted?.message).toEqual({ type: 'grad-cam', id: posted?.message.id, ...request });
    expect(posted?.transfer).toEqual([pixels]);
    const id = worker().last().id;
    worker().emitMessage({ type: 'progress', id, stage: 'forward' });
    worker().emitMessage({ type: 'progress', id, stage: 'gradient' });
    const result = { layer: 'mixed10', ms: 3 } as unknown as GradCamResult;
    worker().emitMessage({ type: 'reply', id, result });
    await call.done;
    expect(stages).toEqual(['forward', 'gradient']);
    expect(call.state.value).toEqual({ result });
  });

  test('an error with a code rejects with that code (the page never reads the English text)', async () => {
    const { client, worker } = setup();
    const call = track(client.call('library-rename', { key: 'm1', name: 'x' }));
    worker().emitMessage({
      type: 'error',
      id: worker().last().id,
      message: 'That model is no longer stored in this browser.',
      code: 'model-deleted',
    });
    await call.done;
    expect(call.state.error).toBeInstanceOf(WorkerError);
    expect((call.state.error as WorkerError).code).toBe('model-deleted');
  });
});
