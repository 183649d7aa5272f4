/**
 * Test helper: how conversion and import tests compare a model with its source. Softmax outputs of
 * a random 1000-class top all sit near 1e-3, so an absolute bound on them passes almost anything;
 * these compare what comes before the softmax (logits, or pooled features for a model without
 * the top) with a bound relative to their size, and can perturb one weight to show the bound bites.
 */
import type * as tfTypes from '@tensorflow/tfjs';

/** Relative bound for a float32 conversion: same weights, same graph, only summation order may differ. */
export const FLOAT32_RELATIVE_BOUND = 1e-5;

/** The factor the perturbation tests apply to one batch-norm beta. */
export const BETA_PERTURBATION = 1.01;

/** True for a layer whose activation is a softmax (a Dense with one, or an Activation layer). */
function endsInSoftmax(layer: tfTypes.layers.Layer): boolean {
  const config = layer.getConfig();
  return config['activation'] === 'softmax';
}

/**
 * What `model` computes for `input` before its final softmax: a classifier's logits (its last
 * Dense applied without the softmax, or the input of a final softmax Activation), else its output
 * as it is (pooled features of a model without the top). Leaves no tensors behind.
 */
export function preSoftmax(
  tf: typeof tfTypes,
  model: tfTypes.LayersModel,
  input: tfTypes.Tensor,
): Float32Array {
  const last = model.layers[model.layers.length - 1]!;
  return tf.tidy(() => {
    if (!endsInSoftmax(last)) return (model.predict(input) as tfTypes.Tensor).dataSync();
    // A view over the same layers up to the last one's input (not disposed: it owns no weights
    // of its own, and disposing it would release the shared layers).
    const below = tf.model({
      inputs: model.inputs,
      outputs: last.input,
    });
    const x = below.predict(input) as tfTypes.Tensor2D;
    if (last.getClassName() !== 'Dense') return x.dataSync();
    const [kernel, bias] = last.getWeights() as [tfTypes.Tensor2D, tfTypes.Tensor1D | undefined];
    const logits = tf.matMul(x, kernel);
    return (bias ? tf.add(logits, bias) : logits).dataSync();
  }) as Float32Array;
}

/** Distances between an output and its reference. */
export interface Fidelity {
  /** max |got − want| / max |want|: scale-free, so a bound means the same for logits and features */
  relative: number;
  /** max |got − want| */
  maxAbs: number;
}

/** How far `got` is from `want` (same length). */
export function fidelity(got: ArrayLike<number>, want: ArrayLike<number>): Fidelity {
  if (got.length !== want.length) {
    throw new Error(`fidelity: ${got.length} values against ${want.length}`);
  }
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i]! - want[i]!);
    // NaN must never pass: it fails every comparison, so count it as infinitely far.
    maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return { maxAbs, relative: scale > 0 ? maxAbs / scale : maxAbs };
}

/**
 * Multiplies the beta (centre) of batch-norm layer `name` by `factor` in place and returns a
 * function that puts the original back. Used to show that a comparison rejects a wrong weight.
 */
export function perturbBatchNormBeta(
  tf: typeof tfTypes,
  model: tfTypes.LayersModel,
  name: string,
  factor = BETA_PERTURBATION,
): () => void {
  const layer = model.getLayer(name);
  const weights = layer.getWeights();
  const index = layer.weights.findIndex((w) => w.originalName.endsWith('/beta'));
  if (layer.getClassName() !== 'BatchNormalization' || index < 0) {
    throw new Error(`${name} is not a batch normalization with a beta`);
  }
  const original = weights.map((w) => w.clone());
  const changed = weights.map((w, i) => (i === index ? tf.mul(w, factor) : w));
  layer.setWeights(changed);
  tf.dispose(changed[index]!);
  return () => {
    layer.setWeights(original);
    tf.dispose(original);
  };
}
