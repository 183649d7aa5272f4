/**
 * Model surgery for transfer learning: where a network's features end, which blocks it has, a
 * copy of its base that owns its own weights, a new classifier head, which layers learn for each
 * strategy (and how many parameters that is), and an eager runner that executes only the part of
 * a functional model above a given tensor, so frozen layers cost one forward pass and no tape.
 */
import * as tf from '@tensorflow/tfjs';
import { findBlocks } from '../../models/zoo/blocks';
import { artifactsOf } from '../../models/tfjs-artifacts';
import type { TrainStrategy } from './protocol';

type Layer = tf.layers.Layer;

const POOLING = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D']);

/** Input side of the first input of a square image model. */
export function modelInputSize(model: tf.LayersModel): number {
  const [, h, w] = model.inputs[0]?.shape ?? [];
  if (typeof h !== 'number' || h !== w) {
    throw new Error(`the model's input shape [${String(model.inputs[0]?.shape)}] is not square`);
  }
  return h;
}

/** The layers a layer's (first) output depends on, itself included. */
export function ancestorsOf(layer: Layer): Set<Layer> {
  const seen = new Set<Layer>();
  const stack = [layer];
  while (stack.length > 0) {
    const current = stack.pop() as Layer;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const parent of current.inboundNodes[0]?.inboundLayers ?? []) stack.push(parent);
  }
  return seen;
}

/**
 * Where a base's image features are read: `layer`'s output, averaged over space first when
 * `pool` is set. That is Keras' `Application(include_top=False, pooling='avg')`, the base Keras'
 * transfer-learning guide puts a new head on.
 */
export interface FeatureCut {
  layer: Layer;
  /** true when `layer` outputs a spatial map that a GlobalAveragePooling2D turns into features */
  pool: boolean;
  /** length of the feature vector */
  size: number;
}

/**
 * Where the image features of `model` are: the last global pooling layer (Keras' `avg_pool` in
 * InceptionV3); else, for a model whose blocks carry Keras' names but that has no pooling (VGG16,
 * whose top is Flatten + fc1 + fc2), the last block's output averaged over space, as Keras'
 * `include_top=False, pooling='avg'` builds it (so fc1 and fc2 are never part of the base); else
 * the input of a final Dense layer when that input is a vector.
 */
export function featureCutOf(model: tf.LayersModel): FeatureCut {
  const pooling = model.layers.filter((l) => POOLING.has(l.getClassName()));
  const last = pooling[pooling.length - 1];
  if (last) return { layer: last, pool: false, size: featureSizeOf(last) };
  const blockEnd = findBlocks(model.layers.map((l) => l.name))?.ends.at(-1);
  if (blockEnd !== undefined) {
    const layer = model.getLayer(blockEnd);
    const shape = layer.outputShape as (number | null)[];
    const channels = shape[3];
    if (shape.length === 4 && typeof channels === 'number') {
      return { layer, pool: true, size: channels };
    }
  }
  const out = model.outputs[0]?.sourceLayer;
  const before = out?.inboundNodes[0]?.inboundLayers[0];
  if (out?.getClassName() === 'Dense' && before && before.outputShape.length === 2) {
    return { layer: before, pool: false, size: featureSizeOf(before) };
  }
  throw new Error(
    `${model.name} has no global pooling layer, no blocks named as Keras names them and no final ` +
      'dense layer, so it is not clear where its image features end; it cannot be used as a base',
  );
}

/**
 * The layer the image features are read from ({@link featureCutOf}); for a base without pooling
 * (VGG16) it is the last block's output, which Teach then averages over space.
 */
export function featureLayerOf(model: tf.LayersModel): Layer {
  return featureCutOf(model).layer;
}

/** Name Teach gives the pooling it adds on a base without one: Keras' automatic name. */
function poolingName(model: tf.LayersModel): string {
  const taken = new Set(model.layers.map((l) => l.name));
  let name = 'global_average_pooling2d';
  for (let i = 1; taken.has(name); i++) name = `global_average_pooling2d_${i}`;
  return name;
}

/**
 * `model` (whose output is `cut.layer`'s) with the features as its output: itself, or with a
 * GlobalAveragePooling2D on top when the cut pools. The result owns `model`'s layers.
 */
export function poolFeatures(model: tf.LayersModel, cut: FeatureCut): tf.LayersModel {
  if (!cut.pool) return model;
  const pool = tf.layers.globalAveragePooling2d({ name: poolingName(model) });
  return tf.model({
    inputs: model.inputs,
    outputs: pool.apply(model.outputs[0] as tf.SymbolicTensor) as tf.SymbolicTensor,
    name: model.name,
  });
}

/** Length of the feature vector a layer outputs. */
export function featureSizeOf(layer: Layer): number {
  const shape = layer.outputShape as (number | null)[];
  const size = shape[shape.length - 1];
  // Keras 3's MobileNet pools with keepdims: [batch, 1, 1, C] is a vector too.
  const pooled = shape.length === 4 && shape[1] === 1 && shape[2] === 1;
  if ((shape.length !== 2 && !pooled) || typeof size !== 'number') {
    throw new Error(`layer ${layer.name} outputs [${shape.join(', ')}], not a feature vector`);
  }
  return size;
}

/**
 * The model's blocks that fine-tuning can unfreeze, top first (`mixed10`, `mixed9`, …, or
 * `conv5_block3_out`, `conv5_block2_out`, … for ResNet50), among the layers the features depend
 * on, found by Keras' layer names (`BLOCK_PATTERNS` in models/zoo/blocks.ts); empty for a model
 * with no known block structure.
 */
export function blocksOf(model: tf.LayersModel, featureLayer: Layer): string[] {
  const needed = ancestorsOf(featureLayer);
  const names = model.layers.filter((l) => needed.has(l)).map((l) => l.name);
  return (findBlocks(names)?.ends ?? []).reverse();
}

/** Number of values in a list of weights. */
export function countWeights(weights: readonly { shape: readonly (number | null)[] }[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
}

/** Parameters of a layer that would learn were it unfrozen (BatchNorm's moving stats never do). */
function unfrozenTrainable(layer: Layer): number {
  if (layer.trainable) return countWeights(layer.trainableWeights);
  // The setter flips every trainable weight of the layer; flipping it back restores the model.
  layer.trainable = true;
  try {
    return countWeights(layer.trainableWeights);
  } finally {
    layer.trainable = false;
  }
}

/** Trainable and frozen parameter counts. */
export interface ParamCounts {
  trainable: number;
  frozen: number;
}

/** The block output after which fine-tuning with `blocks` unfrozen blocks starts learning. */
export function fineTuneBoundary(blockNames: readonly string[], blocks: number): string {
  if (blockNames.length === 0) {
    throw new Error('this base has no known block structure, so it cannot be fine-tuned by blocks');
  }
  const boundary = blockNames[blocks];
  if (!Number.isInteger(blocks) || blocks < 1 || boundary === undefined) {
    throw new Error(
      `fine-tuning can unfreeze 1 to ${blockNames.length - 1} blocks of this base, not ${blocks}`,
    );
  }
  return boundary;
}

/**
 * Most parameters one run may train. Each one learning costs its gradient and the optimizer's
 * state (momentum: 8 more bytes; Adam: 12) on top of the copy of the model being trained, which is
 * itself beside the model in use. Every zoo model fits for every strategy, since Teach's base is
 * the application without its top (VGG16 from scratch: 14.7 M; InceptionV3, ResNet50, Xception:
 * 21–24 M); VGG16's own top would not (fc1 alone is 103 M), nor would a model of the user's with
 * dense layers that large below its features.
 */
export const MAX_TRAINABLE_PARAMS = 40_000_000;

/**
 * Refuses a run that would train more than {@link MAX_TRAINABLE_PARAMS}, saying how much memory it
 * would take, which layers weigh most, and what can be done instead.
 */
export function checkTrainableBudget(
  strategy: TrainStrategy,
  trainable: number,
  learning: readonly { name: string; params: number }[],
): void {
  if (trainable <= MAX_TRAINABLE_PARAMS) return;
  const bytesPerParam = strategy === 'fine-tune' ? 8 : 12;
  const gb = ((trainable * bytesPerParam) / 1e9).toFixed(1);
  const heaviest = [...learning]
    .sort((a, b) => b.params - a.params)
    .slice(0, 2)
    .map((l) => `${l.name} (${l.params.toLocaleString('en-US')})`)
    .join(' and ');
  const what = strategy === 'fine-tune' ? 'Fine-tuning these blocks' : 'Training from scratch';
  throw new Error(
    `${what} would train ${trainable.toLocaleString('en-US')} parameters, the largest ` +
      `${heaviest}: their gradients and the optimizer's state alone need about ${gb} GB beside ` +
      'two copies of the model, more than a browser tab can hold (the limit here is ' +
      `${MAX_TRAINABLE_PARAMS.toLocaleString('en-US')}). Train the head only, which works with ` +
      `any base${strategy === 'fine-tune' ? ', unfreeze fewer blocks' : ''}, or choose a ` +
      'smaller base: every model of the zoo fits (MobileNet, MobileNetV2, EfficientNetB0, ' +
      'ResNet50, Xception, InceptionV3, VGG16).',
  );
}

/**
 * Parameter counts of a strategy computed from the base alone (nothing is built, except once for
 * "from scratch"). Tests check them against what the built model reports.
 */
export function planCounts(
  base: tf.LayersModel,
  strategy: TrainStrategy,
  numClasses: number,
  blocks: number,
): ParamCounts & {
  featureLayer: Layer;
  cut: FeatureCut;
  blockNames: string[];
  boundary: string | null;
} {
  const cut = featureCutOf(base);
  const featureLayer = cut.layer;
  const blockNames = blocksOf(base, featureLayer);
  const head = cut.size * numClasses + numClasses;
  const baseLayers = ancestorsOf(featureLayer);
  const baseParams = [...baseLayers].reduce((sum, l) => sum + l.countParams(), 0);
  if (strategy === 'head') {
    return { trainable: head, frozen: baseParams, featureLayer, cut, blockNames, boundary: null };
  }
  // From scratch is the same graph with fresh weights (see scratchModel): everything learns.
  const boundary = strategy === 'scratch' ? null : fineTuneBoundary(blockNames, blocks);
  const frozenLayers = boundary === null ? new Set<Layer>() : ancestorsOf(base.getLayer(boundary));
  let trainable = head;
  const learning: { name: string; params: number }[] = [];
  for (const layer of baseLayers) {
    if (frozenLayers.has(layer)) continue;
    const params = unfrozenTrainable(layer);
    trainable += params;
    learning.push({ name: layer.name, params });
  }
  checkTrainableBudget(strategy, trainable, learning);
  return {
    trainable,
    frozen: baseParams + head - trainable,
    featureLayer,
    cut,
    blockNames,
    boundary,
  };
}

/**
 * A copy of `model` up to (and including) `outputLayer` that owns its own weights, so training it
 * leaves the original untouched and disposing either leaves the other working.
 */
export async function cloneModel(
  model: tf.LayersModel,
  outputLayer?: string,
): Promise<tf.LayersModel> {
  // A view on the same layers; it is not disposed (disposing would release the shared layers).
  const view = outputLayer
    ? tf.model({
        inputs: model.inputs,
        outputs: model.getLayer(outputLayer).output,
      })
    : model;
  return tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(view)));
}

/** Name of the new head: `predictions`, unless the base already has a layer of that name. */
function headName(base: tf.LayersModel): string {
  const taken = new Set(base.layers.map((l) => l.name));
  let name = 'predictions';
  for (let i = 1; taken.has(name); i++) name = `custom_predictions_${i}`;
  return name;
}

/**
 * Joins `base` (whose output is a feature vector) and a new softmax dense head into one model.
 * The joined model owns the base's layers from here on: dispose the joined model, not the base.
 */
export function attachHead(
  base: tf.LayersModel,
  numClasses: number,
  name: string,
  seed?: number,
): tf.LayersModel {
  const output = base.outputs[0];
  const pooled = output?.shape.length === 4 && output.shape[1] === 1 && output.shape[2] === 1;
  if (!output || (output.shape.length !== 2 && !pooled)) {
    throw new Error(`the base must output a feature vector, got [${String(output?.shape)}]`);
  }
  // A [batch, 1, 1, C] pooling (Keras 3's MobileNet, keepdims) is flattened for the dense head.
  const features = pooled
    ? (tf.layers.flatten({ name: 'features_flatten' }).apply(output) as tf.SymbolicTensor)
    : output;
  const head = tf.layers.dense({
    units: numClasses,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform(seed === undefined ? {} : { seed }),
    name: headName(base),
  });
  return tf.model({
    inputs: base.inputs,
    outputs: head.apply(features) as tf.SymbolicTensor,
    name,
  });
}

/**
 * "From scratch": the base's own architecture up to its features (a zoo model, an imported one, a
 * model of the user's), rebuilt from its configuration alone so every weight is freshly
 * initialised (Keras' `weights=None`; batch normalisation's statistics start at 0 and 1), with a
 * new softmax head over `numClasses`. Only the topology is read from the base, no weights.
 */
export async function scratchModel(
  base: tf.LayersModel,
  numClasses: number,
  name: string,
  seed?: number,
): Promise<tf.LayersModel> {
  const cut = featureCutOf(base);
  // A view on the base's layers (not disposed: that would release them), to read its config.
  const view = tf.model({ inputs: base.inputs, outputs: cut.layer.output });
  const topology = view.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
  const fresh = await tf.models.modelFromJSON({ modelTopology: topology });
  try {
    return attachHead(poolFeatures(fresh, cut), numClasses, name, seed);
  } catch (error) {
    fresh.dispose();
    throw error;
  }
}

/**
 * Marks which layers of a joined model learn for a strategy and returns the variables to train.
 * `head`: only the last (head) layer; `fine-tune`: everything not needed to compute `boundary`;
 * `scratch`: everything.
 */
export function freezeFor(
  model: tf.LayersModel,
  strategy: TrainStrategy,
  boundary: string | null,
): tf.Variable[] {
  const head = model.outputs[0]?.sourceLayer as Layer;
  let frozen: Set<Layer>;
  if (strategy === 'scratch') frozen = new Set();
  else if (strategy === 'head') frozen = new Set(model.layers.filter((l) => l !== head));
  else {
    if (!boundary) throw new Error('fine-tuning needs a boundary layer');
    frozen = ancestorsOf(model.getLayer(boundary));
  }
  for (const layer of model.layers) layer.trainable = !frozen.has(layer);
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Trainable and frozen parameters as the model itself reports them. */
export function reportedCounts(model: tf.LayersModel): ParamCounts {
  const trainable = countWeights(model.trainableWeights);
  return { trainable, frozen: model.countParams() - trainable };
}

/**
 * Executes the part of a functional model that lies above `from`: `input` stands for the
 * symbolic tensor `from`, and only layers between it and the first output run (eagerly, so they
 * can sit inside a gradient tape). Call inside `tf.tidy` (or a tape) to free the intermediates.
 */
export function runFrom(
  model: tf.LayersModel,
  from: tf.SymbolicTensor,
  input: tf.Tensor,
  kwargs: { training: boolean },
): tf.Tensor {
  const output = model.outputs[0];
  if (!output) throw new Error(`${model.name} has no output`);
  const values = new Map<number, tf.Tensor>([[from.id, input]]);
  // Post-order walk from the output down to `from`: each node after the nodes it reads.
  const order: tf.SymbolicTensor[] = [];
  const visited = new Set<number>();
  const visit = (t: tf.SymbolicTensor): void => {
    if (values.has(t.id) || visited.has(t.id)) return;
    visited.add(t.id);
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node || node.inputTensors.length === 0) {
      throw new Error(`${t.name} does not depend on ${from.name}: it cannot be computed from it`);
    }
    for (const parent of node.inputTensors) visit(parent);
    order.push(t);
  };
  visit(output);
  for (const t of order) {
    if (values.has(t.id)) continue; // a sibling output of a layer already run
    const layer = t.sourceLayer;
    const node = layer.inboundNodes[t.nodeIndex];
    if (!node) throw new Error(`layer ${layer.name} has no node ${t.nodeIndex}`);
    const inputs = node.inputTensors.map((s) => values.get(s.id) as tf.Tensor);
    const result = layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, {
      ...(node.callArgs ?? {}),
      ...kwargs,
    }) as tf.Tensor | tf.Tensor[];
    const results = Array.isArray(result) ? result : [result];
    node.outputTensors.forEach((s, i) => values.set(s.id, results[i] as tf.Tensor));
  }
  return values.get(output.id) as tf.Tensor;
}

/** A BatchNormalization layer's parameters as tfjs keeps them (internal fields). */
interface BatchNormInternals {
  gamma?: { read(): tf.Tensor } | null;
  beta?: { read(): tf.Tensor } | null;
  movingMean: { shape: number[] };
}

/**
 * Works around a TensorFlow.js 4.22 bug: in training mode BatchNormalization reads `gamma` (and
 * `beta`) even when the layer was built without them (Keras' InceptionV3 uses `scale=False`), and
 * throws. Supplying constant ones (zeros) computes exactly what the missing parameter means.
 * Returns a function that undoes the patch.
 */
export function patchBatchNormForTraining(model: tf.LayersModel): () => void {
  const undo: (() => void)[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as BatchNormInternals;
    const shape = bn.movingMean.shape;
    const { gamma, beta } = bn;
    if (gamma == null) {
      bn.gamma = { read: () => tf.ones(shape) };
      undo.push(() => (bn.gamma = gamma));
    }
    if (beta == null) {
      bn.beta = { read: () => tf.zeros(shape) };
      undo.push(() => (bn.beta = beta));
    }
  }
  return () => undo.forEach((f) => f());
}
