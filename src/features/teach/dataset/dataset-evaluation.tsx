import { useMemo, useState } from 'react';
import type { ExamplePrediction, TrainReport } from '../../../inference/protocol';
import type { Dataset, DatasetPhoto } from './dataset-state';
import { classScores, mostConfused } from './metrics';
import { Thumb } from './thumb';

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/** Props of {@link DatasetEvaluation}. */
export interface DatasetEvaluationProps {
  report: TrainReport;
  dataset: Dataset;
  /** the dataset changed since this evaluation */
  stale: boolean;
  busy: boolean;
  onMove: (id: string, label: number) => void;
  onExclude: (id: string, excluded: boolean) => void;
}

/** One photo behind the numbers: thumbnail, path, scores, and the fixes (move, exclude). */
function PhotoRow({
  prediction,
  photo,
  classes,
  busy,
  onMove,
  onExclude,
}: {
  prediction: ExamplePrediction;
  photo: DatasetPhoto | undefined;
  classes: readonly string[];
  busy: boolean;
  onMove: (id: string, label: number) => void;
  onExclude: (id: string, excluded: boolean) => void;
}) {
  const scores = (prediction.scores ?? [])
    .map((p, i) => [i, p] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  const label = photo?.label ?? prediction.label;
  return (
    <li className="dataset-photo" data-testid="cell-photo" data-id={prediction.id}>
      {photo && <Thumb hash={photo.hash} alt={prediction.id} />}
      <span className="dataset-photo__path">{prediction.id}</span>
      <span className="muted">
        {classes[prediction.label]} → {classes[prediction.predicted]} ({pct(prediction.probability)}
        ){scores.length > 0 && ` · ${scores.map(([i, p]) => `${classes[i]} ${pct(p)}`).join(', ')}`}
      </span>
      {photo && (
        <>
          <label>
            <span className="visually-hidden">Class of {prediction.id}</span>
            <select
              data-testid="photo-move"
              value={label}
              disabled={busy}
              onChange={(event) => onMove(prediction.id, Number(event.target.value))}
            >
              {classes.map((c, i) => (
                <option key={c} value={i}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button--secondary"
            data-testid="photo-exclude"
            data-excluded={photo.excluded}
            disabled={busy}
            onClick={() => onExclude(prediction.id, !photo.excluded)}
          >
            {photo.excluded ? 'Include again' : 'Exclude'}
          </button>
        </>
      )}
    </li>
  );
}

/**
 * A dataset run's evaluation: accuracy, per-class precision / recall / F1, the confusion matrix
 * (a cell opens its photos), the most confused pairs and the misclassified photos, each photo
 * with its fixes.
 */
export function DatasetEvaluation({
  report,
  dataset,
  stale,
  busy,
  onMove,
  onExclude,
}: DatasetEvaluationProps) {
  const [cell, setCell] = useState<[number, number] | null>(null);
  const photos = useMemo(() => new Map(dataset.photos.map((p) => [p.id, p])), [dataset.photos]);
  const scores = useMemo(() => classScores(report.confusion), [report.confusion]);
  const pairs = useMemo(() => mostConfused(report.confusion), [report.confusion]);
  const wrong = report.predictions.filter((p) => p.predicted !== p.label);
  const classes = report.classNames;
  const inCell = cell
    ? report.predictions.filter((p) => p.label === cell[0] && p.predicted === cell[1])
    : [];
  const rowProps = { classes, busy, onMove, onExclude };
  const evaluated = report.evaluatedOn === 'validation' ? report.valCount : report.trainCount;

  return (
    <div className="dataset-eval">
      <p
        className="teach-big"
        data-testid="val-accuracy"
        data-value={report.accuracy}
        data-epoch-ms={
          report.epochs.reduce((sum, e) => sum + e.ms, 0) / Math.max(report.epochs.length, 1)
        }
      >
        {report.evaluatedOn === 'validation' ? 'Validation' : 'Training'} accuracy{' '}
        <strong>{pct(report.accuracy)}</strong> on {evaluated} photos
        {report.evaluatedOn === 'training' && ' (no validation photos: the figure is optimistic)'}
      </p>
      {stale && (
        <p className="teach-note" data-testid="dataset-changed">
          The dataset changed since this evaluation: train again to see the effect.
        </p>
      )}
      <table className="dataset-scores" data-testid="class-scores">
        <caption>Per class</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
            <th scope="col">Photos</th>
          </tr>
        </thead>
        <tbody>
          {scores.map((s, i) => (
            <tr key={classes[i]} data-testid="class-score" data-name={classes[i]} data-f1={s.f1}>
              <th scope="row">{classes[i]}</th>
              <td>{pct(s.precision)}</td>
              <td>{pct(s.recall)}</td>
              <td>{s.f1.toFixed(3)}</td>
              <td>{s.support}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <table className="dataset-confusion" data-testid="confusion">
        <caption>Confusion matrix: rows are the actual class, columns the prediction</caption>
        <thead>
          <tr>
            <th scope="col">actual \ predicted</th>
            {classes.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.confusion.map((row, a) => (
            <tr key={classes[a]}>
              <th scope="row">{classes[a]}</th>
              {row.map((count, p) => (
                <td key={classes[p]}>
                  <button
                    type="button"
                    className={`dataset-cell${a === p ? ' dataset-cell--right' : ''}${
                      cell?.[0] === a && cell[1] === p ? ' dataset-cell--open' : ''
                    }`}
                    data-testid="confusion-cell"
                    data-actual={classes[a]}
                    data-predicted={classes[p]}
                    data-count={count}
                    aria-pressed={cell?.[0] === a && cell[1] === p}
                    aria-label={`${count} photos of ${classes[a]} predicted as ${classes[p]}`}
                    disabled={count === 0}
                    onClick={() => setCell([a, p])}
                  >
                    {count}
                  </button>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {cell && (
        <section aria-label="Photos of the chosen cell" data-testid="cell-photos">
          <h4>
            {classes[cell[0]]} predicted as {classes[cell[1]]}: {inCell.length} photos
          </h4>
          <ul className="dataset-photos">
            {inCell.slice(0, 200).map((p) => (
              <PhotoRow key={p.id} prediction={p} photo={photos.get(p.id)} {...rowProps} />
            ))}
          </ul>
        </section>
      )}
      {pairs.length > 0 && (
        <section aria-label="Most confused classes">
          <h4>Most confused</h4>
          <ol data-testid="confused-pairs">
            {pairs.map((pair) => (
              <li key={`${pair.a}-${pair.b}`}>
                {classes[pair.a]} ↔ {classes[pair.b]}: {pair.count} photos
              </li>
            ))}
          </ol>
        </section>
      )}
      <details className="dataset-wrong">
        <summary data-testid="misclassified-count" data-count={wrong.length}>
          Misclassified photos: {wrong.length}
        </summary>
        <ul className="dataset-photos">
          {wrong.slice(0, 200).map((p) => (
            <PhotoRow key={p.id} prediction={p} photo={photos.get(p.id)} {...rowProps} />
          ))}
        </ul>
        {wrong.length > 200 && <p className="muted">The first 200 are listed.</p>}
      </details>
    </div>
  );
}
