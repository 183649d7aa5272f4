import { ZOO_FACTS, zooModelEntry, type ModelEntry } from '../../models/registry';
import { useZooAvailability } from '../../lib/zoo-availability';
import './zoo.css';

/** Props of {@link ZooList}. */
export interface ZooListProps {
  /** id of the model the worker is running (null while none is ready) */
  activeId: string | null;
  /** makes a model the active one */
  onSelect: (entry: ModelEntry) => void;
}

const PREPROCESS_TEXT = {
  tf: '−1…1',
  caffe: 'BGR − mean',
  torch: 'mean/std',
  none: 'in the model',
} as const;

/**
 * The Keras applications this app builds in code: whether their ImageNet weights are on this
 * server, their size, input, the top-1 accuracy Keras reports and their parameters, with "Use"
 * (ImageNet weights) and "Random" (the architecture with random weights, nothing downloaded).
 */
export function ZooList({ activeId, onSelect }: ZooListProps) {
  const available = useZooAvailability();
  return (
    <section className="zoo" aria-labelledby="zoo-title">
      <h2 id="zoo-title">Keras applications</h2>
      <p className="muted">
        Built here layer by layer as Keras builds them. Their ImageNet weights come from this server
        (<code>npm run model:fetch -- --model &lt;name&gt;</code>); with random weights they need no
        download (to inspect them, time them or train them from scratch).
      </p>
      <div className="zoo__scroll">
        <table className="zoo__table" data-testid="zoo-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Weights</th>
              <th scope="col">Size</th>
              <th scope="col">Input</th>
              <th scope="col">Top-1 (Keras)</th>
              <th scope="col">Parameters</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {ZOO_FACTS.map((facts) => {
              const there = available[facts.name];
              const entry = zooModelEntry(facts.name);
              const random = zooModelEntry(facts.name, true);
              return (
                <tr
                  key={facts.name}
                  data-testid="zoo-row"
                  data-name={facts.name}
                  data-present={there === undefined ? '' : String(there)}
                >
                  <th scope="row">
                    {facts.displayName} <code className="muted">{facts.name}</code>
                  </th>
                  <td>{there === undefined ? '…' : there ? 'on this server' : 'not fetched'}</td>
                  <td>{facts.sizeMB === null ? '—' : `${facts.sizeMB} MB`}</td>
                  <td>
                    {facts.inputSize}×{facts.inputSize}{' '}
                    <span className="muted">({PREPROCESS_TEXT[facts.preprocess]})</span>
                  </td>
                  <td title={facts.accuracySource}>{(facts.accuracy.top1 * 100).toFixed(1)}%</td>
                  <td title={`${facts.params.trainable.toLocaleString()} trainable`}>
                    {(facts.params.total / 1e6).toFixed(1)} M
                  </td>
                  <td className="zoo__actions">
                    <button
                      type="button"
                      className="button"
                      data-testid="zoo-use"
                      disabled={there !== true || activeId === entry.id}
                      onClick={() => onSelect(entry)}
                    >
                      {activeId === entry.id ? 'Active' : 'Use'}
                    </button>
                    <button
                      type="button"
                      className="button button--secondary"
                      data-testid="zoo-use-random"
                      disabled={activeId === random.id}
                      title="The architecture with random weights: nothing is downloaded"
                      onClick={() => onSelect(random)}
                    >
                      {activeId === random.id ? 'Active' : 'Random'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
