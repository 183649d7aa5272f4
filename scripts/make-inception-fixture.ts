/**
 * Writes a tfjs layers-model fixture of our InceptionV3 (1000-class top) for end-to-end tests:
 * nsfwjs' real Keras weights up to mixed10, a seeded random `predictions` layer, float32 shards.
 *
 *   npx tsx scripts/make-inception-fixture.ts <outDir>
 *
 * Idempotent: does nothing when <outDir>/model.json already exists.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyWeightsInOrder, inceptionV3 } from '../src/models/zoo/inception-v3';
import { loadNsfwjsInception } from '../src/test/nsfwjs-inception';
import { useWasmBackend } from '../src/test/tf-node';

/** Shard size used by the tfjs converter. */
const SHARD_BYTES = 4 * 1024 * 1024;
const HEAD_SEED = 0x1ce9_7107;
const CHECK_SEED = 42;
const TOLERANCE = 1e-5;

/** Deterministic uniform numbers in [0, 1) from a 32-bit linear congruential generator. */
function lcgUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

/** Saves `model` as model.json plus float32 shard files, writing model.json last. */
async function saveToDirectory(
  tf: typeof tfTypes,
  model: tfTypes.LayersModel,
  outDir: string,
): Promise<string[]> {
  const written: string[] = [];
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
        throw new Error('model.save produced no weights');
      }
      const data = new tf.io.CompositeArrayBuffer(artifacts.weightData);
      const shardCount = Math.max(1, Math.ceil(data.byteLength / SHARD_BYTES));
      const paths: string[] = [];
      for (let i = 0; i < shardCount; i++) {
        const path = `group1-shard${i + 1}of${shardCount}.bin`;
        const shard = data.slice(i * SHARD_BYTES, Math.min((i + 1) * SHARD_BYTES, data.byteLength));
        writeFileSync(join(outDir, path), new Uint8Array(shard));
        paths.push(path);
        written.push(path);
      }
      const modelJson: tfTypes.io.ModelJSON = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: 'inception-lens scripts/make-inception-fixture.ts',
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      };
      // Write then rename, so a half-written model.json never makes a rerun skip the work.
      const tmp = join(outDir, 'model.json.tmp');
      writeFileSync(tmp, JSON.stringify(modelJson));
      renameSync(tmp, join(outDir, 'model.json'));
      written.push('model.json');
      return Promise.resolve({
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: data.byteLength,
        },
      });
    }),
  );
  return written;
}

/** Loads the fixture back from disk the way the browser would: model.json, then its shards. */
async function loadFromDirectory(tf: typeof tfTypes, outDir: string): Promise<tfTypes.LayersModel> {
  const modelJson = JSON.parse(
    readFileSync(join(outDir, 'model.json'), 'utf8'),
  ) as tfTypes.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = manifest
      .flatMap((group) => group.paths)
      .map((path) => new Uint8Array(readFileSync(join(outDir, path))).buffer);
    return Promise.resolve([specs, tf.io.CompositeArrayBuffer.join(buffers)]);
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined || arg === '') {
    console.error('usage: npx tsx scripts/make-inception-fixture.ts <outDir>');
    process.exitCode = 2;
    return;
  }
  const outDir = resolve(arg);
  const modelJsonPath = join(outDir, 'model.json');
  if (existsSync(modelJsonPath)) {
    console.log(`${modelJsonPath} already exists; nothing to do`);
    return;
  }
  mkdirSync(outDir, { recursive: true });

  const tf = await useWasmBackend();
  const model = inceptionV3();
  const nsfw = await loadNsfwjsInception();
  try {
    const copied = copyWeightsInOrder(nsfw, model, { stopAfter: 'mixed10' });

    // Seeded glorot-uniform kernel and zero bias for the 1000-class head.
    const head = model.getLayer('predictions');
    const [kernelVar] = head.getWeights();
    const [fanIn, fanOut] = kernelVar!.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const next = lcgUniform(HEAD_SEED);
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = (next() * 2 - 1) * limit;
    const kernel = tf.tensor2d(values, [fanIn, fanOut]);
    const bias = tf.zeros([fanOut]);
    head.setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);

    const written = await saveToDirectory(tf, model, outDir);

    // Check the files: reload and compare with the in-memory model on a seeded random input.
    const reloaded = await loadFromDirectory(tf, outDir);
    let maxDiff: number;
    try {
      maxDiff = tf.tidy(() => {
        const x = tf.randomUniform([2, 299, 299, 3], -1, 1, 'float32', CHECK_SEED);
        const expected = model.predict(x) as tfTypes.Tensor;
        const actual = reloaded.predict(x) as tfTypes.Tensor;
        return tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0]!;
      });
    } finally {
      reloaded.dispose();
    }
    if (!(maxDiff <= TOLERANCE)) {
      rmSync(modelJsonPath, { force: true });
      throw new Error(`reloaded fixture differs from the in-memory model: max |diff| ${maxDiff}`);
    }

    let totalBytes = 0;
    console.log(`wrote ${outDir}:`);
    for (const file of written) {
      const bytes = readFileSync(join(outDir, file)).byteLength;
      totalBytes += bytes;
      console.log(`  ${file} (${bytes} bytes)`);
    }
    console.log(
      `inception_v3: ${model.layers.length} layers, ${model.countParams()} params; ` +
        `${copied} layers copied from nsfwjs up to mixed10; predictions seeded (0x${HEAD_SEED.toString(16)}); ` +
        `${written.length} files, ${totalBytes} bytes; reload check max |diff| ${maxDiff}`,
    );
  } finally {
    model.dispose();
    nsfw.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
