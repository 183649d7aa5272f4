/**
 * Proof with real weights: the Keras MobileNet (alpha 0.75, 224) built in code, given the ImageNet
 * weights of the Keras-exported model in ../shared/models/mobilenet_v1_0.75_224, reproduces that
 * model's logits (the `conv_preds` output, before softmax) on the shared photos.
 */
import * as tf from '@tensorflow/tfjs';
import { decode as decodeJpeg } from 'jpeg-js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sharedRequired } from '../../test/shared-fixtures';
import { useWasmBackend } from '../../test/tf-node';
import { countParams } from './common';
import { mobileNet } from './mobilenet';
import { copyWeightsByName } from './weights';
import { preprocessInput, zooEntry } from './zoo';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED = resolve(process.env.INCEPTION_LENS_SHARED ?? join(ROOT, '..', 'shared'));
const MODEL_DIR = join(SHARED, 'models/mobilenet_v1_0.75_224');
const PHOTOS = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'].map((p) => join(SHARED, 'photos', p));
const present = existsSync(join(MODEL_DIR, 'model.json')) && PHOTOS.every((p) => existsSync(p));
const required = sharedRequired();
const REASON = `mobilenet-weights.test: ${MODEL_DIR} or the photos in ${SHARED}/photos not found`;

/** Largest |logit| difference allowed: absolute, in logit units (logits here reach ~20). */
const TOLERANCE = 1e-5;

if (!present) {
  if (required) {
    test('the shared MobileNet and photos are present (LENS_REQUIRE_SHARED=1)', () => {
      throw new Error(`${REASON}; LENS_REQUIRE_SHARED=1 makes this a failure`);
    });
  } else {
    console.log(`${REASON}: skipping the real-weights proof`);
  }
}

/** Loads the Keras 2.1.4 tfjs-layers export from disk. */
async function loadShared(): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(MODEL_DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const buffers = json.weightsManifest
    .flatMap((group) => group.paths)
    .map((p) => new Uint8Array(readFileSync(join(MODEL_DIR, p))).buffer);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: tf.io.concatenateArrayBuffers(buffers),
    }),
  );
}

/** The photos as one [n, 224, 224, 3] batch: bilinear resize, then Keras' 'tf' preprocessing. */
function loadPhotos(): tf.Tensor4D {
  const size = zooEntry('mobilenet-0.75').inputSize;
  const images = PHOTOS.map((path) => {
    const { width, height, data } = decodeJpeg(readFileSync(path), { useTArray: true });
    const rgb = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      rgb[i * 3] = data[i * 4]!;
      rgb[i * 3 + 1] = data[i * 4 + 1]!;
      rgb[i * 3 + 2] = data[i * 4 + 2]!;
    }
    const resized = tf.tidy(() =>
      tf.image.resizeBilinear(tf.tensor3d(rgb, [height, width, 3]), [size, size]),
    );
    const pixels = resized.dataSync();
    resized.dispose();
    return preprocessInput(zooEntry('mobilenet-0.75').preprocess, pixels);
  });
  const batch = new Float32Array(images.length * size * size * 3);
  images.forEach((img, i) => batch.set(img, i * img.length));
  return tf.tensor4d(batch, [images.length, size, size, 3]);
}

describe.runIf(present)(
  'Keras MobileNet 0.75 built in code, with the real ImageNet weights',
  () => {
    let shared: tf.LayersModel;
    let ours: tf.LayersModel;
    let photos: tf.Tensor4D;
    let theirLogits: tf.Tensor;

    const logitsOf = (model: tf.LayersModel): tf.Tensor =>
      tf.tidy(() => {
        const head = tf.model({
          inputs: model.inputs,
          outputs: model.getLayer('conv_preds').output,
        });
        return (head.predict(photos) as tf.Tensor).reshape([photos.shape[0], -1]);
      });

    const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

    beforeAll(async () => {
      await useWasmBackend();
      shared = await loadShared();
      ours = mobileNet({ alpha: 0.75 });
      photos = loadPhotos();
      theirLogits = logitsOf(shared);
    });

    afterAll(() => {
      tf.dispose([photos, theirLogits]);
      shared?.dispose();
      ours?.dispose();
    });

    test('the Keras export has the same parameter counts as our build', () => {
      expect(countParams(shared)).toEqual(countParams(ours));
      expect(countParams(ours)).toEqual(zooEntry('mobilenet-0.75').params);
      // Keras 2.1.4 had no conv_pad layers and a Reshape before the dropout; Keras 3 has both
      // differences the other way round. The weight-owning layers are the same 55, by name.
      const names = (m: tf.LayersModel): string[] =>
        m.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
      expect(names(ours)).toEqual(names(shared));
      expect(names(ours)).toHaveLength(55);
    });

    test(`logits match within ${TOLERANCE} (absolute) on the shared photos`, () => {
      expect(copyWeightsByName(shared, ours)).toBe(55);
      const ourLogits = logitsOf(ours);
      try {
        const diff = maxDiff(ourLogits, theirLogits);
        const scale = tf.tidy(() => tf.max(tf.abs(theirLogits)).dataSync()[0]!);
        console.log(
          `MobileNet 0.75 logits over ${photos.shape[0]} photos: max |Δ| = ${diff.toExponential(3)} ` +
            `(max |logit| ${scale.toFixed(2)}, relative ${(diff / scale).toExponential(3)})`,
        );
        expect(scale).toBeGreaterThan(5); // real, confident logits, so the check is not vacuous
        expect(diff).toBeLessThanOrEqual(TOLERANCE);
        // The same top-1 class for every photo, and the softmax outputs agree too.
        const ourTop = tf.tidy(() => ourLogits.argMax(1).arraySync() as number[]);
        const theirTop = tf.tidy(() => theirLogits.argMax(1).arraySync() as number[]);
        expect(ourTop).toEqual(theirTop);
        const probs = tf.tidy(() =>
          maxDiff(ours.predict(photos) as tf.Tensor, shared.predict(photos) as tf.Tensor),
        );
        expect(probs).toBeLessThanOrEqual(1e-6);
      } finally {
        ourLogits.dispose();
      }
    });

    test('the check fails when one BN beta is multiplied by 1.01', () => {
      copyWeightsByName(shared, ours);
      const bn = ours.getLayer('conv_pw_7_bn');
      const original = bn.getWeights();
      const betaIndex = bn.weights.findIndex((w) => w.originalName.endsWith('/beta'));
      expect(betaIndex).toBeGreaterThanOrEqual(0);
      const perturbed = original.map((w, i) => (i === betaIndex ? tf.mul(w, 1.01) : w));
      bn.setWeights(perturbed);
      const ourLogits = logitsOf(ours);
      try {
        const diff = maxDiff(ourLogits, theirLogits);
        console.log(`with conv_pw_7_bn beta × 1.01: max |Δ| = ${diff.toExponential(3)}`);
        expect(diff).toBeGreaterThan(TOLERANCE);
      } finally {
        ourLogits.dispose();
        tf.dispose(perturbed[betaIndex]!);
        copyWeightsByName(shared, ours);
      }
    });

    test('a mismatching source is refused by layer name, leaving the target untouched', () => {
      const other = mobileNet({ alpha: 0.5 });
      try {
        const before = ours.getLayer('conv1').getWeights()[0]!.dataSync().slice();
        expect(() => copyWeightsByName(other, ours)).toThrow(
          /layer conv1: weight conv1\/kernel shape \[3,3,3,24\] does not match source \[3,3,3,16\]/,
        );
        expect(ours.getLayer('conv1').getWeights()[0]!.dataSync()).toEqual(before);
      } finally {
        other.dispose();
      }
    });
  },
);
