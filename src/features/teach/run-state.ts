/**
 * A training run as a pure reducer: settings, live progress and epoch logs, the report, whether
 * it was saved or lost with a restarted worker, and a measured estimate. `teach-run.ts` keeps it
 * in a page-session store and drives it from the worker's replies.
 */
import {
  defaultSettings,
  type EpochLog,
  type TrainPlan,
  type TrainProgress,
  type TrainReport,
  type TrainSettings,
} from '../../inference/protocol';

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

/** Changes to a run. */
export type RunAction =
  | { type: 'settings'; settings: TrainSettings }
  /** training or an estimate cannot start, for this reason */
  | { type: 'refused'; problem: string }
  | { type: 'estimating' }
  /** an estimate ended (measured, or cancelled when `estimate` is absent) */
  | { type: 'estimated'; estimate?: { plan: TrainPlan; key: string } }
  | { type: 'training' }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'trained'; report: TrainReport }
  | { type: 'cancelled' }
  | { type: 'failed'; error: string }
  /** Cancel was pressed (true), or the job it cancelled has ended (false) */
  | { type: 'cancelling'; cancelling: boolean }
  | { type: 'saved' }
  | { type: 'worker-lost' };

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

/** No run yet, with the default settings. */
export function initialRunState(): RunState {
  return { settings: defaultSettings('head'), status: 'idle', ...FRESH_RUN, estimate: null };
}

/** The next run state. */
export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'settings':
      return { ...state, settings: action.settings };
    case 'refused':
      return { ...state, status: 'error', error: action.problem };
    case 'estimating':
      return { ...state, status: 'estimating', error: null };
    case 'estimated':
      // An estimate does not touch the last run: back to its report, or to idle.
      return {
        ...state,
        status: state.report ? 'done' : 'idle',
        ...(action.estimate ? { estimate: action.estimate } : {}),
      };
    case 'training':
      return { ...state, status: 'training', ...FRESH_RUN };
    case 'progress': {
      const { progress } = action;
      return progress.log
        ? { ...state, progress, logs: [...state.logs, progress.log] }
        : { ...state, progress };
    }
    case 'trained':
      return { ...state, status: 'done', report: action.report, progress: null };
    case 'cancelled':
      return { ...state, status: 'cancelled', progress: null };
    case 'failed':
      return { ...state, status: 'error', error: action.error, progress: null };
    case 'cancelling':
      return state.cancelling === action.cancelling
        ? state
        : { ...state, cancelling: action.cancelling };
    case 'saved':
      return { ...state, saved: true };
    case 'worker-lost':
      // The trained, unsaved model went with the old worker; the report stays readable.
      return state.report && !state.saved ? { ...state, lost: true } : state;
  }
}
