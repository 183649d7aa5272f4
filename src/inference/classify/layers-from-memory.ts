/**
 * Builds a LayersModel from in-memory files with each weight made once, straight from its bytes.
 *
 * `tf.loadLayersModel(tf.io.fromMemory(files))` makes every weight three times before the model
 * holds it: a zero-filled array per variable (its "fast" initialisation, copied to the backend),
 * a copy of the weight's bytes sliced out of the weight data, and that copy on the backend. For
 * InceptionV3 that is ≈ 95 MB each, all freshly allocated memory; on the 2-core machines here a
 * fresh page costs far more than the copy itself (95 MB into a fresh buffer 300–580 ms, into a
 * touched one 6–9 ms), so the build of the folded copy took 1.3–1.5 s in the worker.
 *
 * Here each layer's `addWeight` is given an initialiser that makes the variable from a view of the
 * weight's own bytes (one copy, to the backend), while the topology is deserialised — which
 * `tf.models.modelFromJSON` does synchronously, so the hook is in place for exactly that call.
 * Anything it does not recognise (quantised or string weights, a weight that spans two buffers, a
 * name or shape that does not match, a weight left over) falls back to `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs';
import { sameShape } from '../../lib/same-shape';

type AddWeight = (
  this: tf.layers.Layer,
  name: string,
  shape: tf.Shape,
  dtype?: tf.DataType,
  initializer?: { apply(shape: tf.Shape, dtype?: tf.DataType): tf.Tensor },
  ...rest: unknown[]
) => tf.LayerVariable;

interface WeightView {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Each weight's bytes as a typed-array view (no copy), or null when one cannot be viewed. */
export function weightViews(artifacts: tf.io.ModelArtifacts): Map<string, WeightView> | null {
  const { weightSpecs, weightData } = artifacts;
  if (!weightSpecs || !weightData) return null;
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  const views = new Map<string, WeightView>();
  let buffer = 0;
  let offset = 0;
  for (const spec of weightSpecs) {
    if (spec.quantization || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) return null;
    if (views.has(spec.name)) return null;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = size * 4;
    // A weight that starts exactly at a buffer's end begins in the next one.
    while (buffer < buffers.length && offset === (buffers[buffer] as ArrayBuffer).byteLength) {
      buffer += 1;
      offset = 0;
    }
    const current = buffers[buffer];
    if (bytes > 0 && (!current || offset + bytes > current.byteLength || offset % 4 !== 0)) {
      return null; // spans two buffers, runs past the data, or is misaligned
    }
    const source = current ?? new ArrayBuffer(0);
    const values =
      spec.dtype === 'float32'
        ? new Float32Array(source, offset, size)
        : new Int32Array(source, offset, size);
    views.set(spec.name, { values, shape: [...spec.shape], dtype: spec.dtype });
    offset += bytes;
  }
  return views;
}

let lastBuild: 'views' | 'tf.loadLayersModel' = 'tf.loadLayersModel';

/** How the last {@link layersModelFromMemory} built its model (tests read it). */
export const lastBuildWay = (): typeof lastBuild => lastBuild;

/** The model of `artifacts`, its weights made once from their bytes where it can (file comment). */
export async function layersModelFromMemory(
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.LayersModel> {
  const views =
    artifacts.trainingConfig || !artifacts.modelTopology ? null : weightViews(artifacts);
  if (views) {
    const model = await fromViews(artifacts, views).catch(() => null);
    if (model) {
      lastBuild = 'views';
      return model;
    }
  }
  lastBuild = 'tf.loadLayersModel';
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

async function fromViews(
  artifacts: tf.io.ModelArtifacts,
  views: Map<string, WeightView>,
): Promise<tf.LayersModel | null> {
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const addWeight = proto.addWeight;
  /** each weight made from its view: the name it was looked up by */
  const made = new Map<tf.LayerVariable, string>();
  let missed = false;
  proto.addWeight = function (this: tf.layers.Layer, name, shape, dtype, initializer, ...rest) {
    const key = `${this.name}/${name}`;
    const view = views.get(key);
    if (view && sameShape(shape, view.shape) && (dtype ?? 'float32') === view.dtype) {
      const fromBytes = { apply: () => tf.tensor(view.values, view.shape, view.dtype) };
      const variable = addWeight.call(this, name, shape, dtype, fromBytes, ...rest);
      made.set(variable, key);
      return variable;
    }
    missed = true;
    return addWeight.call(this, name, shape, dtype, initializer, ...rest);
  };
  let pending: Promise<tf.LayersModel>;
  try {
    // modelFromJSON deserialises (and so builds every layer) before its first await.
    pending = tf.models.modelFromJSON({
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
    });
  } finally {
    proto.addWeight = addWeight;
  }
  const model = await pending;
  const complete =
    !missed &&
    made.size === views.size &&
    model.weights.length === views.size &&
    model.weights.every((w) => made.get(w) === w.originalName);
  if (!complete) {
    model.dispose();
    return null;
  }
  if (artifacts.userDefinedMetadata) model.setUserDefinedMetadata(artifacts.userDefinedMetadata);
  return model;
}
