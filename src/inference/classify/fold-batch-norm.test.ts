import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyWeightsInOrder, inceptionV3 } from '../../models/zoo/inception-v3';
import { BETA_PERTURBATION, fidelity, perturbBatchNormBeta, preSoftmax } from '../../test/fidelity';
import { loadNsfwjsInception } from '../../test/nsfwjs-inception';
import { useWasmBackend } from '../../test/tf-node';
import { fitsSide, PRIME_SIDE } from './classifier';
import { foldBatchNorm } from './fold-batch-norm';
import { seeded } from '../../test/seeded';

beforeAll(async () => {
  await useWasmBackend();
});

/** Non-trivial weights everywhere (variances positive), so folding mistakes show. */
function randomiseWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((w, k) => {
    const shape = w.shape as number[];
    const size = shape.reduce((n, d) => n * d, 1);
    const data = seeded(size, seed + k, 0.5);
    if (w.originalName.endsWith('moving_variance'))
      for (let i = 0; i < size; i++) data[i] = 0.5 + Math.abs(data[i]!);
    if (w.originalName.endsWith('gamma')) for (let i = 0; i < size; i++) data[i] = 1 + data[i]!;
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

describe('foldBatchNorm on a small graph', () => {
  /** conv(no bias) → BN(scale) → relu, a branch with conv(bias) → BN(center=false), a shared BN output. */
  function smallModel(): tf.LayersModel {
    const input = tf.input({ shape: [9, 9, 3] });
    const a = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false })
      .apply(input) as tf.SymbolicTensor;
    const aBn = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(a) as tf.SymbolicTensor;
    const aRelu = tf.layers.activation({ activation: 'relu' }).apply(aBn) as tf.SymbolicTensor;
    const b = tf.layers
      .conv2d({ filters: 4, kernelSize: 1, useBias: true })
      .apply(aRelu) as tf.SymbolicTensor;
    const bBn = tf.layers.batchNormalization({ center: false }).apply(b) as tf.SymbolicTensor;
    // bBn feeds two layers, so no ReLU is merged, but BN itself still folds.
    const left = tf.layers.reLU().apply(bBn) as tf.SymbolicTensor;
    const right = tf.layers
      .conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' })
      .apply(bBn) as tf.SymbolicTensor;
    // A BN that is a model output folds too: the output becomes the convolution.
    const c = tf.layers
      .conv2d({ filters: 2, kernelSize: 1, useBias: false })
      .apply(right) as tf.SymbolicTensor;
    const cBn = tf.layers.batchNormalization({}).apply(c) as tf.SymbolicTensor;
    const merged = tf.layers.concatenate().apply([left, right]) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: [merged, cBn] });
  }

  test('folds what it can, keeps outputs identical and leaks nothing', async () => {
    const model = smallModel();
    randomiseWeights(model, 7);
    const before = tf.memory().numTensors;
    const { model: folded, folded: chains } = await foldBatchNorm(model);
    // [conv, bn, relu]; [conv, bn] (its ReLU has a sibling consumer); [conv, bn] at the output
    expect(chains.map((c) => c.activation !== null)).toEqual([true, false, false]);
    const kinds = folded.layers.map((l) => l.getClassName());
    expect(kinds).not.toContain('BatchNormalization');
    expect(kinds).not.toContain('Activation');
    expect(kinds).toContain('ReLU');
    expect(folded.outputs.map((o) => o.shape)).toEqual(model.outputs.map((o) => o.shape));
    const x = tf.tensor4d(seeded(2 * 9 * 9 * 3, 3), [2, 9, 9, 3]);
    const outs = [model.predict(x), folded.predict(x)] as [tf.Tensor[], tf.Tensor[]];
    for (let i = 0; i < 2; i++) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(outs[0][i]!, outs[1][i]!))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-5);
    }
    tf.dispose([x, ...outs[0], ...outs[1]]);
    folded.dispose();
    // the original still works after the folded copy is gone (weights were shared, not stolen)
    const again = tf.tidy(() =>
      (model.predict(tf.ones([1, 9, 9, 3])) as tf.Tensor[])[0]!.dataSync(),
    );
    expect(Number.isFinite(again[0])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('a model without batch norm comes back as it is', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const result = await foldBatchNorm(model);
    expect(result.model).toBe(model);
    expect(result.folded).toEqual([]);
    model.dispose();
  });
});

/**
 * Folding reorders float32 arithmetic (measured: ≤ 1.2e-6 relative on mixed10), so this bound
 * leaves it room; one beta × 1.01 moves logits 4.7e-4 or more.
 */
const FOLDED_RELATIVE_BOUND = 1e-5;

describe('foldBatchNorm on InceptionV3 with real trained weights', () => {
  let nsfw: tf.LayersModel;
  let ours: tf.LayersModel;

  beforeAll(async () => {
    nsfw = await loadNsfwjsInception();
    ours = inceptionV3();
    copyWeightsInOrder(nsfw, ours, { stopAfter: 'mixed10' });
  });

  afterAll(() => {
    nsfw?.dispose();
    ours?.dispose();
  });

  // Whether the load's priming warm-up (classifier.ts) may run the folded model at 75 × 75, the
  // smallest input InceptionV3 takes, and at 74: nsfwjs' head flattens mixed10 (its Dense layers
  // need the 299-pixel map), ours pools it as Keras' InceptionV3 does.
  test.each([
    ['nsfwjs’ Keras export', () => nsfw, [false, false]],
    ['our inceptionV3()', () => ours, [true, false]],
  ])(
    '%s: 94 chains folded, logits and mixed10 within 1e-5 relative; a beta × 1.01 is not',
    async (name, get, primeSides) => {
      const model = get();
      const before = tf.memory().numTensors;
      const { model: folded, folded: chains } = await foldBatchNorm(model);
      expect(chains).toHaveLength(94);
      expect(chains.every((c) => c.activation !== null)).toBe(true);
      expect(folded.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
      const x = tf.tensor4d(seeded(299 * 299 * 3, 11), [1, 299, 299, 3]);
      // Logits, not probabilities (a softmax over an untrained top hides nearly any difference),
      // and the last feature map too, where errors would accumulate most.
      const features = (m: tf.LayersModel) =>
        tf.model({ inputs: m.inputs, outputs: m.getLayer('mixed10').output });
      const distances = () => ({
        logits: fidelity(preSoftmax(tf, folded, x), preSoftmax(tf, model, x)).relative,
        mixed10: fidelity(preSoftmax(tf, features(folded), x), preSoftmax(tf, features(model), x))
          .relative,
      });
      const folding = distances();
      // The same bound must reject the original with one batch norm's beta × 1.01.
      const lastBn = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').at(-1)!;
      const restore = perturbBatchNormBeta(tf, model, lastBn.name);
      const perturbed = distances();
      restore();
      console.log(
        `${name}: folded vs original, relative: logits ${folding.logits.toExponential(1)}, mixed10 ` +
          `${folding.mixed10.toExponential(1)}; with ${lastBn.name}'s beta × ${BETA_PERTURBATION}: ` +
          `logits ${perturbed.logits.toExponential(1)}, mixed10 ${perturbed.mixed10.toExponential(1)}`,
      );
      x.dispose();
      const primes = [fitsSide(folded, PRIME_SIDE), fitsSide(folded, PRIME_SIDE - 1)];
      folded.dispose();
      expect(primes).toEqual(primeSides);
      expect(folding.logits).toBeLessThanOrEqual(FOLDED_RELATIVE_BOUND);
      expect(folding.mixed10).toBeLessThanOrEqual(FOLDED_RELATIVE_BOUND);
      expect(perturbed.logits).toBeGreaterThan(FOLDED_RELATIVE_BOUND);
      expect(perturbed.mixed10).toBeGreaterThan(FOLDED_RELATIVE_BOUND);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
