import { useEffect, useState } from 'react';
import { LoadError, type InferenceClient, type LoadProgress } from '../inference/client';
import type { BackendChoice, BackendReport, LoadedModelInfo } from '../inference/protocol';
import type { ModelEntry } from '../models/registry';
import type { ModelState } from '../features/model-status/model-status';

/** The loaded model as the app needs it: status for the UI, info for the queue. */
export interface ModelHandle {
  status: ModelState;
  /** set once the model is warmed up and ready for photos */
  ready: LoadedModelInfo | null;
  reports: BackendReport[];
}

function starting(name: string, reports: BackendReport[]): ModelHandle {
  return {
    status: { state: 'loading', name, stage: 'backend', fraction: 0 },
    ready: null,
    reports,
  };
}

function progressState(name: string, p: LoadProgress): ModelState {
  if (p.stage === 'warming' && p.backend) return { state: 'warming', name, backend: p.backend };
  const state: ModelState = { state: 'loading', name, stage: p.stage, fraction: p.fraction };
  if (p.backend) state.backend = p.backend;
  return state;
}

/** Loads `entry` on `backend` in the worker whenever either changes, tracking its progress. */
export function useModel(
  client: InferenceClient,
  entry: ModelEntry,
  backend: BackendChoice,
): ModelHandle {
  const key = `${entry.id}|${backend}`;
  const [loaded, setLoaded] = useState<ModelHandle & { key: string }>(() => ({
    key,
    ...starting(entry.name, []),
  }));

  useEffect(() => {
    if (entry.loadError) return;
    let current = true;
    const thisKey = `${entry.id}|${backend}`;
    client
      .load(entry, backend, (p) => {
        if (current)
          setLoaded((h) => ({
            ...h,
            key: thisKey,
            ready: null,
            status: progressState(entry.name, p),
          }));
      })
      .then(
        (info) => {
          if (!current) return;
          setLoaded({
            key: thisKey,
            status: {
              state: 'ready',
              model: info.model,
              backend: info.backend,
              warmupMs: info.warmupMs,
            },
            ready: info.model,
            reports: info.backends,
          });
        },
        (error: unknown) => {
          if (!current) return;
          const reports = (error as { backends?: BackendReport[] }).backends ?? [];
          const message = error instanceof Error ? error.message : String(error);
          const kept = error instanceof LoadError ? error.kept : undefined;
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
          });
        },
      );
    return () => {
      current = false;
    };
  }, [client, entry, backend]);

  if (entry.loadError) {
    return {
      status: { state: 'error', name: entry.name, message: entry.loadError },
      ready: null,
      reports: [],
    };
  }
  // A new model or backend shows "loading" at once rather than the previous model's state.
  return loaded.key === key ? loaded : starting(entry.name, loaded.reports);
}
