import { useEffect, useState } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import type { LoadedModelInfo, ModelSummary } from '../../inference/protocol';
import { fetchSummary } from './inspect-client';
import { SummaryTable } from './summary-table';
import { formatCount } from './summary-view';
import { WeightsExplorer } from './weights-explorer';
import './model-inspector.css';
import { messageOf } from '../../lib/message-of';

interface Loaded {
  model: LoadedModelInfo;
  summary?: ModelSummary;
  error?: string;
}

/** The "Inspect" view: the loaded model's summary (like Keras' `summary()`) and its weights. */
export function ModelInspector({
  client,
  model,
}: {
  client: InferenceClient;
  /** the model the worker has ready, or null while none is */
  model: LoadedModelInfo | null;
}) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    if (!model) return;
    const controller = new AbortController();
    fetchSummary(client, controller.signal).then(
      (summary) => setLoaded({ model, summary }),
      (error: unknown) => {
        if (error instanceof CancelledError || controller.signal.aborted) return;
        setLoaded({ model, error: messageOf(error) });
      },
    );
    return () => controller.abort();
  }, [client, model]);

  const current = model && loaded?.model === model ? loaded : null;
  const summary = current?.summary;

  return (
    <section className="inspector" aria-labelledby="inspector-title" data-testid="model-inspector">
      <h2 id="inspector-title">What is inside {model ? model.name : 'the model'}</h2>
      {!model && <p className="muted">The summary appears once a model is loaded and ready.</p>}
      {model && !current && (
        <p role="status" className="muted">
          Reading the model…
        </p>
      )}
      {current?.error && (
        <p role="alert" className="inspector__error">
          Could not read the model: {current.error}
        </p>
      )}
      {model && summary && (
        <>
          <Totals summary={summary} />
          <SummaryTable key={`summary-${model.id}`} summary={summary} />
          <WeightsExplorer key={`weights-${model.id}`} client={client} summary={summary} />
        </>
      )}
    </section>
  );
}

/** Keras' three totals, plus where the frozen part ends. */
function Totals({ summary }: { summary: ModelSummary }) {
  const { total, trainable, nonTrainable } = summary.totals;
  const boundaryRow =
    summary.freezeBoundary === null ? undefined : summary.rows[summary.freezeBoundary - 1];
  return (
    <div className="inspector__totals">
      <dl
        data-testid="summary-totals"
        data-total={total}
        data-trainable={trainable}
        data-non-trainable={nonTrainable}
      >
        <div>
          <dt>Total params</dt>
          <dd>{formatCount(total)}</dd>
        </div>
        <div>
          <dt>Trainable params</dt>
          <dd>{formatCount(trainable)}</dd>
        </div>
        <div>
          <dt>Non-trainable params</dt>
          <dd>{formatCount(nonTrainable)}</dd>
        </div>
        <div>
          <dt>Layers</dt>
          <dd>{formatCount(summary.rows.length)}</dd>
        </div>
      </dl>
      <p className="muted">
        {boundaryRow
          ? `Fine-tuned: the layers up to ${boundaryRow.name} are frozen (${summary.frozenLayers} layers with weights); the ones after it train.`
          : summary.frozenLayers > 0
            ? `${summary.frozenLayers} layers with weights are frozen.`
            : 'Every layer is trainable.'}{' '}
        Non-trainable parameters include batch normalisation's moving mean and variance, as Keras
        counts them.
      </p>
    </div>
  );
}
