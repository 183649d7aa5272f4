import type {
  BackendName,
  EngineReport,
  LoadStage,
  LoadedModelInfo,
  ModelSource,
} from '../../inference/protocol';
import { backendName } from '../../lib/backend-names';
import './model-status.css';

/** Everything the status area shows about the model. */
export type ModelState =
  | {
      state: 'loading';
      name: string;
      stage: LoadStage;
      fraction: number;
      backend?: BackendName;
      /** where the model comes from, once the worker said */
      source?: ModelSource;
      /** e.g. "retrying the download" */
      note?: string;
    }
  | { state: 'warming'; name: string; backend: BackendName }
  | {
      state: 'ready';
      model: LoadedModelInfo;
      backend: BackendName;
      warmupMs: number;
      /** which engine classifies photos (absent: TensorFlow.js) */
      engine?: EngineReport;
      /** e.g. why a requested model is not the one running */
      notice?: string;
      /** nothing the load left for later is pending (the worker's `settled`; benchmarks wait for it) */
      settled?: boolean;
    }
  | { state: 'error'; name: string; message: string };

function describe(s: ModelState, firstVisit: boolean, stored: boolean): string {
  switch (s.state) {
    case 'loading':
      if (s.stage === 'backend') return `Starting the compute backend for ${s.name}…`;
      // A model kept in this browser (IndexedDB, or the offline cache) downloads nothing.
      if (stored || s.source === 'browser') return `Loading ${s.name} from this browser…`;
      if (s.source === 'built') return `Building ${s.name}…`;
      return `Downloading ${s.name}… ${Math.round(s.fraction * 100)}%`;
    case 'warming':
      return `Warming up ${s.name}…`;
    case 'ready':
      return `${s.model.name} ready`;
    case 'error':
      return firstVisit ? 'Welcome to Inception Lens' : `${s.name} could not be loaded`;
  }
}

/** True while bytes come over the network (a stored or built model shows no download bar). */
function downloading(s: ModelState, stored: boolean): boolean {
  return s.state === 'loading' && !stored && s.source !== 'browser' && s.source !== 'built';
}

/** Where a first visitor can go when the page's own model is not on its server. */
export interface FirstVisitActions {
  /** shows the model library (open a .h5 file, a TensorFlow.js folder or an address) */
  onOpenModels: () => void;
  /** shows Teach */
  onTeach: () => void;
}

/**
 * The model's name, download progress, warm-up, readiness and the active backend. With
 * `firstVisit` (the default model's weights are missing), an error becomes a welcome that says
 * what can be done right now, with the host's instructions folded away.
 */
export function ModelStatus({
  status,
  onRetry,
  firstVisit,
  stored = false,
}: {
  status: ModelState;
  /** the model is kept in this browser (IndexedDB): loading it downloads nothing */
  stored?: boolean;
  onRetry?: () => void;
  firstVisit?: FirstVisitActions;
}) {
  const backend = status.state === 'error' ? undefined : status.backend;
  const engineReport = status.state === 'ready' ? status.engine : undefined;
  const engine = status.state === 'ready' ? (engineReport?.engine ?? 'tfjs') : undefined;
  const welcome = status.state === 'error' && firstVisit !== undefined;
  return (
    <section
      className={`model-status model-status--${status.state}${welcome ? ' model-status--welcome' : ''}`}
      data-testid="model-status"
      data-state={status.state}
      data-backend={backend ?? ''}
      data-engine={engine ?? ''}
      data-settled={status.state === 'ready' && status.settled ? 'true' : 'false'}
      aria-live="polite"
    >
      <p className="model-status__line">
        <span className="dot" aria-hidden="true" />
        {describe(status, welcome, stored)}
        {backend && (
          <span className="chip" data-testid="active-backend">
            {backendName(backend)}
          </span>
        )}
        {engine === 'litert' && (
          <span className="chip" data-testid="active-engine" title={engineReport?.detail}>
            LiteRT.js
          </span>
        )}
      </p>
      {status.state === 'loading' && status.stage === 'download' && downloading(status, stored) && (
        <progress max={1} value={status.fraction} aria-label="Model download" />
      )}
      {status.state === 'ready' && (
        <p className="muted">
          {status.model.inputSize}×{status.model.inputSize} input · {status.model.numClasses}{' '}
          classes · {(status.model.params / 1e6).toFixed(1)} M parameters
          {status.warmupMs > 0 && ` · warm-up ${Math.round(status.warmupMs)} ms`}
        </p>
      )}
      {status.state === 'ready' && status.notice && (
        <p className="model-status__error" role="alert" data-testid="model-notice">
          {status.notice}
        </p>
      )}
      {status.state === 'loading' && status.note && (
        <p className="muted" data-testid="model-note">
          {status.note}
        </p>
      )}
      {status.state === 'error' && firstVisit && (
        <div data-testid="first-visit">
          <p>
            It names what is in your photos, right here in this browser: nothing is uploaded. Its
            built-in model (InceptionV3) is not on this server, so start with a model of your own:
          </p>
          <ul className="model-status__next">
            <li>
              <button type="button" onClick={firstVisit.onOpenModels}>
                Open a model
              </button>{' '}
              a Keras <code>.h5</code> file, a TensorFlow.js folder or its address;
            </li>
            <li>
              then drop photos here, or{' '}
              <button type="button" className="button--secondary" onClick={firstVisit.onTeach}>
                Teach
              </button>{' '}
              it classes of your own.
            </li>
          </ul>
          <details className="model-status__host">
            <summary>For whoever hosts this page</summary>
            <p>{status.message}</p>
          </details>
        </div>
      )}
      {status.state === 'error' && !firstVisit && (
        <p className="model-status__error" role="alert">
          {status.message}
          {onRetry && (
            <>
              {' '}
              <button type="button" className="button--secondary" onClick={onRetry}>
                Try again
              </button>
            </>
          )}
        </p>
      )}
    </section>
  );
}
