import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { ImportSource, StoredModel } from '../../inference/protocol';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../../models/registry';
import {
  DEFAULT_PRECISION,
  WEIGHT_PRECISIONS,
  type WeightPrecision,
} from '../../models/weight-precision';
import {
  deleteModel,
  importModel,
  listModels,
  type ImportProgress,
} from '../../lib/library-client';
import { filesFromDrop, filesFromInput, sourceFromFiles, type PathedFile } from './model-files';
import { ConfirmButton } from '../../lib/confirm-button';
import { forgetModel } from '../../lib/model-selection';
import { messageOf } from '../../lib/message-of';
import './model-library.css';

const STAGE_TEXT: Record<ImportProgress['stage'], string> = {
  downloading: 'Downloading',
  reading: 'Reading',
  verifying: 'Checking',
  converting: 'Converting the Keras weights',
  storing: 'Keeping it in this browser',
};

const PRECISION_TEXT: Record<WeightPrecision, string> = {
  float32: 'float32 — exact (InceptionV3 ≈ 91 MB)',
  float16: 'float16 — half the size, same answers (≈ 46 MB)',
  uint8: 'uint8 — a quarter, answers can change (≈ 23 MB)',
};

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
interface Job {
  label: string;
  progress: ImportProgress | null;
  controller: AbortController;
}

/** Props of {@link ModelLibrary}. */
export interface ModelLibraryProps {
  client: InferenceClient;
  /** id of the model the worker is running (null while none is ready) */
  activeId: string | null;
  /** makes a model the active one (the app remembers a stored one across reloads) */
  onSelect: (entry: ModelEntry) => void;
  /** the built-in InceptionV3 is not on this server: it is listed, but cannot be used */
  builtinMissing?: boolean;
}

/** How a stored model's origin reads before its detail ("from <url>", "opened <file>"). */
const SOURCE_VERB: Record<StoredModel['source']['kind'], string> = {
  url: 'from ',
  h5: 'opened ',
  folder: 'opened ',
  trained: '',
};

/**
 * "Models": open a model of your own (a Keras .h5 for InceptionV3, a TensorFlow.js model folder,
 * or the URL of either), converted and checked in the worker and kept in this browser; the list
 * of kept models, to switch between them or delete them.
 */
export function ModelLibrary({ client, activeId, onSelect, builtinMissing }: ModelLibraryProps) {
  const [models, setModels] = useState<StoredModel[] | null>(null);
  const [precision, setPrecision] = useState<WeightPrecision>(DEFAULT_PRECISION);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [over, setOver] = useState(false);
  const busy = useRef(false);

  useEffect(() => {
    let live = true;
    listModels(client).then(
      (list) => live && setModels(list),
      (e: unknown) => live && setError(`The stored models could not be listed: ${messageOf(e)}`),
    );
    return () => {
      live = false;
    };
  }, [client]);

  const run = async (source: ImportSource, label: string): Promise<void> => {
    if (busy.current) return;
    busy.current = true;
    const controller = new AbortController();
    setError(null);
    setJob({ label, progress: null, controller });
    try {
      const result = await importModel(client, source, precision, {
        signal: controller.signal,
        onProgress: (progress) => setJob((j) => (j ? { ...j, progress } : j)),
      });
      setModels(result.models);
      onSelect(result.model.entry);
    } catch (e) {
      if ((e as { name?: string } | null)?.name !== 'CancelledError') setError(messageOf(e));
    } finally {
      busy.current = false;
      setJob(null);
    }
  };

  const open = (files: PathedFile[]): void => {
    const source = sourceFromFiles(files);
    if ('error' in source) setError(source.error);
    else void run(source, source.kind === 'url' ? source.url : source.name);
  };

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    void filesFromDrop(event.dataTransfer).then(open);
  };

  const onUrl = (event: FormEvent): void => {
    event.preventDefault();
    const text = url.trim();
    if (text) void run({ kind: 'url', url: text }, text);
  };

  const remove = async (model: StoredModel): Promise<void> => {
    setError(null);
    try {
      setModels(await deleteModel(client, model.key));
      forgetModel(model.entry.id);
    } catch (e) {
      setError(`${model.entry.name} could not be deleted: ${messageOf(e)}`);
    }
  };

  const p = job?.progress;
  return (
    <section className="model-library" aria-labelledby="model-library-title">
      <h2 id="model-library-title">Open model…</h2>
      <p className="muted">
        A Keras <code>.h5</code> weight file of InceptionV3 or another Keras application (MobileNet,
        ResNet50, Xception, …; with or without its top) is converted here, in your browser; a
        TensorFlow.js model folder (<code>model.json</code> and its weight files) or the address of
        either is checked file by file. The model is then kept in this browser, so it survives
        reloads and works offline. Nothing is uploaded.
      </p>
      <div
        className={`drop-zone${over ? ' drop-zone--over' : ''}`}
        data-testid="model-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="drop-zone__title">Drop a .h5 file or a model folder here</p>
        <div className="drop-zone__actions">
          <label className="button">
            Choose .h5 file…
            <input
              className="visually-hidden"
              type="file"
              accept=".h5,.hdf5"
              data-testid="h5-input"
              disabled={job !== null}
              onChange={(event) => {
                const files = filesFromInput(event.target.files);
                event.target.value = '';
                if (files.length > 0) open(files);
              }}
            />
          </label>
          <label className="button button--secondary">
            Choose model folder…
            <input
              className="visually-hidden"
              type="file"
              data-testid="folder-input"
              disabled={job !== null}
              ref={(el) => el?.setAttribute('webkitdirectory', '')}
              onChange={(event) => {
                const files = filesFromInput(event.target.files);
                event.target.value = '';
                if (files.length > 0) open(files);
              }}
            />
          </label>
        </div>
        <form className="model-library__url" onSubmit={onUrl}>
          <input
            type="url"
            placeholder="https://…/model.json or …/weights.h5"
            aria-label="Model address"
            data-testid="model-url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
          <button type="submit" className="button" disabled={job !== null || url.trim() === ''}>
            Open address
          </button>
        </form>
        <label className="model-library__precision">
          Keep converted .h5 weights as{' '}
          <select
            data-testid="precision-select"
            value={precision}
            onChange={(event) => setPrecision(event.target.value as WeightPrecision)}
          >
            {WEIGHT_PRECISIONS.map((p) => (
              <option key={p} value={p}>
                {PRECISION_TEXT[p]}
              </option>
            ))}
          </select>
        </label>
      </div>

      {job && (
        <div className="model-library__job" data-testid="import-progress" aria-live="polite">
          <p>
            {p ? STAGE_TEXT[p.stage] : 'Starting'} {job.label}
            {p?.fraction != null && ` — ${Math.round(p.fraction * 100)}%`}
            {p?.detail && <span className="muted"> · {p.detail}</span>}
          </p>
          {p?.fraction != null ? (
            <progress max={1} value={p.fraction} aria-label="Import progress" />
          ) : (
            <progress aria-label="Import progress" />
          )}
          <button
            type="button"
            className="button button--secondary"
            onClick={() => job.controller.abort()}
          >
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="model-status__error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}

      <h2>Models</h2>
      <ul className="model-library__list" data-testid="model-list" aria-busy={models === null}>
        <li
          className="model-library__item"
          data-testid="builtin-model"
          data-active={activeId === INCEPTION_V3_IMAGENET.id}
        >
          <div>
            <strong>{INCEPTION_V3_IMAGENET.name}</strong>
            <span className="muted">
              {builtinMissing
                ? ' · not on this server yet (its host runs npm run model:fetch)'
                : ' · from this site (npm run model:fetch)'}
            </span>
          </div>
          <button
            type="button"
            className="button button--secondary"
            disabled={activeId === INCEPTION_V3_IMAGENET.id || builtinMissing}
            onClick={() => onSelect(INCEPTION_V3_IMAGENET)}
          >
            {activeId === INCEPTION_V3_IMAGENET.id ? 'Active' : builtinMissing ? 'Missing' : 'Use'}
          </button>
        </li>
        {models?.map((m) => {
          const active = activeId === m.entry.id;
          return (
            <li
              key={m.key}
              className="model-library__item"
              data-testid="stored-model"
              data-key={m.key}
              data-name={m.entry.name}
              data-active={active}
            >
              <div>
                <strong>{m.entry.name}</strong>
                <span className="muted">
                  {' '}
                  · {mb(m.bytes)} · {m.precision} · {m.numClasses} outputs ·{' '}
                  {SOURCE_VERB[m.source.kind]}
                  {m.source.detail} · {new Date(m.created).toLocaleString()}
                </span>
                {m.note && <p className="muted">{m.note}</p>}
              </div>
              <div className="model-library__actions">
                <button
                  type="button"
                  className="button"
                  disabled={active}
                  onClick={() => onSelect(m.entry)}
                >
                  {active ? 'Active' : 'Use'}
                </button>
                <ConfirmButton
                  className="button button--secondary"
                  label={`Delete ${m.entry.name}`}
                  question={`Delete ${m.entry.name} from this browser?`}
                  onConfirm={() => void remove(m)}
                >
                  Delete
                </ConfirmButton>
              </div>
            </li>
          );
        })}
      </ul>
      {models?.length === 0 && <p className="muted">No models kept in this browser yet.</p>}
    </section>
  );
}
