/** The model inspector's calls to the worker. */
import type { InferenceClient } from '../../inference/client';
import type { LayerWeights, ModelSummary } from '../../inference/protocol';

/** The Keras-style summary of the active model. */
export async function fetchSummary(
  client: InferenceClient,
  signal?: AbortSignal,
): Promise<ModelSummary> {
  return (await client.call('inspect-summary', {}, signal ? { signal } : {})).summary;
}

/** Statistics (and filter images) of one layer's weights. */
export async function fetchWeights(
  client: InferenceClient,
  layer: string,
  signal?: AbortSignal,
): Promise<LayerWeights> {
  return (await client.call('inspect-weights', { layer }, signal ? { signal } : {})).weights;
}
