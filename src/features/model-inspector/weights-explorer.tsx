import { useEffect, useId, useState } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import type { LayerWeights, ModelSummary, WeightStats } from '../../inference/protocol';
import { FilterGrid } from './filter-grid';
import { Histogram } from './histogram';
import { fetchWeights } from './inspect-client';
import {
  defaultWeightsLayer,
  formatCount,
  formatDims,
  formatStat,
  layersWithWeights,
} from './summary-view';
import { messageOf } from '../../lib/message-of';

interface Answer {
  layer: string;
  weights?: LayerWeights;
  error?: string;
}

/** Pick a layer; see each weight tensor's statistics and histogram, and conv filters as images. */
export function WeightsExplorer({
  client,
  summary,
}: {
  client: InferenceClient;
  summary: ModelSummary;
}) {
  const layers = layersWithWeights(summary);
  const [layer, setLayer] = useState<string | null>(() => defaultWeightsLayer(summary));
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [log, setLog] = useState(false);
  const selectId = useId();

  useEffect(() => {
    if (!layer) return;
    const controller = new AbortController();
    fetchWeights(client, layer, controller.signal).then(
      (weights) => setAnswer({ layer, weights }),
      (error: unknown) => {
        if (error instanceof CancelledError || controller.signal.aborted) return;
        setAnswer({ layer, error: messageOf(error) });
      },
    );
    return () => controller.abort();
  }, [client, layer]);

  const current = answer?.layer === layer ? answer : null;

  return (
    <section
      className="weights"
      aria-labelledby={`${selectId}-title`}
      data-testid="weights-explorer"
    >
      <h3 id={`${selectId}-title`}>Weights explorer</h3>
      {layers.length === 0 ? (
        <p className="muted">This model has no weights to show.</p>
      ) : (
        <p className="weights__picker">
          <label htmlFor={selectId}>Layer</label>{' '}
          <select
            id={selectId}
            data-testid="weights-layer"
            value={layer ?? ''}
            onChange={(e) => setLayer(e.target.value)}
          >
            {layers.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name} ({r.type}, {formatCount(r.params)} params)
              </option>
            ))}
          </select>{' '}
          <label className="weights__log">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} />{' '}
            log-scale histograms
          </label>
        </p>
      )}
      {layer && !current && (
        <p role="status" className="muted">
          Reading {layer}’s weights…
        </p>
      )}
      {current?.error && (
        <p role="alert" className="inspector__error">
          Could not read {layer}: {current.error}
        </p>
      )}
      {current?.weights && <LayerDetails weights={current.weights} log={log} />}
    </section>
  );
}

function LayerDetails({ weights, log }: { weights: LayerWeights; log: boolean }) {
  return (
    <div data-testid="weights-details" data-layer={weights.layer}>
      <div className="weights__list">
        {weights.weights.map((w) => (
          <WeightCard key={w.name} weight={w} log={log} />
        ))}
      </div>
      {weights.filters && (
        <figure className="weights__filters">
          <figcaption>
            The {formatCount(weights.filters.count)} filters of {weights.layer} as{' '}
            {weights.filters.width}×{weights.filters.height} RGB images (one scale for all:{' '}
            {formatStat(weights.filters.min)} is black, {formatStat(weights.filters.max)} is full
            colour): what the first layer looks for in the pixels.
          </figcaption>
          <FilterGrid filters={weights.filters} layer={weights.layer} />
        </figure>
      )}
    </div>
  );
}

function WeightCard({ weight, log }: { weight: WeightStats; log: boolean }) {
  const short = weight.name.split('/').pop() ?? weight.name;
  return (
    <article className="weights__card" data-testid="weight-stats" data-name={weight.name}>
      <h4 className="mono" title={weight.name}>
        {short}
      </h4>
      <dl className="weights__stats">
        <div>
          <dt>shape</dt>
          <dd className="mono">{formatDims(weight.shape)}</dd>
        </div>
        <div>
          <dt>dtype</dt>
          <dd className="mono">{weight.dtype}</dd>
        </div>
        <div>
          <dt>trainable</dt>
          <dd>{weight.trainable ? 'yes' : 'no'}</dd>
        </div>
        <div>
          <dt>min</dt>
          <dd className="mono" data-stat="min">
            {formatStat(weight.min)}
          </dd>
        </div>
        <div>
          <dt>max</dt>
          <dd className="mono" data-stat="max">
            {formatStat(weight.max)}
          </dd>
        </div>
        <div>
          <dt>mean</dt>
          <dd className="mono" data-stat="mean">
            {formatStat(weight.mean)}
          </dd>
        </div>
        <div>
          <dt>std</dt>
          <dd className="mono" data-stat="std">
            {formatStat(weight.std)}
          </dd>
        </div>
      </dl>
      <Histogram histogram={weight.histogram} label={weight.name} log={log} />
    </article>
  );
}
