/**
 * A real model, fed Python's model input and ours: TensorFlow.js' CPU backend in Node, with the
 * shared ImageNet MobileNet (224) and nsfwjs' Keras InceptionV3 (299). The inputs are compared
 * bit for bit first; the model runs only where they differ (equal inputs cannot give different
 * probabilities on the deterministic CPU backend, so running it twice proved nothing more and
 * cost ≈ 45 s of InceptionV3 and MobileNet on the CPU). Python computes
 * `preprocess_input(img_to_array(load_img(path, target_size)))`; we decode (PNG) or take PIL's
 * decode (JPEG, which the browser decodes in the app; e2e/keras-resize.spec.ts checks that part),
 * resize with Pillow's NEAREST and map bytes with the worker's rgbaToRgbFloat.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadNsfwjsInception } from '../test/nsfwjs-inception';
import { sharedRequired } from '../test/shared-fixtures';
import {
  compareArrays,
  makePilFixtures,
  pilTestsRun,
  readFloat32,
  runPil,
  tempDir,
} from '../test/pil-reference';
import {
  hasMobilenet,
  loadMobilenet,
  MOBILENET_DIR,
  predictOne,
  SHARED_DIR,
} from '../test/shared-mobilenet';
import { resizeNearestLikePillow, type RgbImage } from './pillow-nearest';
import { rgbaToRgbFloat } from './pixels';
import { decodePngLikePil } from './png-as-pil';

const DOG = resolve(SHARED_DIR, 'photos/dog.jpg');

function sharedPresent(): boolean {
  if (hasMobilenet() && existsSync(DOG)) return true;
  const reason = `${MOBILENET_DIR} or ${DOG} not found`;
  if (sharedRequired()) {
    throw new Error(`Keras-resize model test: LENS_REQUIRE_SHARED=1 but ${reason}`);
  }
  console.log(`skipping the MobileNet part of the Keras-resize model test: ${reason}`);
  return false;
}

const runs = pilTestsRun('Keras-resize model comparison');

describe.runIf(runs)("a real model gives the same probabilities for PIL's input and ours", () => {
  const dir = runs ? tempDir() : '';
  const images: { name: string; path: string }[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    makePilFixtures(dir);
    // Few images: the CPU backend is slow, and the e2e spec covers every fixture's pixels.
    images.push({ name: 'rgba-231x229.png', path: join(dir, 'rgba-231x229.png') });
    images.push(
      existsSync(DOG)
        ? { name: 'dog.jpg', path: DOG }
        : { name: 'odd-501x333.jpg', path: join(dir, 'odd-501x333.jpg') },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Python's preprocessed input and ours for one image at `size`. */
  function inputs(path: string, size: number): { python: Float32Array; ours: Float32Array } {
    const [, decoded] = runPil<{ width: number; height: number }>([
      { op: 'load_img', src: path, h: size, w: size, out: `${path}.f32`, pre: `${path}.pre` },
      { op: 'decode', src: path, out: `${path}.rgb` },
    ]);
    const source: RgbImage = path.endsWith('.png')
      ? decodePngLikePil(readFileSync(path))
      : {
          width: decoded?.width ?? 0,
          height: decoded?.height ?? 0,
          rgb: new Uint8Array(readFileSync(`${path}.rgb`)),
        };
    const python = readFloat32(`${path}.pre`);
    for (const f of ['.f32', '.pre', '.rgb']) rmSync(`${path}${f}`, { force: true });
    return { python, ours: rgbaToRgbFloat(resizeNearestLikePillow(source, size, size), [-1, 1]) };
  }

  /**
   * Python's model input and ours for each image, then the model's probabilities on both: the
   * worst |Δp|, or null when every input was equal bit for bit. Equal inputs give equal
   * probabilities by construction (the same deterministic CPU computation on the same bytes), so
   * the model runs only when they differ, to show how much the difference matters; the test has
   * failed on the inputs by then.
   */
  async function compare(
    load: () => Promise<tf.LayersModel>,
    size: number,
    only?: number,
  ): Promise<number | null> {
    let worst: number | null = null;
    let model: tf.LayersModel | null = null;
    try {
      for (const image of images.slice(0, only)) {
        const { python, ours } = inputs(image.path, size);
        // the model inputs themselves: bit for bit, preprocess_input included
        const input = compareArrays(ours, python);
        expect.soft(input, `${image.name} model input`).toEqual({ differing: 0, maxDiff: 0 });
        if (input.differing === 0) continue;
        model ??= await load();
        const [p, q] = [await predictOne(model, python, size), await predictOne(model, ours, size)];
        const { maxDiff } = compareArrays(p, q);
        worst = Math.max(worst ?? 0, maxDiff);
        expect(maxDiff, image.name).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      model?.dispose();
    }
    return worst;
  }

  /** What a comparison found, for the log. */
  const said = (worst: number | null): string =>
    worst === null
      ? 'inputs equal bit for bit, so equal probabilities (the model was not run)'
      : `max |Δp| between PIL's input and ours = ${worst}`;

  test.runIf(sharedPresent())(
    'MobileNet v1 0.75 (224 × 224)',
    async () => {
      const worst = await compare(loadMobilenet, 224);
      console.log(`MobileNet, CPU backend: ${said(worst)}`);
    },
    300_000,
  );

  test("nsfwjs' Keras InceptionV3 (299 × 299)", async () => {
    // InceptionV3 on the CPU backend takes about a minute a photo on a busy machine: one
    // image, the PNG with colour under transparent pixels (MobileNet covers the rest).
    const worst = await compare(loadNsfwjsInception, 299, 1);
    console.log(`InceptionV3, CPU backend: ${said(worst)}`);
  }, 600_000);
});
