/**
 * A training run as the page follows it: settings, live progress and epoch logs, the report, and
 * cancellation. Kept outside React (like the Teach data) so a run carries on, and its results
 * stay, while the user looks at another view.
 */
import { CancelledError, type InferenceClient } from '../../inference/client';
import { checkSettings, type TrainExampleRef, type TrainSettings } from '../../inference/protocol';
import { messageOf } from '../../lib/message-of';
import { createStore, useStore, type Store } from '../../lib/store';
import { initialRunState, runReducer, type RunAction, type RunState } from './run-state';
import { planTraining, train } from './teach-client';
import { resendLost, teachStore, type TeachStore } from './teach-store';
import { trainingSet } from './teach-state';

/** The page's run (it carries on, and its results stay, while another view is open). */
export const runStore: Store<RunState, RunAction> = createStore(runReducer, initialRunState());
let controller: AbortController | null = null;

/** The run as it stands (outside React). */
export function runState(): RunState {
  return runStore.getState();
}

/** The run, re-rendering on change. */
export function useRun(): RunState {
  return useStore(runStore);
}

/** Changes the settings (the estimate stays only if it still applies). */
export function setSettings(settings: TrainSettings): void {
  runStore.dispatch({ type: 'settings', settings });
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
  client.onCrash(() => runStore.dispatch({ type: 'worker-lost' }));
}

/** Why training cannot start now, or null. */
export function startProblem(store: TeachStore = teachStore): string | null {
  const set = trainingSet(store.getState());
  if ('problem' in set) return set.problem;
  return checkSettings(runState().settings);
}

/** The photos training would take, or null after saying why it cannot start. */
function readySet(store: TeachStore): { classNames: string[]; examples: TrainExampleRef[] } | null {
  const set = trainingSet(store.getState());
  const problem = 'problem' in set ? set.problem : checkSettings(runState().settings);
  if (problem !== null || 'problem' in set) {
    runStore.dispatch({ type: 'refused', problem: problem ?? '' });
    return null;
  }
  return set;
}

/**
 * Runs one cancellable job (an estimate or a training run): photos the worker lost go again
 * first; a cancel ends in `cancelled`, any other failure in `failed` with its message.
 */
async function runJob(
  client: InferenceClient,
  inputSize: number,
  store: TeachStore,
  job: (signal: AbortSignal) => Promise<RunAction>,
  cancelled: RunAction,
  failure: (message: string) => string = (message) => message,
): Promise<void> {
  controller = new AbortController();
  const signal = controller.signal;
  try {
    await resendLost(client, inputSize, store);
    runStore.dispatch(await job(signal));
  } catch (error) {
    if (error instanceof CancelledError || signal.aborted) runStore.dispatch(cancelled);
    else runStore.dispatch({ type: 'failed', error: failure(messageOf(error)) });
  } finally {
    controller = null;
    runStore.dispatch({ type: 'cancelling', cancelling: false });
  }
}

/** Measures how long the current settings would take. */
export async function estimate(
  client: InferenceClient,
  inputSize: number,
  modelId: string,
  store: TeachStore = teachStore,
): Promise<void> {
  const set = readySet(store);
  if (!set) return;
  const settings = runState().settings;
  runStore.dispatch({ type: 'estimating' });
  await runJob(
    client,
    inputSize,
    store,
    async (signal) => {
      const plan = await planTraining(
        client,
        settings,
        set.examples,
        set.classNames.length,
        true,
        signal,
      );
      const key = estimateKey(
        settings,
        set.examples.map((e) => e.id),
        modelId,
      );
      return { type: 'estimated', estimate: { plan, key } };
    },
    { type: 'estimated' },
    (message) => `The estimate failed: ${message}`,
  );
}

/** Trains with the current settings on the current photos; resolves when the run ends. */
export async function startTraining(
  client: InferenceClient,
  inputSize: number,
  store: TeachStore = teachStore,
): Promise<void> {
  const { status, settings } = runState();
  if (status === 'training' || status === 'estimating') return;
  const set = readySet(store);
  if (!set) return;
  runStore.dispatch({ type: 'training' });
  await runJob(
    client,
    inputSize,
    store,
    async (signal) => ({
      type: 'trained',
      report: await train(
        client,
        { settings, examples: set.examples, classNames: set.classNames },
        (progress) => runStore.dispatch({ type: 'progress', progress }),
        signal,
      ),
    }),
    { type: 'cancelled' },
  );
}

/** Stops the run (or the estimate) in progress; the worker stops between two steps. */
export function cancelTraining(): void {
  if (!controller || controller.signal.aborted) return;
  runStore.dispatch({ type: 'cancelling', cancelling: true });
  controller.abort();
}

/** Notes that the trained model was stored. */
export function markSaved(): void {
  runStore.dispatch({ type: 'saved' });
}
