/**
 * The Keras weight-file reader and the InceptionV3 conversion, on fixtures written in Keras'
 * own `save_weights` layout (scripts/keras-h5-fixture.ts): nsfwjs' real Keras InceptionV3 base
 * plus a seeded random top, and damaged copies of it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  layersOf,
  referenceInception,
  writeKerasH5,
  type FixtureKind,
} from '../../scripts/keras-h5-fixture';
import {
  BETA_PERTURBATION,
  fidelity,
  FLOAT32_RELATIVE_BOUND,
  perturbBatchNormBeta,
  preSoftmax,
} from '../test/fidelity';
import { h5wasmNode, useKerasH5Setup, type H5wasm } from '../test/h5-fixtures';
import {
  inceptionFromKerasWeights,
  inceptionVariantOf,
  weightedLayers,
} from './keras-h5-inception';
import {
  checkHdf5Head,
  HDF5_HEAD_BYTES,
  openH5,
  readKerasWeightFile,
  WeightFileError,
  type KerasWeightFile,
} from './keras-h5';

const setup = useKerasH5Setup({ seed: 11, scratchPrefix: 'lens-h5-' });
const { scratch } = setup;
let tf: typeof tfTypes;
let h5: H5wasm;
let files: Record<FixtureKind, string>;
let reference: tfTypes.LayersModel;
let input: tfTypes.Tensor4D;
let expectedLogits: Float32Array;

beforeAll(async () => {
  ({ tf, files, reference, input, expectedLogits } = setup);
  h5 = await h5wasmNode();
});

/** Opens a fixture, reads it, and closes it again. */
function read(path: string, name = 'weights.h5'): KerasWeightFile & { close(): void } {
  const file = openH5(h5, path, name);
  try {
    return { ...readKerasWeightFile(file, name), close: () => file.close() };
  } catch (error) {
    file.close();
    throw error;
  }
}

function head(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path).subarray(0, HDF5_HEAD_BYTES));
}

describe('the Keras save_weights layout', () => {
  test('layer_names in model order, weight_names per layer, Keras attributes', () => {
    const keras = read(files.top);
    try {
      expect(keras.kerasVersion).toBe('2.1.6');
      expect(keras.backend).toBe('tensorflow');
      expect(keras.layers).toHaveLength(reference.layers.length);
      expect(keras.layers.map((l) => l.name)).toEqual(reference.layers.map((l) => l.name));
      expect(weightedLayers(keras)).toHaveLength(189);
      const bn = keras.layers.find((l) => l.name === 'batch_normalization_1')!;
      expect(bn.weights.map((w) => w.name)).toEqual([
        'batch_normalization_1/beta:0',
        'batch_normalization_1/moving_mean:0',
        'batch_normalization_1/moving_variance:0',
      ]);
      const conv = keras.layers.find((l) => l.name === 'conv2d_1')!;
      expect(conv.weights[0]!.shape).toEqual([3, 3, 3, 32]);
      const values = conv.weights[0]!.read();
      const ours = reference.getLayer('conv2d_1').getWeights()[0]!.dataSync();
      expect(values).toEqual(ours);
      expect(keras.layers.find((l) => l.name === 'input_1')!.weights).toEqual([]);
      expect(inceptionVariantOf(keras)).toEqual({ includeTop: true, classes: 1000 });
    } finally {
      keras.close();
    }
  });

  test('the head check accepts a whole file and names a truncated, empty or foreign one', () => {
    expect(() =>
      checkHdf5Head(head(files.top), readFileSync(files.top).length, 'a.h5'),
    ).not.toThrow();
    const cut = readFileSync(files.truncated).length;
    expect(() => checkHdf5Head(head(files.truncated), cut, 'cut.h5')).toThrow(
      /cut\.h5 is truncated: it has [\d,]+ bytes but its HDF5 header says [\d,]+/,
    );
    expect(() => checkHdf5Head(new Uint8Array(0), 0, 'e.h5')).toThrow('e.h5 is empty.');
    expect(() => checkHdf5Head(new TextEncoder().encode('{"a":1}'), 7, 'x.h5')).toThrow(
      /x\.h5 is not an HDF5 file/,
    );
  });

  test('the head check reads version 0 and 1 superblocks too (what h5py writes by default)', () => {
    // Superblock v0/v1 (HDF5 file format spec): signature, versions, sizes of offsets and
    // lengths (8), B-tree Ks, flags, [v1: 4 more bytes], base address, free-space address,
    // end-of-file address, driver block address.
    const superblock = (version: 0 | 1, eof: number, userBlock = 0): Uint8Array => {
      const bytes = new Uint8Array(userBlock + 96);
      const view = new DataView(bytes.buffer);
      bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], userBlock);
      bytes[userBlock + 8] = version;
      bytes[userBlock + 13] = 8;
      bytes[userBlock + 14] = 8;
      const fixed = userBlock + 24 + (version === 1 ? 4 : 0);
      view.setBigUint64(fixed, BigInt(userBlock), true);
      view.setBigUint64(fixed + 8, 0xffff_ffff_ffff_ffffn, true);
      view.setBigUint64(fixed + 16, BigInt(eof), true);
      return bytes;
    };
    for (const version of [0, 1] as const) {
      expect(() => checkHdf5Head(superblock(version, 5000), 5000, 'a.h5')).not.toThrow();
      expect(() => checkHdf5Head(superblock(version, 5000), 4999, 'a.h5')).toThrow(
        'a.h5 is truncated: it has 4,999 bytes but its HDF5 header says 5,000.',
      );
    }
    // With a 512-byte user block the addresses are relative to it.
    expect(() => checkHdf5Head(superblock(0, 5000, 512), 5512, 'u.h5')).not.toThrow();
    expect(() => checkHdf5Head(superblock(0, 5000, 512), 5000, 'u.h5')).toThrow(/truncated/);
  });

  test('an HDF5 file without layer_names is not a Keras weight file', () => {
    const path = join(scratch, 'plain.h5');
    const file = new h5.File(path, 'w');
    file.create_dataset({ name: 'x', data: new Float32Array(4), shape: [4], dtype: '<f' });
    file.close();
    expect(() => read(path, 'plain.h5')).toThrow(
      /plain\.h5 is an HDF5 file but not a Keras weight file/,
    );
  });
});

describe('conversion to our InceptionV3', () => {
  test('with the top: logits match the source within 1e-5 relative; a beta × 1.01 fails that', async () => {
    const keras = read(files.top);
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    let converted: tfTypes.LayersModel;
    try {
      ({ model: converted } = await inceptionFromKerasWeights(keras, 'top.h5', {
        onProgress: (f) => fractions.push(f),
      }));
    } finally {
      keras.close();
    }
    const got = preSoftmax(tf, converted, input);
    const { relative } = fidelity(got, expectedLogits);
    // The same comparison must reject a model one weight away from the source.
    const restore = perturbBatchNormBeta(tf, converted, 'batch_normalization_94');
    const perturbed = fidelity(preSoftmax(tf, converted, input), expectedLogits).relative;
    restore();
    console.log(
      `converted logits vs source: ${relative.toExponential(1)} relative; with ` +
        `batch_normalization_94's beta × ${BETA_PERTURBATION}: ${perturbed.toExponential(1)} ` +
        `(bound ${FLOAT32_RELATIVE_BOUND})`,
    );
    expect(relative).toBeLessThanOrEqual(FLOAT32_RELATIVE_BOUND);
    expect(perturbed).toBeGreaterThan(FLOAT32_RELATIVE_BOUND);
    expect(got).toHaveLength(1000);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.length).toBe(189);
    converted.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('without the top: pooled 2048 features match the reference base within 1e-5 relative; a beta × 1.01 fails that', async () => {
    const keras = read(files.notop);
    let model: tfTypes.LayersModel;
    try {
      expect(inceptionVariantOf(keras)).toEqual({ includeTop: false, classes: 0 });
      ({ model } = await inceptionFromKerasWeights(keras, 'notop.h5'));
    } finally {
      keras.close();
    }
    const base = await referenceInception(false);
    const want = preSoftmax(tf, base, input);
    expect(model.outputs[0]!.shape).toEqual([null, 2048]);
    const { relative } = fidelity(preSoftmax(tf, model, input), want);
    // An early layer this time: its error has the whole network to fade in, and must not.
    const restore = perturbBatchNormBeta(tf, model, 'batch_normalization_1');
    const perturbed = fidelity(preSoftmax(tf, model, input), want).relative;
    restore();
    console.log(
      `converted features vs source: ${relative.toExponential(1)} relative; with ` +
        `batch_normalization_1's beta × ${BETA_PERTURBATION}: ${perturbed.toExponential(1)}`,
    );
    expect(relative).toBeLessThanOrEqual(FLOAT32_RELATIVE_BOUND);
    expect(perturbed).toBeGreaterThan(FLOAT32_RELATIVE_BOUND);
    model.dispose();
    base.dispose();
  });

  test('a missing layer is named, and nothing is left allocated', async () => {
    const keras = read(files['missing-layer']);
    const before = tf.memory().numTensors;
    try {
      await expect(inceptionFromKerasWeights(keras, 'missing.h5')).rejects.toThrow(
        'missing.h5 does not fit InceptionV3 with the top: layer batch_normalization_5 is missing ' +
          '(the file has 188 layers with weights, InceptionV3 with the top has 189).',
      );
    } finally {
      keras.close();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a wrong shape is named with the layer and both shapes', async () => {
    const keras = read(files['wrong-shape']);
    try {
      const error = await inceptionFromKerasWeights(keras, 'shape.h5').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeightFileError);
      expect((error as Error).message).toBe(
        'shape.h5: layer conv2d_5: conv2d_5/kernel:0 has shape [3,3,192,80] in the file, ' +
          'but InceptionV3 with the top expects [3,3,80,192].',
      );
    } finally {
      keras.close();
    }
  });

  test('another architecture is recognised as not InceptionV3', async () => {
    const other = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: 'conv1' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 2, name: 'fc1000' }),
      ],
    });
    const path = join(scratch, 'other.h5');
    await writeKerasH5(path, layersOf(other));
    other.dispose();
    const keras = read(path, 'resnet.h5');
    try {
      await expect(inceptionFromKerasWeights(keras, 'resnet.h5')).rejects.toThrow(
        'resnet.h5 is not an InceptionV3 weight file: it has 2 layers with weights (first conv1, ' +
          'last fc1000); InceptionV3 has 189 with the top and 188 without.',
      );
    } finally {
      keras.close();
    }
  });

  test('cancellation stops between layers and frees everything', async () => {
    const keras = read(files.top);
    const before = tf.memory().numTensors;
    let calls = 0;
    try {
      await expect(
        inceptionFromKerasWeights(keras, 'top.h5', { isCancelled: () => ++calls > 20 }),
      ).rejects.toThrow('cancelled');
    } finally {
      keras.close();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
