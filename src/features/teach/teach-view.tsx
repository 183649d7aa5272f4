import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo, TrainPlan } from '../../inference/protocol';
import { forgetModel, renameRemembered } from '../../lib/model-selection';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../../models/registry';
import { CameraCapture } from './camera-capture';
import { ClassCard } from './class-card';
import { EvaluationPanel } from './evaluation-panel';
import { formatDuration } from './format';
import { SavedModelsPanel } from './saved-models-panel';
import {
  deleteSaved,
  exportSaved,
  importSaved,
  listSaved,
  planTraining,
  renameSaved,
  saveTrained,
  type SavedModelInfo,
} from './teach-client';
import {
  cancelTraining,
  estimate,
  estimateKey,
  markSaved,
  setSettings,
  startTraining,
  useRun,
  watchRunWorker,
} from './teach-run';
import { MAX_CLASSES, nextClassName, trainingSet, type TeachExample } from './teach-state';
import {
  addPhotos,
  newClassId,
  removeClass,
  removePhoto,
  teachStore,
  useTeachState,
  watchWorker,
} from './teach-store';
import { TrainingChart } from './training-chart';
import { TrainSettingsForm } from './train-settings-form';
import './teach.css';

/** Props of {@link TeachView}. */
export interface TeachViewProps {
  client: InferenceClient;
  /** the active model (the base), once it is ready */
  model: LoadedModelInfo | null;
  /** makes another model the active one (the app's `selectModel`) */
  onUseModel: (entry: ModelEntry) => void;
}

const PHASE_TEXT = {
  preparing: 'Preparing the model',
  features: 'Computing features',
  training: 'Training',
  evaluating: 'Evaluating',
} as const;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Downloads bytes as a file (the object URL is released right after). */
function download(bytes: ArrayBuffer, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Teach": classes of your own photos on top of the active model — head only, fine-tuning the top
 * Inception blocks, or from scratch — trained in the worker with live curves, evaluated, then
 * kept in this browser, used for classifying, exported and imported.
 */
export function TeachView({ client, model, onUseModel }: TeachViewProps) {
  const data = useTeachState();
  const run = useRun();
  const [plan, setPlan] = useState<TrainPlan | null>(null);
  const [planError, setPlanError] = useState<string | null>(null);
  /** the class the camera adds to, while it is open */
  const [cameraFor, setCameraFor] = useState<string | null>(null);
  const [saved, setSaved] = useState<SavedModelInfo[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [keepError, setKeepError] = useState<string | null>(null);
  const [name, setName] = useState('');

  useEffect(() => {
    watchWorker(client);
    watchRunWorker(client);
  }, [client]);

  const training = run.status === 'training' || run.status === 'estimating';
  const adding = data.adding > 0;
  const locked = !model ? 'Waiting for the model…' : training ? 'Training in progress' : null;
  const set = useMemo(() => trainingSet(data), [data]);
  const counts = data.examples.length;
  const numClasses = data.classes.length;
  const { settings } = run;

  // Parameter counts for the chosen strategy on the active model.
  useEffect(() => {
    if (!model) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      planTraining(client, settings, [], Math.max(numClasses, 2), false, controller.signal).then(
        (p) => {
          setPlan(p);
          setPlanError(null);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setPlanError(messageOf(error));
        },
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, model, settings, numClasses]);

  const refreshSaved = useCallback(async () => {
    try {
      setSaved(await listSaved(client));
    } catch (error) {
      setKeepError(`The stored models could not be listed: ${messageOf(error)}`);
      setSaved([]);
    }
  }, [client]);
  useEffect(() => {
    let live = true;
    listSaved(client).then(
      (models) => live && setSaved(models),
      (error: unknown) => {
        if (!live) return;
        setKeepError(`The stored models could not be listed: ${messageOf(error)}`);
        setSaved([]);
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  /** photos refused while locked: shown while that same lock lasts */
  const [refused, setRefused] = useState<string | null>(null);
  /** Adds photos to a class; resolves with how many were added (none while locked, and says why). */
  const add = useCallback(
    (classId: string, files: readonly Blob[]): Promise<number> => {
      if (!model || locked) {
        setRefused(locked ?? 'Waiting for the model…');
        return Promise.resolve(0);
      }
      setRefused(null);
      return addPhotos(client, model.inputSize, classId, files);
    },
    [client, model, locked],
  );
  const lockedNote =
    refused && refused === (locked ?? (!model ? 'Waiting for the model…' : null))
      ? `${refused}: photos can be added afterwards.`
      : null;

  // Paste adds to the selected class while this view is open.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent): void => {
      const files = Array.from(event.clipboardData?.files ?? []);
      const target = teachStore.getState().activeClassId;
      if (files.length === 0 || !target) return;
      event.preventDefault();
      void add(target, files);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [add]);

  const examplesById = useMemo(
    () => new Map<string, TeachExample>(data.examples.map((e) => [e.id, e])),
    [data.examples],
  );
  // The camera closes when its class is removed (captures never go to another class).
  const cameraClass = data.classes.find((c) => c.id === cameraFor) ?? null;
  const currentKey =
    model && !('problem' in set)
      ? estimateKey(
          settings,
          set.examples.map((e) => e.id),
          model.id,
        )
      : '';
  const measured = run.estimate?.key === currentKey ? run.estimate.plan : null;
  const needsEstimate = settings.strategy === 'scratch' && !measured;
  const defaultName =
    run.report?.classNames.join(' vs ').slice(0, 60) ??
    `Custom model ${new Date().toLocaleDateString()}`;

  const keep = async (use: boolean): Promise<void> => {
    setKeepError(null);
    setBusy('Saving the model in this browser…');
    try {
      const info = await saveTrained(client, name.trim() || defaultName);
      markSaved();
      await refreshSaved();
      if (use) onUseModel(info.entry);
    } catch (error) {
      setKeepError(messageOf(error));
    } finally {
      setBusy(null);
    }
  };

  const withBusy = async (label: string, job: () => Promise<void>): Promise<void> => {
    setKeepError(null);
    setBusy(label);
    try {
      await job();
    } catch (error) {
      setKeepError(messageOf(error));
    } finally {
      setBusy(null);
    }
  };

  const progress = run.progress;
  const lastLog = run.logs[run.logs.length - 1];

  return (
    <div className="teach" data-testid="teach-view">
      <section className="teach-base" aria-label="Base model">
        <p>
          {model ? (
            <>
              Base: <strong data-testid="teach-base">{model.name}</strong>{' '}
              <span className="muted">
                ({model.inputSize}×{model.inputSize}; photos are resized to this)
              </span>
            </>
          ) : (
            <span className="muted">Waiting for a model to build on…</span>
          )}
          {model && model.id !== INCEPTION_V3_IMAGENET.id && (
            <button
              type="button"
              className="button--secondary teach-inline"
              disabled={training}
              onClick={() => onUseModel(INCEPTION_V3_IMAGENET)}
            >
              Use InceptionV3 (ImageNet) as base
            </button>
          )}
        </p>
        <p className="muted">
          Everything happens in this browser: your photos are not uploaded. Any loaded model works
          as a base (open one under Models).
        </p>
      </section>

      <section aria-label="Classes">
        <h3>
          Classes{' '}
          <span className="muted">
            {counts} photos{data.adding > 0 && ` · adding ${data.adding}…`}
          </span>
        </h3>
        <div className="teach-classes">
          {data.classes.map((c) => (
            <ClassCard
              key={c.id}
              cls={c}
              classes={data.classes}
              examples={data.examples.filter((e) => e.classId === c.id)}
              active={c.id === data.activeClassId}
              locked={locked}
              canRemove={!training && data.classes.length > 1}
              onSelect={() => teachStore.dispatch({ type: 'select-class', id: c.id })}
              onRename={(value) =>
                teachStore.dispatch({ type: 'rename-class', id: c.id, name: value })
              }
              onRemove={() => void removeClass(client, c.id)}
              onAddFiles={(files) => void add(c.id, files)}
              onRemoveExample={(id) => void removePhoto(client, id)}
              onCamera={() => {
                teachStore.dispatch({ type: 'select-class', id: c.id });
                setCameraFor(c.id);
              }}
            />
          ))}
        </div>
        <button
          type="button"
          className="button--secondary"
          disabled={training || numClasses >= MAX_CLASSES}
          title={numClasses >= MAX_CLASSES ? `At most ${MAX_CLASSES} classes` : undefined}
          onClick={() =>
            teachStore.dispatch({
              type: 'add-class',
              id: newClassId(),
              name: nextClassName(data.classes),
            })
          }
        >
          Add class
        </button>
        {lockedNote && (
          <p className="muted" role="status" data-testid="teach-locked-note">
            {lockedNote}
          </p>
        )}
        {cameraClass && (
          <CameraCapture
            key={cameraClass.id}
            className={cameraClass.name}
            locked={locked}
            onCapture={(photo) => add(cameraClass.id, [photo])}
            onClose={() => setCameraFor(null)}
          />
        )}
        {data.problems.length > 0 && (
          <ul className="teach-problems" role="alert" data-testid="teach-problems">
            {data.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </section>

      <section aria-label="Training">
        <h3>Train</h3>
        <TrainSettingsForm
          settings={settings}
          onChange={setSettings}
          plan={measured ?? plan}
          planError={planError}
          disabled={training}
        />
        <div className="teach-row">
          <button
            type="button"
            data-testid="teach-train"
            disabled={!model || training || adding || 'problem' in set || needsEstimate}
            title={
              'problem' in set
                ? set.problem
                : adding
                  ? 'Wait until the photos are added'
                  : needsEstimate
                    ? 'Estimate the time first'
                    : undefined
            }
            onClick={() => {
              setRefused(null);
              if (model) void startTraining(client, model.inputSize);
            }}
          >
            {settings.strategy === 'scratch' && measured
              ? `Train from scratch (≈ ${formatDuration(measured.estimate?.totalMs ?? NaN)})`
              : 'Train'}
          </button>
          <button
            type="button"
            className="button--secondary"
            data-testid="teach-estimate-button"
            disabled={!model || training || adding || 'problem' in set}
            onClick={() => {
              setRefused(null);
              if (model) void estimate(client, model.inputSize, model.id);
            }}
          >
            {run.status === 'estimating' ? 'Measuring one step…' : 'Estimate time'}
          </button>
          <button
            type="button"
            className="button--secondary"
            data-testid="teach-cancel"
            disabled={!training || run.cancelling}
            onClick={cancelTraining}
          >
            {run.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
          {'problem' in set && <span className="muted">{set.problem}</span>}
          {run.report && !run.saved && !run.lost && !training && (
            <span className="muted" data-testid="teach-unsaved">
              The model trained last is not saved: training again replaces it.
            </span>
          )}
        </div>

        <div
          className="teach-status"
          data-testid="teach-status"
          data-state={run.status}
          data-phase={progress?.phase ?? ''}
          data-epoch={progress?.epoch ?? lastLog?.epoch ?? 0}
          aria-live="polite"
        >
          {run.status === 'training' && (
            <>
              <p>
                {run.cancelling && 'Cancelling after the current step… · '}
                {progress ? PHASE_TEXT[progress.phase] : 'Starting'}
                {progress?.phase === 'features' &&
                  ` · ${progress.done} of ${progress.total} photos`}
                {progress?.phase === 'training' &&
                  ` · epoch ${progress.epoch} of ${progress.epochs}, batch ${progress.done} of ${progress.total}`}
                {lastLog && ` · ${formatDuration(lastLog.ms)} per epoch`}
                {progress?.etaMs != null && ` · about ${formatDuration(progress.etaMs)} left`}
              </p>
              <progress
                max={1}
                value={
                  progress?.phase === 'training'
                    ? (progress.epoch - 1 + progress.done / Math.max(progress.total, 1)) /
                      Math.max(progress.epochs, 1)
                    : progress && progress.total > 0
                      ? progress.done / progress.total
                      : undefined
                }
                aria-label="Training progress"
              />
            </>
          )}
          {run.status === 'cancelled' && <p>Training cancelled. Nothing was changed.</p>}
          {run.status === 'error' && run.error && (
            <p className="teach-error" role="alert">
              {run.error}
            </p>
          )}
        </div>
        {(run.logs.length > 0 || run.status === 'training') && <TrainingChart logs={run.logs} />}
      </section>

      {run.report && (
        <>
          <EvaluationPanel report={run.report} examples={examplesById} />
          <section className="teach-use" aria-label="Use the model">
            <h3>Use it</h3>
            {run.saved ? (
              <p className="muted">Saved: it is in the list below.</p>
            ) : run.lost ? (
              <p className="teach-error" role="alert" data-testid="teach-lost">
                The worker restarted before this model was saved, and the model went with it. Train
                again to keep it (your photos are still here).
              </p>
            ) : (
              <form
                className="teach-row"
                onSubmit={(event) => {
                  event.preventDefault();
                  void keep(true);
                }}
              >
                <label className="teach-field teach-field--wide">
                  <span>Name</span>
                  <input
                    data-testid="teach-model-name"
                    value={name}
                    placeholder={defaultName}
                    maxLength={80}
                    onChange={(event) => setName(event.target.value)}
                  />
                </label>
                <button type="submit" data-testid="teach-save-use" disabled={!!busy}>
                  Save and use for classifying
                </button>
                <button
                  type="button"
                  className="button--secondary"
                  data-testid="teach-save"
                  disabled={!!busy}
                  onClick={() => void keep(false)}
                >
                  Save only
                </button>
              </form>
            )}
          </section>
        </>
      )}

      {keepError && (
        <p className="teach-error" role="alert" data-testid="teach-keep-error">
          {keepError}
        </p>
      )}
      <SavedModelsPanel
        models={saved}
        activeId={model?.id ?? null}
        busy={busy}
        onUse={(m) => onUseModel(m.entry)}
        onExport={(m) =>
          void withBusy(`Packing ${m.name}…`, async () => {
            const file = await exportSaved(client, m);
            download(file.bytes, file.fileName);
          })
        }
        onRename={(m, value) =>
          void withBusy('Renaming…', async () => {
            renameRemembered((await renameSaved(client, m.key, value)).entry);
            await refreshSaved();
          })
        }
        onDelete={(m) =>
          void withBusy(`Deleting ${m.name}…`, async () => {
            await deleteSaved(client, m.key);
            forgetModel(m.entry.id);
            await refreshSaved();
          })
        }
        onImport={(file) =>
          void withBusy(`Importing ${file.name}…`, async () => {
            await importSaved(client, file);
            await refreshSaved();
          })
        }
      />
    </div>
  );
}
