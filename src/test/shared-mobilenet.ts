/** Test helper: the shared ImageNet MobileNet v1 0.75 (224, range [-1, 1]) loaded from disk. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared` beside the checkout, or $INCEPTION_LENS_SHARED. */
export const SHARED_DIR = resolve(
  process.env.INCEPTION_LENS_SHARED ?? resolve(process.cwd(), '..', 'shared'),
);
/** Where the shared MobileNet lives (or would). */
export const MOBILENET_DIR = resolve(SHARED_DIR, 'models/mobilenet_v1_0.75_224');

/** True when the shared MobileNet is on disk. */
export function hasMobilenet(): boolean {
  return existsSync(join(MOBILENET_DIR, 'model.json'));
}

/** Loads the shared MobileNet into the current TensorFlow.js backend. */
export async function loadMobilenet(): Promise<tf.LayersModel> {
  const json = JSON.parse(
    readFileSync(join(MOBILENET_DIR, 'model.json'), 'utf8'),
  ) as tf.io.ModelJSON;
  const weights = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(MOBILENET_DIR, p)))),
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: new Uint8Array(weights).buffer,
    }),
  );
}

/** Softmax outputs of `model` for one `size × size × 3` input. */
export async function predictOne(
  model: tf.LayersModel,
  input: Float32Array,
  size: number,
): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.tensor4d(input, [1, size, size, 3])) as tf.Tensor);
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}
