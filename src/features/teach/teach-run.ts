/**
 * A training run as the page follows it: settings, live progress and epoch logs, the report, and
 * cancellation. Kept outside React (like the Teach data) so a run carries on, and its results
 * stay, while the user looks at another view.
 */
import { useSyncExternalStore } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import {
  checkSettings,
  defaultSettings,
  type EpochLog,
  type TrainPlan,
  type TrainProgress,
  type TrainReport,
  type TrainSettings,
} from '../../inference/protocol';
import { planTraining, train } from './teach-client';
import { resendLost, teachStore, type TeachStore } from './teach-store';
import { trainingSet } from './teach-state';

/** Where the run is. */
export type RunStatus = 'idle' | 'estimating' | 'training' | 'done' | 'cancelled' | 'error';

/** Everything the view shows about training. */
export interface RunState {
  settings: TrainSettings;
  status: RunStatus;
  progress: TrainProgress | null;
  logs: EpochLog[];
  report: TrainReport | null;
  /** the trained model was stored (the worker let go of its copy) */
  saved: boolean;
  /** the worker restarted before the trained model was saved: it is gone */
  lost: boolean;
  /** Cancel was pressed; the worker stops after the step it is in */
  cancelling: boolean;
  error: string | null;
  /** a measured estimate, and the settings + photo count it was measured for */
  estimate: { plan: TrainPlan; key: string } | null;
}

/** What a new run starts from (settings and the estimate carry over). */
const FRESH_RUN = {
  progress: null,
  logs: [],
  report: null,
  saved: false,
  lost: false,
  cancelling: false,
  error: null,
} satisfies Partial<RunState>;

let state: RunState = {
  settings: defaultSettings('head'),
  status: 'idle',
  ...FRESH_RUN,
  estimate: null,
};
const listeners = new Set<() => void>();
let controller: AbortController | null = null;

function update(patch: Partial<RunState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The run as it stands (outside React). */
export function runState(): RunState {
  return state;
}

/** The run, re-rendering on change. */
export function useRun(): RunState {
  return useSyncExternalStore(subscribe, () => state);
}

/** Changes the settings (the estimate stays only if it still applies). */
export function setSettings(settings: TrainSettings): void {
  update({ settings });
}

/** The key an estimate is valid for: the settings, the very photos, and the model. */
export function estimateKey(
  settings: TrainSettings,
  photoIds: readonly string[],
  modelId: string,
): string {
  return JSON.stringify([settings, [...photoIds].sort(), modelId]);
}

const watched = new WeakSet<InferenceClient>();

/**
 * After a worker restart the trained, unsaved model is gone with the old worker: the report
 * stays readable, but saving is no longer offered.
 */
export function watchRunWorker(client: InferenceClient): void {
  if (watched.has(client)) return;
  watched.add(client);
  client.onCrash(() => {
    if (state.report && !state.saved) update({ lost: true });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why training cannot start now, or null. */
export function startProblem(store: TeachStore = teachStore): string | null {
  const set = trainingSet(store.getState());
  if ('problem' in set) return set.problem;
  return checkSettings(state.settings);
}

/** Measures how long the current settings would take. */
export async function estimate(
  client: InferenceClient,
  inputSize: number,
  modelId: string,
  store: TeachStore = teachStore,
): Promise<void> {
  const set = trainingSet(store.getState());
  const problem = 'problem' in set ? set.problem : checkSettings(state.settings);
  if (problem || 'problem' in set) {
    update({ error: problem, status: 'error' });
    return;
  }
  const settings = state.settings;
  controller = new AbortController();
  const signal = controller.signal;
  update({ status: 'estimating', error: null });
  const after: RunStatus = state.report ? 'done' : 'idle';
  try {
    await resendLost(client, inputSize, store);
    const plan = await planTraining(
      client,
      settings,
      set.examples,
      set.classNames.length,
      true,
      signal,
    );
    update({
      status: after,
      estimate: {
        plan,
        key: estimateKey(
          settings,
          set.examples.map((e) => e.id),
          modelId,
        ),
      },
    });
  } catch (error) {
    if (error instanceof CancelledError || signal.aborted) update({ status: after });
    else update({ status: 'error', error: `The estimate failed: ${messageOf(error)}` });
  } finally {
    controller = null;
    update({ cancelling: false });
  }
}

/** Trains with the current settings on the current photos; resolves when the run ends. */
export async function startTraining(
  client: InferenceClient,
  inputSize: number,
  store: TeachStore = teachStore,
): Promise<void> {
  if (state.status === 'training' || state.status === 'estimating') return;
  const set = trainingSet(store.getState());
  const problem = 'problem' in set ? set.problem : checkSettings(state.settings);
  if (problem || 'problem' in set) {
    update({ error: problem, status: 'error' });
    return;
  }
  controller = new AbortController();
  const signal = controller.signal;
  update({ status: 'training', ...FRESH_RUN });
  try {
    await resendLost(client, inputSize, store);
    const report = await train(
      client,
      { settings: state.settings, examples: set.examples, classNames: set.classNames },
      (progress) =>
        update(progress.log ? { progress, logs: [...state.logs, progress.log] } : { progress }),
      signal,
    );
    update({ status: 'done', report, progress: null });
  } catch (error) {
    if (error instanceof CancelledError || signal.aborted) {
      update({ status: 'cancelled', progress: null });
    } else {
      update({ status: 'error', error: messageOf(error), progress: null });
    }
  } finally {
    controller = null;
    update({ cancelling: false });
  }
}

/** Stops the run (or the estimate) in progress; the worker stops between two steps. */
export function cancelTraining(): void {
  if (!controller || controller.signal.aborted) return;
  update({ cancelling: true });
  controller.abort();
}

/** Notes that the trained model was stored. */
export function markSaved(): void {
  update({ saved: true });
}
