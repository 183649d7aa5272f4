/**
 * Test helper: the set-up shared by the Keras .h5 tests. The fixture files (scripts/
 * keras-h5-fixture.ts), the reference InceptionV3 with the top, one seeded input with the
 * reference's output for it, and a scratch folder; plus h5wasm's Node build.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  ensureKerasFixtures,
  referenceInception,
  type FixtureKind,
} from '../../scripts/keras-h5-fixture';
import { preSoftmax } from './fidelity';
import { useWasmBackend } from './tf-node';

const ALL_KINDS: FixtureKind[] = ['top', 'notop', 'missing-layer', 'wrong-shape', 'truncated'];

export type H5wasm = typeof import('h5wasm');

/** h5wasm's Node build, ready to open files. */
export async function h5wasmNode(): Promise<H5wasm> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  return h5;
}

export interface KerasH5Setup {
  tf: typeof tfTypes;
  /** Every fixture kind: the whole file with and without the top, and the damaged ones. */
  files: Record<FixtureKind, string>;
  /** The model the `top` fixture was written from. */
  reference: tfTypes.LayersModel;
  /** Uniform in [-1, 1), 1×299×299×3. */
  input: tfTypes.Tensor4D;
  /** What `reference` predicts for `input`. */
  expected: Float32Array;
  /** `reference`'s logits (before the softmax) for `input`: what fidelity checks compare. */
  expectedLogits: Float32Array;
  /** A fresh temporary folder, removed after the file's tests. */
  scratch: string;
}

/**
 * Registers the beforeAll/afterAll hooks of a test file and returns the set-up; `scratch` is there
 * at once, the other fields once beforeAll has run.
 */
export function useKerasH5Setup(options: { seed: number; scratchPrefix: string }): KerasH5Setup {
  const setup = {
    scratch: mkdtempSync(join(tmpdir(), options.scratchPrefix)),
  } as KerasH5Setup;
  beforeAll(async () => {
    const tf = await useWasmBackend();
    setup.tf = tf;
    setup.files = await ensureKerasFixtures(ALL_KINDS);
    setup.reference = await referenceInception(true);
    const { seed } = options;
    setup.input = tf.randomUniform<tfTypes.Rank.R4>([1, 299, 299, 3], -1, 1, 'float32', seed);
    const out = setup.reference.predict(setup.input) as tfTypes.Tensor;
    setup.expected = out.dataSync() as Float32Array;
    out.dispose();
    setup.expectedLogits = preSoftmax(tf, setup.reference, setup.input);
  });
  afterAll(() => {
    setup.reference?.dispose();
    setup.input?.dispose();
    rmSync(setup.scratch, { recursive: true, force: true });
  });
  return setup;
}
