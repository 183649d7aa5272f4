import type { TrainReport } from '../../inference/protocol';
import { PhotoPlaceholder } from '../../lib/photo-placeholder';
import { formatCount, formatDuration, formatPercent } from './format';
import type { TeachExample } from './teach-state';

const STRATEGY_TEXT: Record<TrainReport['strategy'], string> = {
  head: 'head only',
  'fine-tune': 'fine-tuned',
  scratch: 'from scratch',
};

/**
 * How the trained model did on the photos kept aside: accuracy overall and per class, the
 * confusion matrix, and every photo it got wrong with what it took it for.
 */
export function EvaluationPanel({
  report,
  examples,
}: {
  report: TrainReport;
  examples: ReadonlyMap<string, TeachExample>;
}) {
  const { classNames, confusion } = report;
  const wrong = report.predictions.filter((p) => p.predicted !== p.label);
  const onValidation = report.evaluatedOn === 'validation';
  const last = report.epochs[report.epochs.length - 1];
  return (
    <section className="teach-eval" aria-label="Evaluation">
      <h3>Evaluation</h3>
      <p>
        <span
          className="teach-accuracy"
          data-testid="teach-accuracy"
          data-value={report.accuracy}
          data-on={report.evaluatedOn}
        >
          {onValidation ? 'Validation' : 'Training'} accuracy{' '}
          <strong>{formatPercent(report.accuracy)}</strong>
        </span>{' '}
        <span className="muted">
          on {report.predictions.length} photos · {STRATEGY_TEXT[report.strategy]} on{' '}
          {report.baseName} · {report.trainCount} photos trained on ·{' '}
          {formatCount(report.trainableParams)} parameters learned · {report.epochs.length} epochs
          {report.stoppedEarly &&
            ` (stopped early; weights of epoch ${report.bestEpoch} kept)`} in{' '}
          {formatDuration(report.ms)}
          {last && ` · final training loss ${last.loss.toFixed(3)}`}
        </span>
      </p>
      {!onValidation && (
        <p className="teach-warning">
          No photos were kept aside (validation split 0 or one photo per class), so these numbers
          are on the photos the model learned from and say little about new photos.
        </p>
      )}

      <table className="teach-table" data-testid="teach-per-class">
        <caption>Per class</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            <th scope="col">correct</th>
            <th scope="col">accuracy</th>
          </tr>
        </thead>
        <tbody>
          {classNames.map((name, i) => {
            const c = report.perClass[i] ?? { correct: 0, total: 0 };
            return (
              <tr key={name} data-class={name} data-correct={c.correct} data-total={c.total}>
                <th scope="row">{name}</th>
                <td>
                  {c.correct} / {c.total}
                </td>
                <td>{c.total > 0 ? formatPercent(c.correct / c.total) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <table className="teach-table teach-confusion" data-testid="confusion-matrix">
        <caption>Confusion matrix (rows: actual class, columns: predicted)</caption>
        <thead>
          <tr>
            <td />
            {classNames.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {classNames.map((name, i) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {classNames.map((other, j) => {
                const n = confusion[i]?.[j] ?? 0;
                return (
                  <td
                    key={other}
                    className={n > 0 ? (i === j ? 'teach-hit' : 'teach-miss') : undefined}
                    data-count={n}
                  >
                    {n}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>

      <h4>Misclassified ({wrong.length})</h4>
      {wrong.length === 0 ? (
        <p className="muted">None: every evaluated photo got its own class.</p>
      ) : (
        <ul className="teach-wrong" data-testid="teach-misclassified">
          {wrong.map((p) => {
            const example = examples.get(p.id);
            return (
              <li key={p.id}>
                {example ? (
                  <img src={example.thumbnailUrl} alt={example.name} />
                ) : (
                  <PhotoPlaceholder />
                )}
                <span>
                  {example?.name ?? 'removed photo'}: a <strong>{classNames[p.label]}</strong>,
                  taken for <strong>{classNames[p.predicted]}</strong> (
                  {formatPercent(p.probability)})
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
