import { useRef, useState } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import {
  MAX_COMPARE_MODELS,
  MIN_COMPARE_MODELS,
  type CompareModelResult,
  type CompareProgress,
} from '../../inference/protocol';

import { ZOO_FACTS, zooModelEntry, type ZooModelName } from '../../models/registry';
import type { ResizeMode } from '../../preprocess/geometry';
import { downloadFile } from '../../lib/download';
import { messageOf } from '../../lib/message-of';
import { useZooAvailability } from '../../lib/zoo-availability';
import { runComparison } from './compare-client';
import { agreementOn, agreementSummary, compareCsv } from './compare-report';
import './compare.css';

/** Props of {@link CompareView}. */
export interface CompareViewProps {
  client: InferenceClient;
  resizeMode: ResizeMode;
  /** the photos of the Classify view, offered as the photos to compare on */
  classifyPhotos: readonly File[];
}

/** A finished comparison. */
interface Outcome {
  photos: string[];
  results: CompareModelResult[];
}

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/**
 * "Compare": 2–4 zoo models run on the same photos in the worker, one model after another (each
 * freed before the next loads, so memory holds one at a time): each model's top-3 side by side,
 * whether they agree, their load time and milliseconds per photo on this device, and a CSV.
 */
export function CompareView({ client, resizeMode, classifyPhotos }: CompareViewProps) {
  const available = useZooAvailability();
  const [chosen, setChosen] = useState<ZooModelName[]>([]);
  const [random, setRandom] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<CompareProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const controller = useRef<AbortController | null>(null);

  const toggle = (name: ZooModelName, on: boolean): void =>
    setChosen((list) => (on ? [...list, name] : list.filter((n) => n !== name)));

  const canRun =
    !running &&
    files.length > 0 &&
    chosen.length >= MIN_COMPARE_MODELS &&
    chosen.length <= MAX_COMPARE_MODELS;

  const run = async (): Promise<void> => {
    const stop = new AbortController();
    controller.current = stop;
    setRunning(true);
    setError(null);
    setOutcome(null);
    setProgress(null);
    try {
      const models = chosen.map((name) => {
        const entry = zooModelEntry(name, random);
        return { ...entry, url: new URL(entry.url, location.href).href };
      });
      const results = await runComparison(client, models, files, resizeMode, {
        onProgress: setProgress,
        signal: stop.signal,
      });
      setOutcome({ photos: files.map((f) => f.name), results });
    } catch (e) {
      if (!(e instanceof CancelledError) && !stop.signal.aborted) setError(messageOf(e));
    } finally {
      controller.current = null;
      setRunning(false);
      setProgress(null);
    }
  };

  const exportCsv = (): void => {
    if (!outcome) return;
    downloadFile(
      compareCsv(outcome.photos, outcome.results),
      'inception-lens-compare.csv',
      'text/csv',
    );
  };

  return (
    <section className="compare" aria-labelledby="compare-title" data-testid="compare-view">
      <h2 id="compare-title">Compare models</h2>
      <p className="muted">
        Choose {MIN_COMPARE_MODELS} to {MAX_COMPARE_MODELS} models and some photos. The models run
        here, one after another (each is freed before the next loads), on the same photos.
      </p>
      <fieldset className="compare__models">
        <legend>Models</legend>
        {ZOO_FACTS.map((facts) => {
          const there = available[facts.name];
          const checked = chosen.includes(facts.name);
          const full = !checked && chosen.length >= MAX_COMPARE_MODELS;
          return (
            <label key={facts.name} className="compare__model">
              <input
                type="checkbox"
                data-testid="compare-model"
                value={facts.name}
                checked={checked}
                disabled={running || full || (!random && there === false)}
                onChange={(event) => toggle(facts.name, event.target.checked)}
              />{' '}
              {facts.displayName}{' '}
              <span className="muted">
                ({facts.inputSize}px
                {!random && there === false ? ', weights not on this server' : ''})
              </span>
            </label>
          );
        })}
        <label className="compare__random">
          <input
            type="checkbox"
            data-testid="compare-random"
            checked={random}
            disabled={running}
            onChange={(event) => setRandom(event.target.checked)}
          />{' '}
          Random weights (builds the architectures, downloads nothing: for speed and memory, not for
          answers)
        </label>
      </fieldset>
      <div className="compare__photos">
        <label className="button button--secondary">
          Choose photos…
          <input
            className="visually-hidden"
            type="file"
            accept="image/*"
            multiple
            data-testid="compare-files"
            disabled={running}
            onChange={(event) => {
              setFiles(Array.from(event.target.files ?? []));
              event.target.value = '';
            }}
          />
        </label>
        {classifyPhotos.length > 0 && (
          <button
            type="button"
            className="button button--secondary"
            disabled={running}
            onClick={() => setFiles([...classifyPhotos])}
          >
            Use the {classifyPhotos.length} photo{classifyPhotos.length === 1 ? '' : 's'} from
            Classify
          </button>
        )}
        <span className="muted" data-testid="compare-photo-count">
          {files.length} photo{files.length === 1 ? '' : 's'}
        </span>
      </div>
      <div className="compare__actions">
        <button
          type="button"
          className="button"
          data-testid="compare-run"
          disabled={!canRun}
          onClick={() => void run()}
        >
          Compare {chosen.length} model{chosen.length === 1 ? '' : 's'}
        </button>
        {running && (
          <button
            type="button"
            className="button button--secondary"
            data-testid="compare-cancel"
            onClick={() => controller.current?.abort()}
          >
            Cancel
          </button>
        )}
      </div>
      {running && (
        <p aria-live="polite" data-testid="compare-progress">
          {progress
            ? `Model ${progress.model + 1} of ${progress.models}: ${
                progress.stage === 'loading'
                  ? 'loading'
                  : `photo ${progress.photosDone + 1} of ${files.length}`
              }`
            : 'Preparing the photos…'}
        </p>
      )}
      {error && (
        <p className="model-status__error" role="alert" data-testid="compare-error">
          {error}
        </p>
      )}
      {outcome && <CompareTable outcome={outcome} onExport={exportCsv} />}
    </section>
  );
}

/** The results: photos down, models across, agreement last; timings in the footer. */
function CompareTable({ outcome, onExport }: { outcome: Outcome; onExport: () => void }) {
  const { photos, results } = outcome;
  const summary = agreementSummary(results, photos.length);
  return (
    <div className="compare__result">
      <div className="compare__toolbar">
        <p>
          Same top-1 on {summary.sameTop1} of {photos.length} photo{photos.length === 1 ? '' : 's'};
          on average {summary.meanOverlap.toFixed(1)} of 3 classes in every top-3.
        </p>
        <button
          type="button"
          className="button button--secondary"
          data-testid="compare-csv"
          onClick={onExport}
        >
          Export CSV
        </button>
      </div>
      <div className="compare__scroll">
        <table
          className="compare__table"
          data-testid="compare-table"
          data-models={results.length}
          data-photos={photos.length}
        >
          <thead>
            <tr>
              <th scope="col">Photo</th>
              {results.map((r) => (
                <th scope="col" key={r.modelId} data-testid="compare-model-head">
                  {r.name}
                </th>
              ))}
              <th scope="col">Agreement</th>
            </tr>
          </thead>
          <tbody>
            {photos.map((photo, p) => {
              const agreement = agreementOn(results, p);
              return (
                <tr key={`${photo}-${p}`} data-testid="compare-row">
                  <th scope="row">{photo}</th>
                  {results.map((r) => (
                    <td key={r.modelId} data-testid="compare-cell" data-model={r.modelId}>
                      {r.predictions[p] ? (
                        <ol>
                          {r.predictions[p].map((prediction) => (
                            <li key={prediction.index}>
                              {prediction.label}{' '}
                              <span className="muted">{pct(prediction.probability)}</span>
                            </li>
                          ))}
                        </ol>
                      ) : (
                        <span className="model-status__error">{r.error ?? 'no answer'}</span>
                      )}
                    </td>
                  ))}
                  <td
                    data-testid="compare-agreement"
                    data-same-top1={agreement.sameTop1}
                    data-top3-overlap={agreement.top3Overlap}
                  >
                    {agreement.sameTop1 ? 'same top-1' : 'different top-1'} ·{' '}
                    {agreement.top3Overlap}/3 shared
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Load</th>
              {results.map((r) => (
                <td key={r.modelId} data-testid="compare-load-ms" data-ms={Math.round(r.loadMs)}>
                  {(r.loadMs / 1000).toFixed(1)} s
                </td>
              ))}
              <td />
            </tr>
            <tr>
              <th scope="row">Per photo</th>
              {results.map((r) => (
                <td key={r.modelId} data-testid="compare-photo-ms" data-ms={r.msPerPhoto ?? ''}>
                  {r.msPerPhoto === null ? '—' : `${r.msPerPhoto.toFixed(0)} ms`}
                </td>
              ))}
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
