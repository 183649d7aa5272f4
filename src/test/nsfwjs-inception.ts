/**
 * Test helper: the Keras 2.2.4 InceptionV3 that the `nsfwjs` devDependency ships as UMD bundles,
 * loaded as a tfjs LayersModel. Its base (input_1 .. mixed10) uses Keras' auto-generated names.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** What nsfwjs' `model.min.js` bundle exports. */
interface NsfwjsModelBundle {
  modelTopology: object;
  weightsManifest: tf.io.WeightsManifestConfig;
}

/** Directory of nsfwjs' InceptionV3 bundles (model.min.js and group1-shardNof6.min.js). */
export function nsfwjsInceptionDir(): string {
  // nsfwjs' `exports` map hides package.json; its CommonJS entry is dist/cjs/index.js.
  return join(dirname(require.resolve('nsfwjs')), '..', 'models', 'inception_v3');
}

/**
 * Reads nsfwjs' InceptionV3 as model artifacts: the Keras topology plus the uint8-quantised
 * weight buffer (tfjs dequantises it while loading).
 */
export function readNsfwjsInceptionArtifacts(): tf.io.ModelArtifacts {
  const dir = nsfwjsInceptionDir();
  // The bundles are CommonJS (dist/models/package.json says so), hence require().
  const bundle = require(join(dir, 'model.min.js')) as NsfwjsModelBundle;
  const group = bundle.weightsManifest[0];
  if (group === undefined || bundle.weightsManifest.length !== 1) {
    throw new Error(`nsfwjs inception_v3: expected one weight group in ${dir}/model.min.js`);
  }

  const shards = group.paths.map((path) => {
    const encoded: unknown = require(join(dir, `${path}.min.js`));
    if (typeof encoded !== 'string') {
      throw new Error(`nsfwjs inception_v3: ${path}.min.js did not export a base64 string`);
    }
    return Buffer.from(encoded, 'base64');
  });
  // Copy into a standalone ArrayBuffer (Node Buffers may be views into a shared pool).
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;

  return { modelTopology: bundle.modelTopology, weightSpecs: group.weights, weightData };
}

/** Loads nsfwjs' Keras-exported InceptionV3 (5-class head) as a tfjs LayersModel. */
export async function loadNsfwjsInception(): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(readNsfwjsInceptionArtifacts()));
}
