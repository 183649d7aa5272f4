/**
 * Batch-norm folding for inference: every `Conv2D → BatchNormalization [→ ReLU]` chain of a layers
 * model becomes one `Conv2D` with a bias and a fused ReLU, computing the same function with one
 * kernel instead of three (TensorFlow.js runs a Conv2D whose activation is relu as a single
 * fused conv2d + bias + relu). The result is a new, inference-only model; the original is left
 * untouched for training and inspection.
 *
 * For a convolution output `y`, inference-mode batch norm is
 *   `gamma · (y − mean) / sqrt(var + eps) + beta`,
 * so with `s = gamma / sqrt(var + eps)` per output channel the folded kernel is `kernel · s` and
 * the folded bias is `(bias − mean) · s + beta`.
 */
import * as tf from '@tensorflow/tfjs';

/** A layer entry in a Keras functional-model config (the subset we read and rewrite). */
export interface LayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name: string };
  /** Keras format: nodes → inputs → [layerName, nodeIndex, tensorIndex, kwargs] */
  inbound_nodes: unknown[][][];
}

/** A Keras functional-model topology as model.json holds it (the subset we read and rewrite). */
export interface ModelJson {
  class_name: string;
  config: {
    name: string;
    layers: LayerJson[];
    input_layers: unknown[];
    output_layers: unknown[][];
  };
  [key: string]: unknown;
}

/** One folded chain, by layer name. */
export interface FoldedChain {
  conv: string;
  batchNorm: string;
  /** the ReLU merged into the convolution, when there was one */
  activation: string | null;
}

/** What {@link foldBatchNorm} produced. */
export interface FoldResult {
  /** the inference model (the input model when nothing could be folded) */
  model: tf.LayersModel;
  folded: FoldedChain[];
}

function inboundNames(layer: LayerJson): string[] {
  return layer.inbound_nodes.flatMap((node) => node.map((ref) => String(ref[0])));
}

function isRelu(layer: LayerJson): boolean {
  const c = layer.config;
  if (layer.class_name === 'Activation') return c.activation === 'relu';
  if (layer.class_name === 'ReLU') {
    return (c.max_value === null || c.max_value === undefined) && !c.negative_slope && !c.threshold;
  }
  return false;
}

function channelsLastBatchNorm(layer: LayerJson, rank: number): boolean {
  if (layer.class_name !== 'BatchNormalization') return false;
  const axis = layer.config.axis;
  return axis === -1 || axis === rank - 1;
}

/** Finds the foldable chains of a functional model config (pure; exported for tests). */
export function findFoldableChains(json: ModelJson): FoldedChain[] {
  const layers = json.config.layers;
  const byName = new Map(layers.map((l) => [l.config.name, l]));
  const consumers = new Map<string, LayerJson[]>();
  for (const layer of layers) {
    for (const name of inboundNames(layer)) {
      consumers.set(name, [...(consumers.get(name) ?? []), layer]);
    }
  }
  const outputs = new Set(json.config.output_layers.map((ref) => String(ref[0])));
  /** the only consumer of `name`, when it has exactly one and is not a model output */
  const soleConsumer = (name: string): LayerJson | undefined => {
    const list = consumers.get(name) ?? [];
    return list.length === 1 && !outputs.has(name) ? list[0] : undefined;
  };

  const chains: FoldedChain[] = [];
  for (const conv of layers) {
    if (conv.class_name !== 'Conv2D' || conv.inbound_nodes.length !== 1) continue;
    const c = conv.config;
    if ((c.data_format ?? 'channels_last') !== 'channels_last') continue;
    if ((c.activation ?? 'linear') !== 'linear') continue;
    const bn = soleConsumer(c.name);
    if (!bn || !channelsLastBatchNorm(bn, 4) || bn.inbound_nodes.length !== 1) continue;
    if (inboundNames(bn).length !== 1 || !byName.has(bn.config.name)) continue;
    const next = soleConsumer(bn.config.name);
    const relu =
      next && isRelu(next) && next.inbound_nodes.length === 1 && inboundNames(next).length === 1
        ? next
        : undefined;
    chains.push({
      conv: c.name,
      batchNorm: bn.config.name,
      activation: relu ? relu.config.name : null,
    });
  }
  return chains;
}

/** The config with each chain collapsed into its convolution (pure; exported for tests). */
export function foldedConfig(json: ModelJson, chains: FoldedChain[]): ModelJson {
  const removed = new Map<string, string>(); // removed layer → the conv that replaces it
  const convs = new Map<string, FoldedChain>();
  for (const chain of chains) {
    convs.set(chain.conv, chain);
    removed.set(chain.batchNorm, chain.conv);
    if (chain.activation) removed.set(chain.activation, chain.conv);
  }
  const rename = (ref: unknown[]): unknown[] => {
    const target = removed.get(String(ref[0]));
    return target === undefined ? ref : [target, 0, 0, ...ref.slice(3)];
  };
  const layers = json.config.layers
    .filter((l) => !removed.has(l.config.name))
    .map((layer): LayerJson => {
      const chain = convs.get(layer.config.name);
      const config: LayerJson['config'] = { ...layer.config };
      // Weights are set right after building: skip the cost of random initialisation.
      for (const key of Object.keys(config)) {
        if (key.endsWith('_initializer')) config[key] = { class_name: 'Zeros', config: {} };
      }
      if (chain) {
        config.use_bias = true;
        if (chain.activation) config.activation = 'relu';
      }
      return {
        ...layer,
        config,
        inbound_nodes: layer.inbound_nodes.map((node) => node.map(rename)),
      };
    });
  return {
    ...json,
    config: {
      ...json.config,
      layers,
      output_layers: json.config.output_layers.map(rename),
    },
  };
}

function weightByName(layer: tf.layers.Layer, suffix: string): tf.Tensor | null {
  const index = layer.weights.findIndex((w) => w.originalName.endsWith(`/${suffix}`));
  return index < 0 ? null : (layer.getWeights()[index] ?? null);
}

/** Folded [kernel, bias] of one chain; the caller disposes them. */
function foldWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const [kernel, convBias] = conv.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
    const mean = weightByName(bn, 'moving_mean');
    const variance = weightByName(bn, 'moving_variance');
    if (!kernel || !mean || !variance) {
      throw new Error(`cannot fold ${bn.name} into ${conv.name}: missing weights`);
    }
    const epsilon = (bn.getConfig().epsilon as number | undefined) ?? 1e-3;
    const channels = mean.shape[0] ?? 0;
    const gamma = weightByName(bn, 'gamma') ?? tf.ones([channels]);
    const beta = weightByName(bn, 'beta') ?? tf.zeros([channels]);
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
    const bias = tf.add(tf.mul(tf.sub(convBias ?? tf.zerosLike(mean), mean), scale), beta);
    return [tf.mul(kernel, scale), bias];
  });
}

/**
 * Returns an inference-only copy of `model` with its batch norms folded into the preceding
 * convolutions (see the file comment). Layers that are not folded share their weights with the
 * original. Only for inference: the folded model has no batch-norm statistics to train.
 */
export async function foldBatchNorm(model: tf.LayersModel): Promise<FoldResult> {
  const json = model.toJSON(null, false) as unknown as ModelJson;
  if (json.class_name !== 'Model' && json.class_name !== 'Functional') {
    return { model, folded: [] };
  }
  const chains = findFoldableChains(json);
  if (chains.length === 0) return { model, folded: [] };
  // modelFromJSON takes the Keras config dict itself (no weights: they are set below).
  const folded = await tf.models.modelFromJSON(
    foldedConfig(json, chains) as unknown as tf.serialization.ConfigDict,
  );
  const chainOf = new Map(chains.map((c) => [c.conv, c]));
  try {
    for (const layer of folded.layers) {
      const source = model.getLayer(layer.name);
      const chain = chainOf.get(layer.name);
      if (chain) {
        const weights = foldWeights(source, model.getLayer(chain.batchNorm));
        layer.setWeights(weights);
        tf.dispose(weights);
      } else if (layer.weights.length > 0) {
        layer.setWeights(source.getWeights());
      }
    }
  } catch (error) {
    folded.dispose();
    throw error;
  }
  return { model: folded, folded: chains };
}

/**
 * The model photos should run through: the folded form unless `mode` is 'off' or nothing folds.
 * Folding is an optimisation, so a model it cannot handle runs as it is (null = use `model`).
 */
export async function inferenceFormOf(
  model: tf.LayersModel,
  mode: 'auto' | 'off',
): Promise<tf.LayersModel | null> {
  if (mode === 'off') return null;
  try {
    const { model: folded } = await foldBatchNorm(model);
    return folded === model ? null : folded;
  } catch (error) {
    console.warn('batch-norm folding skipped:', error);
    return null;
  }
}
