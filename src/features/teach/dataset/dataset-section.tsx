import { useEffect, useRef, useState } from 'react';
import type { InferenceClient } from '../../../inference/client';
import { checkSettings, type LoadedModelInfo } from '../../../inference/protocol';
import { droppedFiles } from '../../../lib/dropped-files';
import { formatDuration, settingsSummary } from '../format';
import { TrainedPreview } from '../trained-preview';
import { DatasetEvaluation } from './dataset-evaluation';
import type { FeatureProgress } from './dataset-import';
import { classCounts, countsLine } from './dataset-state';
import { datasetDefaults, useDataset } from './use-dataset';
import { ExportH5Button } from '../export-h5-button';

/** Props of {@link DatasetSection}. */
export interface DatasetSectionProps {
  client: InferenceClient;
  model: LoadedModelInfo | null;
  /** saving the trained model is a job on the stored models */
  saving: boolean;
  /** saves the model just trained under `name`; `use` also makes it the active model */
  onKeep: (name: string, use: boolean) => void;
  /** another Teach job (the hand-made classes' training) is running */
  locked: boolean;
}

function progressText(label: string, p: FeatureProgress | null): string {
  if (!p) return `${label}…`;
  const parts = [`${label}: ${p.done} of ${p.total} photos`];
  if (p.rate) parts.push(`${p.rate.toFixed(1)} photos/s`);
  if (p.etaMs !== null && p.done < p.total) parts.push(`about ${formatDuration(p.etaMs)} left`);
  return parts.join(' · ');
}

/**
 * Teach from a dataset: a folder (picked or dropped) or a ZIP laid out like Keras'
 * `image_dataset_from_directory`, its classes as cards, head-only training on cached features,
 * the evaluation with its fixes, a try-out and Save — step by step.
 */
export function DatasetSection({ client, model, saving, onKeep, locked }: DatasetSectionProps) {
  const ds = useDataset(client, model);
  const [over, setOver] = useState(false);
  const [name, setName] = useState('');
  const results = useRef<HTMLDivElement>(null);
  const busy = ds.job.kind !== 'idle';
  const { dataset, report, settings } = ds;
  const counts = dataset ? classCounts(dataset) : [];
  const settingsProblem = checkSettings(settings);

  // When training ends, bring the results (and Save) into view.
  useEffect(() => {
    if (report) results.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [report]);

  const number = (
    key: 'epochs' | 'batchSize' | 'learningRate' | 'validationSplit',
    value: string,
  ) => ds.setSettings({ ...settings, [key]: Number(value) });

  return (
    <section className="dataset" aria-label="Dataset" data-testid="dataset-section">
      <div
        className={`dataset-drop${over ? ' dataset-drop--over' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          if (busy || locked) return;
          const plain = Array.from(event.dataTransfer.files);
          const zip = plain.length === 1 && /\.zip$/i.test(plain[0]?.name ?? '') ? plain[0] : null;
          if (zip) void ds.importZip(zip);
          else
            void droppedFiles(event.dataTransfer, { sort: true }).then((f) => ds.importFolder(f));
        }}
      >
        <p>
          Or bring a whole dataset: one folder per class (as Keras&apos;{' '}
          <code>image_dataset_from_directory</code> reads it), optionally under <code>train/</code>{' '}
          and <code>validation/</code>. Drop the folder or its ZIP here, or:
        </p>
        <div className="teach-row">
          <label className="button-like">
            Choose a folder…
            <input
              type="file"
              className="visually-hidden"
              data-testid="dataset-import"
              multiple
              disabled={busy || locked}
              ref={(el) => {
                // React has no prop for it: the folder picker is the non-standard attribute.
                el?.setAttribute('webkitdirectory', '');
              }}
              onChange={(event) => {
                const files = Array.from(event.target.files ?? []);
                event.target.value = '';
                void ds.importFolder(
                  files.map((file) => ({ path: file.webkitRelativePath || file.name, file })),
                );
              }}
            />
          </label>
          <label className="button-like">
            Choose a ZIP…
            <input
              type="file"
              className="visually-hidden"
              data-testid="dataset-zip"
              accept=".zip,application/zip"
              disabled={busy || locked}
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void ds.importZip(file);
              }}
            />
          </label>
          {dataset && (
            <button
              type="button"
              className="button--secondary"
              data-testid="dataset-forget"
              disabled={busy}
              onClick={ds.forget}
            >
              Forget this dataset
            </button>
          )}
        </div>
      </div>

      {busy && (
        <div className="teach-row" data-testid="dataset-progress" aria-live="polite">
          <progress
            max={1}
            value={(() => {
              const p = ds.job.kind === 'idle' ? null : ds.job.progress;
              return p ? p.done / Math.max(p.total, 1) : undefined;
            })()}
          />
          <span>
            {ds.job.kind === 'reading'
              ? progressText('Reading photos and computing features', ds.job.progress)
              : ds.job.kind === 'features'
                ? progressText('Features', ds.job.progress)
                : ds.job.kind === 'training'
                  ? ds.job.progress
                    ? `Training: epoch ${ds.job.progress.epoch} of ${ds.job.progress.epochs}${
                        ds.job.progress.etaMs !== null
                          ? ` · about ${formatDuration(ds.job.progress.etaMs)} left`
                          : ''
                      }`
                    : 'Training…'
                  : ''}
          </span>
          <button type="button" className="button--secondary" onClick={ds.cancel}>
            Cancel
          </button>
        </div>
      )}
      {ds.error && (
        <p className="teach-error" role="alert" data-testid="dataset-error">
          {ds.error}
        </p>
      )}

      {dataset && (
        <>
          <h4>
            {dataset.name}: <span data-testid="dataset-counts">{countsLine(dataset)}</span>
          </h4>
          <ul className="dataset-classes">
            {dataset.classes.map((c, i) => (
              <li
                key={c}
                className="dataset-class"
                data-testid="class-card"
                data-name={c}
                data-count={counts[i] ?? 0}
              >
                <strong>{c}</strong>
                <span className="muted">{counts[i] ?? 0} photos</span>
              </li>
            ))}
          </ul>
          {dataset.skipped.length > 0 && (
            <details className="dataset-skipped">
              <summary data-testid="dataset-skipped" data-count={dataset.skipped.length}>
                {dataset.skipped.length} files not used
              </summary>
              <ul>
                {dataset.skipped.slice(0, 500).map((s) => (
                  <li key={s.path}>
                    {s.path}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}

          <h4>Train (head only, on {model?.name ?? 'the active model'})</h4>
          <details className="dataset-head-only" data-testid="dataset-head-only">
            <summary>Why head only?</summary>
            <p>
              Fine-tuning the top blocks would have to keep, for every photo, what the frozen part
              makes of it at the point where learning starts: for InceptionV3 below{' '}
              <code>mixed10</code> that is 8 × 8 × 2,048 numbers, about 512 KB a photo (its features
              for the head: 8 KB). For 2,000 photos that is about 1 GB of this browser&apos;s
              storage, 2.6 GB for 5,000, three times that with flip augmentation, all read back at
              every epoch; the alternative, decoding every photo again at every step, takes hours on
              a laptop. So a dataset trains the head only, on features kept in IndexedDB.
            </p>
            <p>
              To fine-tune: add a few hundred of these photos to classes by hand above (at most
              1,000) and choose <strong>Fine-tune</strong>, or train here, use{' '}
              <strong>Download for Keras (.h5)</strong> and fine-tune in Keras with the Python it
              shows.
            </p>
          </details>
          <details className="dataset-advanced" data-testid="dataset-advanced">
            <summary>
              Advanced settings <span className="muted">({settingsSummary(settings)})</span>
            </summary>
            <div className="teach-row">
              <label className="teach-field">
                <span>Epochs</span>
                <input
                  type="number"
                  data-testid="dataset-epochs"
                  min={1}
                  max={1000}
                  value={settings.epochs}
                  onChange={(e) => number('epochs', e.target.value)}
                />
              </label>
              <label className="teach-field">
                <span>Batch size</span>
                <input
                  type="number"
                  min={1}
                  max={256}
                  value={settings.batchSize}
                  onChange={(e) => number('batchSize', e.target.value)}
                />
              </label>
              <label className="teach-field">
                <span>Learning rate</span>
                <input
                  type="number"
                  step="any"
                  value={settings.learningRate}
                  onChange={(e) => number('learningRate', e.target.value)}
                />
              </label>
              <label className="teach-field">
                <span>Validation split</span>
                <input
                  type="number"
                  step={0.05}
                  min={0}
                  max={0.5}
                  disabled={dataset.hasSplits}
                  title={
                    dataset.hasSplits ? 'The dataset gives its own validation/ folder' : undefined
                  }
                  value={settings.validationSplit}
                  onChange={(e) => number('validationSplit', e.target.value)}
                />
              </label>
              <label>
                <input
                  type="checkbox"
                  checked={settings.augment.flip}
                  onChange={(e) =>
                    ds.setSettings({
                      ...settings,
                      augment: { ...settings.augment, flip: e.target.checked },
                    })
                  }
                />{' '}
                Flip augmentation (computes two more feature vectors per photo)
              </label>
              <button
                type="button"
                className="button--secondary"
                onClick={() => ds.setSettings(datasetDefaults())}
              >
                Defaults
              </button>
            </div>
          </details>
          <div className="teach-row">
            <button
              type="button"
              data-testid="train-button"
              disabled={busy || locked || !model || settingsProblem !== null}
              title={settingsProblem ?? (locked ? 'Another training is running' : undefined)}
              onClick={() => void ds.train()}
            >
              {report ? 'Train again' : 'Train'}
            </button>
            {ds.features && (
              <span
                className="muted"
                data-testid="dataset-features"
                data-reused={ds.features.reused}
                data-computed={ds.features.computed}
              >
                Features: {ds.features.reused} reused from the cache, {ds.features.computed}{' '}
                computed
              </span>
            )}
          </div>
        </>
      )}

      {dataset && report && (
        <div ref={results} className="dataset-results" data-testid="dataset-results">
          <h4>Evaluate and try</h4>
          <DatasetEvaluation
            report={report}
            dataset={dataset}
            stale={ds.stale}
            busy={busy}
            onMove={ds.move}
            onExclude={ds.exclude}
          />
          {model && (
            <TrainedPreview client={client} inputSize={model.inputSize} key={String(report.ms)} />
          )}
          <form
            className="teach-row"
            onSubmit={(event) => {
              event.preventDefault();
              onKeep(name.trim() || dataset.name, true);
            }}
          >
            <label className="teach-field teach-field--wide">
              <span>Name</span>
              <input
                data-testid="dataset-model-name"
                value={name}
                placeholder={dataset.name}
                maxLength={80}
                onChange={(e) => setName(e.target.value)}
              />
            </label>
            <button type="submit" data-testid="dataset-save" disabled={saving || busy}>
              Save and use for classifying
            </button>
          </form>
          <ExportH5Button client={client} />
        </div>
      )}
    </section>
  );
}
