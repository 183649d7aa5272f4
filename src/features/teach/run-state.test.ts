import { describe, expect, test } from 'vitest';
import type { EpochLog, TrainProgress, TrainReport } from '../../inference/protocol';
import { initialRunState, runReducer, type RunAction, type RunState } from './run-state';

const REPORT = { classNames: ['a', 'b'] } as unknown as TrainReport;
const run = (actions: RunAction[], from: RunState = initialRunState()): RunState =>
  actions.reduce(runReducer, from);

describe('runReducer', () => {
  test('a run collects epoch logs and ends with its report', () => {
    const log = { epoch: 1 } as EpochLog;
    const state = run([
      { type: 'training' },
      { type: 'progress', progress: { phase: 'training', epoch: 1 } as TrainProgress },
      { type: 'progress', progress: { phase: 'training', epoch: 1, log } as TrainProgress },
      { type: 'trained', report: REPORT },
    ]);
    expect(state).toMatchObject({ status: 'done', report: REPORT, progress: null });
    expect(state.logs).toEqual([log]);
  });

  test('a new run starts fresh but keeps the settings and the estimate', () => {
    const estimate = { plan: {} as never, key: 'k' };
    const before = run([
      { type: 'estimated', estimate },
      { type: 'trained', report: REPORT },
      { type: 'saved' },
    ]);
    const state = runReducer(before, { type: 'training' });
    expect(state).toMatchObject({ status: 'training', report: null, saved: false, estimate });
    expect(state.settings).toBe(before.settings);
  });

  test('an estimate returns to the last report, or to idle', () => {
    expect(run([{ type: 'estimating' }, { type: 'estimated' }]).status).toBe('idle');
    const trained = run([{ type: 'trained', report: REPORT }, { type: 'estimating' }]);
    expect(trained.status).toBe('estimating');
    expect(runReducer(trained, { type: 'estimated' }).status).toBe('done');
  });

  test('a lost worker loses only an unsaved model', () => {
    const trained = run([{ type: 'trained', report: REPORT }]);
    expect(runReducer(trained, { type: 'worker-lost' }).lost).toBe(true);
    const saved = runReducer(trained, { type: 'saved' });
    expect(runReducer(saved, { type: 'worker-lost' })).toBe(saved);
    const idle = initialRunState();
    expect(runReducer(idle, { type: 'worker-lost' })).toBe(idle);
  });

  test('refusals and failures say why', () => {
    expect(run([{ type: 'refused', problem: 'Add photos.' }])).toMatchObject({
      status: 'error',
      error: 'Add photos.',
    });
    expect(run([{ type: 'training' }, { type: 'failed', error: 'boom' }])).toMatchObject({
      status: 'error',
      error: 'boom',
      progress: null,
    });
  });
});
