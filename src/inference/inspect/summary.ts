/**
 * A Keras-style summary of a tfjs layers model, as data: one row per layer (name, type, output
 * shape, parameters, "connected to", trainable), the parameter totals, the layers grouped by
 * Inception block, and where the frozen part of a fine-tuned model ends.
 */
import type * as tf from '@tensorflow/tfjs';
import { findBlocks } from '../../models/zoo/blocks';
import type { LayerShape, ModelSummary, SummaryGroup, SummaryRow } from './protocol';

type Layer = tf.layers.Layer;
type Node = Layer['inboundNodes'][number];

/** Inception block outputs are named exactly `mixed0` … `mixed10` by Keras. */
const INCEPTION_BLOCK = /^mixed(\d+)$/;

/** Number of scalars in a weight of this shape. */
function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((n, d) => n * (d ?? 0), 1);
}

/** Parameter count of a list of weights, each shared weight counted once (as Keras does). */
export function countWeights(weights: readonly tf.LayerVariable[]): number {
  const seen = new Set<number>();
  let total = 0;
  for (const w of weights) {
    if (seen.has(w.id)) continue;
    seen.add(w.id);
    total += sizeOf(w.shape);
  }
  return total;
}

/** The nodes that belong to this model's graph (a shared layer has nodes in other graphs too). */
function modelNodes(model: tf.LayersModel): Set<Node> {
  const byDepth = (model as unknown as { nodesByDepth?: Record<string, Node[]> }).nodesByDepth;
  const nodes = new Set<Node>();
  for (const list of Object.values(byDepth ?? {})) for (const node of list) nodes.add(node);
  return nodes;
}

function outputShapeOf(layer: Layer): SummaryRow['outputShape'] {
  try {
    return layer.outputShape;
  } catch {
    return null; // Keras prints "multiple": the layer is used at several places
  }
}

/** `inbound_layer[node_index][tensor_index]` for each input of the layer's nodes in this model. */
function connectionsOf(layer: Layer, relevant: Set<Node>): string[] {
  const out: string[] = [];
  for (const node of layer.inboundNodes) {
    if (relevant.size > 0 && !relevant.has(node)) continue;
    node.inboundLayers.forEach((inbound, i) => {
      out.push(`${inbound.name}[${node.nodeIndices[i] ?? 0}][${node.tensorIndices[i] ?? 0}]`);
    });
  }
  return out;
}

function isSpatial(shape: SummaryRow['outputShape']): boolean {
  if (!shape || Array.isArray(shape[0])) return false;
  const s = shape as LayerShape;
  return s.length === 4 && ((s[1] ?? 0) > 1 || (s[2] ?? 0) > 1);
}

/** One summary row per layer, in `model.layers` order. */
export function summaryRows(model: tf.LayersModel): SummaryRow[] {
  const relevant = modelNodes(model);
  // A frozen model freezes every layer in it, whatever the layers' own flags say.
  const modelTrainable = model.trainable;
  return model.layers.map((layer): SummaryRow => {
    const trainable = modelTrainable && layer.trainable;
    const all = countWeights(layer.weights);
    const trainableParams = trainable ? countWeights(layer.trainableWeights) : 0;
    const nonTrainableParams = all - trainableParams;
    const outputShape = outputShapeOf(layer);
    return {
      name: layer.name,
      type: layer.getClassName(),
      outputShape,
      params: trainableParams + nonTrainableParams,
      trainableParams,
      nonTrainableParams,
      connectedTo: connectionsOf(layer, relevant),
      trainable,
      hasWeights: layer.weights.length > 0,
      spatial: isSpatial(outputShape),
    };
  });
}

/**
 * Groups rows by the architecture's blocks when Keras' block names are found (`mixedN` for
 * InceptionV3, `conv5_block3_out` for ResNet50, … see models/zoo/blocks.ts): the stem (from the
 * input to the layer Keras names as its end, e.g. `stem_activation`, or else to the first layer
 * whose output feeds several layers, i.e. where the first block branches), then each block (the layers after the previous block's output, up to its own), then
 * the head. Other models get a single group.
 */
export function groupRows(model: tf.LayersModel, rows: SummaryRow[]): SummaryGroup[] {
  const paramsIn = (start: number, end: number): number =>
    rows.slice(start, end).reduce((n, r) => n + r.params, 0);
  const group = (id: string, title: string, start: number, end: number): SummaryGroup => ({
    id,
    title,
    start,
    end,
    params: paramsIn(start, end),
  });
  const found = findBlocks(rows.map((r) => r.name));
  const ends = new Set(found?.ends ?? []);
  const blockEnds = rows.flatMap((r, i) => (ends.has(r.name) ? [i] : []));
  if (blockEnds.length === 0)
    return rows.length ? [group('layers', 'All layers', 0, rows.length)] : [];

  const relevant = modelNodes(model);
  const consumers = (layer: Layer): number =>
    layer.outboundNodes.filter((n) => relevant.size === 0 || relevant.has(n)).length;
  const firstBlockEnd = blockEnds[0] as number;
  // Where Keras names the stem's last layer (EfficientNet's stem_activation, ResNet's pool1_pool),
  // that ends it; else the first layer feeding several (where InceptionV3's first block branches).
  const named = found?.stemEnd === undefined ? -1 : rows.findIndex((r) => r.name === found.stemEnd);
  let stemEnd =
    named >= 0
      ? named + 1
      : model.layers.findIndex((l, i) => i < firstBlockEnd && consumers(l) > 1) + 1;
  if (stemEnd <= 0) stemEnd = 0;

  const groups: SummaryGroup[] = [];
  if (stemEnd > 0) groups.push(group('stem', 'Stem', 0, stemEnd));
  let start = stemEnd;
  blockEnds.forEach((end, i) => {
    const name = (rows[end] as SummaryRow).name;
    const n = INCEPTION_BLOCK.exec(name)?.[1];
    const title = n === undefined ? `Block ${i + 1} (${name})` : `Inception block ${n} (${name})`;
    groups.push(group(name, title, start, end + 1));
    start = end + 1;
  });
  if (start < rows.length) groups.push(group('head', 'Head', start, rows.length));
  return groups;
}

/**
 * Index of the row after the last frozen layer, when trainable layers with weights follow it
 * (a base frozen for fine-tuning, then a trainable head); `null` otherwise. Input layers never
 * count: they are never trainable.
 */
export function freezeBoundaryOf(rows: SummaryRow[]): number | null {
  let lastFrozen = -1;
  rows.forEach((r, i) => {
    if (!r.trainable && r.type !== 'InputLayer') lastFrozen = i;
  });
  if (lastFrozen < 0) return null;
  const laterTrainable = rows.some((r, i) => i > lastFrozen && r.trainable && r.hasWeights);
  return laterTrainable ? lastFrozen + 1 : null;
}

/** The full summary: rows, groups, totals (as Keras reports them) and the freeze boundary. */
export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const rows = summaryRows(model);
  const trainable = countWeights(model.trainableWeights);
  const nonTrainable = countWeights(model.nonTrainableWeights);
  return {
    modelName: model.name,
    rows,
    groups: groupRows(model, rows),
    totals: { total: trainable + nonTrainable, trainable, nonTrainable },
    freezeBoundary: freezeBoundaryOf(rows),
    frozenLayers: rows.filter((r) => r.hasWeights && !r.trainable).length,
  };
}
