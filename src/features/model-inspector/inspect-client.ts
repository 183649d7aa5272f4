/** The model inspector's calls to the worker. */
import type { InferenceClient } from '../../inference/client';
import type { InspectResponse, LayerWeights, ModelSummary } from '../../inference/protocol';

type Answer<T extends InspectResponse['type']> = Extract<InspectResponse, { type: T }>;

/** The Keras-style summary of the active model. */
export async function fetchSummary(
  client: InferenceClient,
  signal?: AbortSignal,
): Promise<ModelSummary> {
  const answer = await client.call<Answer<'inspect-summary-result'>>(
    (id) => ({ type: 'inspect-summary', id }),
    signal ? { signal } : {},
  );
  return answer.summary;
}

/** Statistics (and filter images) of one layer's weights. */
export async function fetchWeights(
  client: InferenceClient,
  layer: string,
  signal?: AbortSignal,
): Promise<LayerWeights> {
  const answer = await client.call<Answer<'inspect-weights-result'>>(
    (id) => ({ type: 'inspect-weights', id, layer }),
    signal ? { signal } : {},
  );
  return answer.weights;
}
