import { describe, expect, it } from 'vitest';
import { example } from './teach-test-kit';
import { CancelledError, type InferenceClient } from '../../inference/client';
import { defaultSettings, type TrainReport, type WorkerRequest } from '../../inference/protocol';
import {
  cancelTraining,
  estimateKey,
  markSaved,
  runState,
  startTraining,
  watchRunWorker,
} from './teach-run';
import { createTeachStore } from './teach-store';

/** Two classes with two photos each, all already in the worker. */
function readyStore() {
  const store = createTeachStore();
  store.dispatch({
    type: 'examples-added',
    examples: [
      example('a1', 'class-1'),
      example('a2', 'class-1'),
      example('b1', 'class-2'),
      example('b2', 'class-2'),
    ],
  });
  return store;
}

/** A client whose training call waits until the test finishes it or the page aborts it. */
function fakeClient() {
  const crash = new Set<(reason: string) => void>();
  let finish: ((report: TrainReport) => void) | null = null;
  const client = {
    call(type: WorkerRequest['type'], _fields: object, options: { signal?: AbortSignal } = {}) {
      if (type !== 'train-start') return Promise.resolve({ stored: 0 });
      return new Promise((resolve, reject) => {
        finish = (report) => resolve({ report });
        options.signal?.addEventListener('abort', () => reject(new CancelledError()), {
          once: true,
        });
      });
    },
    onCrash(listener: (reason: string) => void) {
      crash.add(listener);
      return () => crash.delete(listener);
    },
  } as unknown as InferenceClient;
  return {
    client,
    finish: (report: TrainReport) => finish?.(report),
    crash: () => crash.forEach((l) => l('crashed')),
  };
}

const REPORT = { classNames: ['Class 1', 'Class 2'] } as unknown as TrainReport;

describe('a training run as the page follows it', () => {
  it('an estimate holds for the same photos in any order, not for other photos or settings', () => {
    const settings = defaultSettings('scratch');
    const key = estimateKey(settings, ['a', 'b', 'c'], 'm');
    expect(estimateKey(settings, ['c', 'a', 'b'], 'm')).toBe(key);
    expect(estimateKey(settings, ['a', 'b', 'd'], 'm')).not.toBe(key); // one photo swapped
    expect(estimateKey(settings, ['a', 'b', 'c'], 'other')).not.toBe(key);
    expect(
      estimateKey({ ...settings, epochs: settings.epochs + 1 }, ['a', 'b', 'c'], 'm'),
    ).not.toBe(key);
  });

  it('cancel says so at once and ends in "cancelled"', async () => {
    const fake = fakeClient();
    const running = startTraining(fake.client, 2, readyStore());
    await Promise.resolve();
    expect(runState()).toMatchObject({ status: 'training', cancelling: false });
    cancelTraining();
    expect(runState().cancelling).toBe(true);
    await running;
    expect(runState()).toMatchObject({ status: 'cancelled', cancelling: false });
    cancelTraining(); // nothing running: no effect
    expect(runState().cancelling).toBe(false);
  });

  it('a worker restart before saving marks the trained model lost; after saving it does not', async () => {
    const fake = fakeClient();
    watchRunWorker(fake.client);
    const running = startTraining(fake.client, 2, readyStore());
    await Promise.resolve();
    fake.finish(REPORT);
    await running;
    expect(runState()).toMatchObject({ status: 'done', saved: false, lost: false });
    fake.crash();
    expect(runState().lost).toBe(true);

    const again = startTraining(fake.client, 2, readyStore()); // a new run starts clean
    expect(runState().lost).toBe(false);
    await Promise.resolve();
    fake.finish(REPORT);
    await again;
    markSaved();
    fake.crash();
    expect(runState()).toMatchObject({ saved: true, lost: false });
  });
});
