import { useCallback, useEffect, useRef, useState } from 'react';
import { WorkerError, type InferenceClient, type LoadProgress } from '../inference/client';
import type {
  BackendChoice,
  BackendName,
  BackendReport,
  ErrorCode,
  LoadedModelInfo,
  LoadTuning,
} from '../inference/protocol';
import type { ModelEntry } from '../models/registry';
import type { ModelState } from '../features/model-status/model-status';
import { messageOf } from '../lib/message-of';

/** The loaded model as the app needs it: status for the UI, info for the queue. */
export interface ModelHandle {
  status: ModelState;
  /** set once the model is warmed up and ready for photos */
  ready: LoadedModelInfo | null;
  reports: BackendReport[];
  /** loads the model again (after an error) */
  retry?: () => void;
  /** why the load failed, when the worker said (e.g. 'model-deleted') */
  errorCode?: ErrorCode;
}

function starting(name: string, reports: BackendReport[]): ModelHandle {
  return {
    status: { state: 'loading', name, stage: 'backend', fraction: 0 },
    ready: null,
    reports,
  };
}

function progressState(name: string, p: LoadProgress, previous: ModelState): ModelState {
  if (p.stage === 'warming' && p.backend) return { state: 'warming', name, backend: p.backend };
  const state: ModelState = { state: 'loading', name, stage: p.stage, fraction: p.fraction };
  if (p.backend) state.backend = p.backend;
  if (p.source) state.source = p.source;
  // A note (a retried download) stays visible until the load ends.
  const note = p.note ?? (previous.state === 'loading' ? previous.note : undefined);
  if (note) state.note = note;
  return state;
}

const NO_TUNING: LoadTuning = {};

/**
 * Loads `entry` on `backend` in the worker whenever either changes, tracking its progress.
 * `tuning` (keep it referentially stable) goes with every load; raising `remeasure` loads again
 * with the backends measured afresh.
 */
export function useModel(
  client: InferenceClient,
  entry: ModelEntry,
  backend: BackendChoice,
  tuning: LoadTuning = NO_TUNING,
  remeasure = 0,
): ModelHandle {
  // The last re-measure request sent, so a reload for another reason does not measure again.
  const sentRemeasure = useRef(0);
  const tuningKey = `${JSON.stringify(tuning)}|${remeasure}`;
  // Recovery: a dead worker is restarted (generation) and a lost GPU backend is avoided.
  const [recovery, setRecovery] = useState<{
    generation: number;
    lost: BackendName[];
    notice: string | null;
  }>({ generation: 0, lost: [], notice: null });
  const { generation, lost, notice } = recovery;
  const choice: BackendChoice = backend !== 'auto' && lost.includes(backend) ? 'auto' : backend;
  const key = `${entry.id}|${choice}|${generation}|${tuningKey}`;
  const [loaded, setLoaded] = useState<ModelHandle & { key: string }>(() => ({
    key,
    ...starting(entry.name, []),
  }));

  useEffect(() => {
    const offCrash = client.onCrash((reason) =>
      setRecovery((r) => ({
        ...r,
        generation: r.generation + 1,
        notice: r.notice ?? `${reason} It was restarted, and unfinished photos are retried.`,
      })),
    );
    const offEvent = client.onEvent((message) => {
      if (message.type === 'engine-chosen') {
        // The photo engine, chosen after the first photos (EngineReport.pending).
        setLoaded((h) =>
          h.status.state === 'ready' &&
          h.status.model.id === message.modelId &&
          h.status.model.url === message.modelUrl
            ? { ...h, status: { ...h.status, engine: message.engine } }
            : h,
        );
        return;
      }
      if (message.type === 'settled') {
        // Nothing the load left for later is pending (the bench waits for it before timing).
        setLoaded((h) =>
          h.status.state === 'ready' &&
          h.status.model.id === message.modelId &&
          h.status.model.url === message.modelUrl
            ? { ...h, status: { ...h.status, settled: true } }
            : h,
        );
        return;
      }
      if (message.type !== 'backend-lost') return;
      setRecovery((r) => ({
        ...r,
        lost: r.lost.includes(message.backend) ? r.lost : [...r.lost, message.backend],
        notice: `${message.backend} stopped working (${message.reason}); switched to another backend.`,
      }));
      client.restart(`restarted because ${message.reason}`);
    });
    return () => {
      offCrash();
      offEvent();
    };
  }, [client]);

  const retry = useCallback(() => setRecovery((r) => ({ ...r, generation: r.generation + 1 })), []);
  // Back online after a failed download: try again by itself.
  const failed = loaded.key === key && loaded.status.state === 'error';
  useEffect(() => {
    if (!failed) return;
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [failed, retry]);

  useEffect(() => {
    if (entry.loadError) return;
    let current = true;
    const thisKey = `${entry.id}|${choice}|${generation}|${tuningKey}`;
    const measureAgain = remeasure !== sentRemeasure.current;
    sentRemeasure.current = remeasure;
    const onProgress = (p: LoadProgress): void => {
      if (current) {
        setLoaded((h) => ({
          ...h,
          key: thisKey,
          ready: null,
          status: progressState(
            entry.name,
            p,
            h.key === thisKey ? h.status : starting(entry.name, []).status,
          ),
        }));
      }
    };
    const sent: LoadTuning = measureAgain ? { ...tuning, remeasure: true } : tuning;
    client.load(entry, choice, onProgress, lost, sent).then(
      (info) => {
        if (!current) return;
        const status: ModelState = {
          state: 'ready',
          model: info.model,
          backend: info.backend,
          warmupMs: info.warmupMs,
        };
        if (info.engine) status.engine = info.engine;
        if (notice) status.notice = notice;
        setLoaded({
          key: thisKey,
          status,
          ready: info.model,
          reports: info.backends,
        });
      },
      (error: unknown) => {
        if (!current) return;
        const reports = (error as { backends?: BackendReport[] }).backends ?? [];
        const message = messageOf(error);
        const kept = error instanceof WorkerError ? error.kept : undefined;
        const code = error instanceof WorkerError ? error.code : undefined;
        if (kept) {
          // The worker still runs the previous model: keep using it, and say why.
          setLoaded({
            key: thisKey,
            status: {
              state: 'ready',
              model: kept.model,
              backend: kept.backend,
              warmupMs: 0,
              notice: `Could not switch to ${entry.name}: ${message} Still using ${kept.model.name}.`,
            },
            ready: kept.model,
            reports,
          });
          return;
        }
        setLoaded({
          key: thisKey,
          status: { state: 'error', name: entry.name, message },
          ready: null,
          reports,
          ...(code ? { errorCode: code } : {}),
        });
      },
    );
    return () => {
      current = false;
    };
  }, [client, entry, choice, generation, lost, notice, tuning, remeasure, tuningKey]);

  if (entry.loadError) {
    return {
      status: { state: 'error', name: entry.name, message: entry.loadError },
      ready: null,
      reports: [],
    };
  }
  // A new model or backend shows "loading" at once rather than the previous model's state.
  const handle = loaded.key === key ? loaded : starting(entry.name, loaded.reports);
  return handle.status.state === 'error' ? { ...handle, retry } : handle;
}
