/**
 * Node side of the weight pipeline: converts a Keras InceptionV3 `.h5` into a TensorFlow.js
 * layers-model folder (`model.json`, shards, `metadata.json` with a SHA-256 per shard), checks
 * the written files by loading them back, and verifies an existing folder.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IMAGENET_LABELS } from '../src/models/imagenet-labels';
import { zooFromKerasWeights } from '../src/models/keras-h5-zoo';
import { zooEntry, type ZooModelName } from '../src/models/zoo/zoo';
import {
  checkHdf5Head,
  HDF5_HEAD_BYTES,
  openH5,
  readKerasWeightFile,
} from '../src/models/keras-h5';
import {
  artifactsOf,
  expectedWeightBytes,
  quantizeWeights,
  sha256Hex,
  shardHashesOf,
  shardNames,
  splitShards,
  weightBundleOf,
  type LensModelMetadata,
  type ModelSource,
  type WeightPrecision,
} from '../src/models/tfjs-artifacts';
import { useWasmBackend } from '../src/test/tf-node';

/** The licence of Keras' InceptionV3 ImageNet weights, as their publisher states it. */
export const KERAS_INCEPTION_LICENCE = {
  name: 'MIT',
  url: 'https://github.com/fchollet/deep-learning-models#license',
  note:
    'fchollet/deep-learning-models (release v0.5, the files keras.applications downloads): ' +
    '"The Inception v3 weights are trained by ourselves and are released under the MIT license."',
};

/**
 * Licences of the other zoo models' weights, as keras-applications' README states them (the
 * files `keras.applications` downloads).
 */
const KERAS_README = 'https://github.com/keras-team/keras-applications#licensing';
function licenceFor(model: ZooModelName): { name: string; url: string; note: string } {
  if (model === 'inceptionv3') return KERAS_INCEPTION_LICENCE;
  const by: Record<string, [string, string]> = {
    resnet50: ['MIT', 'ported from the ones released by Kaiming He under the MIT license'],
    vgg16: [
      'CC BY 4.0',
      'ported from the ones released by VGG at Oxford under the Creative Commons Attribution License',
    ],
    xception: ['MIT', 'trained by the Keras authors and released under the MIT license'],
    efficientnetb0: [
      'Apache-2.0',
      "converted from TensorFlow's EfficientNet checkpoints (Apache License 2.0)",
    ],
  };
  const [name, note] = by[model] ?? [
    'Apache-2.0',
    'ported from the ones released by Google under the Apache License',
  ];
  return { name, url: KERAS_README, note: `keras-applications README: the weights are ${note}.` };
}

/** Seed of the random input used to compare the written model with the in-memory one. */
const CHECK_SEED = 7;

/** What a conversion did. */
export interface ConvertReport {
  outDir: string;
  includeTop: boolean;
  classes: number;
  precision: WeightPrecision;
  files: { path: string; bytes: number }[];
  weightBytes: number;
  /** max |written − in-memory| over the outputs on a seeded random input */
  maxDiff: number;
  /** whether the top-1 class of that input is the same */
  top1Same: boolean;
}

function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(HDF5_HEAD_BYTES);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Loads a layers-model folder from disk the way a browser would: model.json, then its shards. */
export async function loadModelFolder(
  tf: typeof tfTypes,
  dir: string,
): Promise<tfTypes.LayersModel> {
  const modelJson = JSON.parse(
    readFileSync(join(dir, 'model.json'), 'utf8'),
  ) as tfTypes.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = manifest
      .flatMap((group) => group.paths)
      .map((path) => new Uint8Array(readFileSync(join(dir, path))).buffer);
    return Promise.resolve([specs, tf.io.CompositeArrayBuffer.join(buffers)]);
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Converts the Keras weight file at `h5Path` into a model folder at `outDir`, replacing it only
 * when everything was written and checked. Throws WeightFileError for a file that does not fit.
 */
export async function convertKerasFile(options: {
  h5Path: string;
  outDir: string;
  precision: WeightPrecision;
  source: ModelSource;
  log?: (line: string) => void;
  /** the zoo model the file must hold (default InceptionV3) */
  model?: ZooModelName;
}): Promise<ConvertReport> {
  const { h5Path, outDir, precision, source } = options;
  const entry = zooEntry(options.model ?? 'inceptionv3');
  const log = options.log ?? (() => undefined);
  const fileName = basename(h5Path);
  checkHdf5Head(readHead(h5Path), statSync(h5Path).size, fileName);

  const tf = await useWasmBackend();
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = openH5(h5, h5Path, fileName);
  let model: tfTypes.LayersModel;
  let variant: { includeTop: boolean; classes: number };
  try {
    const keras = readKerasWeightFile(file, fileName);
    log(
      `${fileName}: ${keras.layers.length} layers (Keras ${keras.kerasVersion ?? '?'}, ${keras.backend ?? '?'} backend)`,
    );
    let last = 0;
    ({ model, ...variant } = await zooFromKerasWeights(keras, fileName, {
      expect: entry.name,
      onProgress: (f) => {
        if (f - last >= 0.25 || f === 1) {
          last = f;
          log(`  loading weights… ${Math.round(f * 100)}%`);
        }
      },
    }));
  } finally {
    file.close();
  }

  const partial = `${outDir}.partial-${process.pid}`;
  try {
    const artifacts = await artifactsOf(model);
    const bundle = quantizeWeights(weightBundleOf(artifacts), precision);
    const shards = splitShards(bundle.data);
    const paths = shardNames(shards.length);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const records = [];
    for (const [i, shard] of shards.entries()) {
      writeFileSync(join(partial, paths[i]!), new Uint8Array(shard));
      records.push({ path: paths[i]!, bytes: shard.byteLength, sha256: await sha256Hex(shard) });
    }
    const modelJson: tfTypes.io.ModelJSON = {
      format: 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: 'inception-lens scripts/model-fetch.ts',
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: [{ paths, weights: bundle.specs }],
    };
    writeFileSync(join(partial, 'model.json'), JSON.stringify(modelJson));
    const metadata: LensModelMetadata = {
      format: 'inception-lens-model/1',
      name: variant.includeTop
        ? `${entry.displayName} (ImageNet)`
        : `${entry.displayName} base (no top)`,
      ...(variant.includeTop && variant.classes === 1000 ? { labels: [...IMAGENET_LABELS] } : {}),
      labelOffset: 0,
      inputSize: entry.inputSize,
      // 'tf' mode is [-1, 1]; the others start from [0, 255] pixels (`preprocess` says the rest).
      inputRange: entry.preprocess === 'tf' ? [-1, 1] : [0, 255],
      model: entry.name,
      preprocess: entry.preprocess,
      includeTop: variant.includeTop,
      precision,
      params: model.countParams(),
      source,
      licence: licenceFor(entry.name),
      shards: records,
      generatedBy: 'inception-lens scripts/model-fetch.ts',
      created: new Date().toISOString(),
    };
    writeFileSync(join(partial, 'metadata.json'), `${JSON.stringify(metadata, null, 1)}\n`);

    // Load what was written and compare it with the in-memory model.
    const reloaded = await loadModelFolder(tf, partial);
    let maxDiff: number;
    let top1Same: boolean;
    try {
      [maxDiff, top1Same] = tf.tidy(() => {
        const x = tf.randomUniform(
          [1, entry.inputSize, entry.inputSize, 3],
          -1,
          1,
          'float32',
          CHECK_SEED,
        );
        const a = model.predict(x) as tfTypes.Tensor;
        const b = reloaded.predict(x) as tfTypes.Tensor;
        return [
          tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!,
          tf.argMax(a.flatten()).dataSync()[0] === tf.argMax(b.flatten()).dataSync()[0],
        ] as [number, boolean];
      });
    } finally {
      reloaded.dispose();
    }
    if (precision === 'float32' && !(maxDiff <= 1e-5)) {
      throw new Error(`the written model differs from the converted one: max |diff| ${maxDiff}`);
    }
    const problem = await verifyModelFolder(partial);
    if (problem) throw new Error(`the written folder does not verify: ${problem}`);

    mkdirSync(dirname(outDir), { recursive: true });
    rmSync(outDir, { recursive: true, force: true });
    renameSync(partial, outDir);
    const files = ['model.json', 'metadata.json', ...paths].map((path) => ({
      path,
      bytes: statSync(join(outDir, path)).size,
    }));
    return {
      outDir,
      includeTop: variant.includeTop,
      classes: variant.classes,
      precision,
      files,
      weightBytes: bundle.data.byteLength,
      maxDiff,
      top1Same,
    };
  } finally {
    model.dispose();
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Reads `metadata.json` of a folder, or null when absent or unreadable. */
export function readMetadata(dir: string): Partial<LensModelMetadata> | null {
  try {
    return JSON.parse(
      readFileSync(join(dir, 'metadata.json'), 'utf8'),
    ) as Partial<LensModelMetadata>;
  } catch {
    return null;
  }
}

/**
 * Checks a model folder: model.json parses, every shard it names exists with the size and SHA-256
 * that metadata.json records, and the shards hold exactly the bytes the manifest describes.
 * Returns `null` when all is well, else what is wrong.
 */
export async function verifyModelFolder(dir: string): Promise<string | null> {
  const modelPath = join(dir, 'model.json');
  if (!existsSync(modelPath)) return `${modelPath} is missing`;
  let modelJson: tfTypes.io.ModelJSON;
  try {
    modelJson = JSON.parse(readFileSync(modelPath, 'utf8')) as tfTypes.io.ModelJSON;
  } catch {
    return `${modelPath} is not valid JSON`;
  }
  const hashes = shardHashesOf(readMetadata(dir));
  if (!hashes) return `${join(dir, 'metadata.json')} is missing or lists no shard hashes`;
  const manifest = modelJson.weightsManifest ?? [];
  let total = 0;
  for (const path of manifest.flatMap((group) => group.paths)) {
    const file = join(dir, path);
    if (!existsSync(file)) return `${file} is missing`;
    const expected = hashes.get(path);
    if (!expected) return `metadata.json has no hash for ${path}`;
    const bytes = readFileSync(file);
    total += bytes.byteLength;
    if (bytes.byteLength !== expected.bytes) {
      return `${file} has ${bytes.byteLength} bytes, metadata.json says ${expected.bytes}`;
    }
    const sha = await sha256Hex(new Uint8Array(bytes));
    if (sha !== expected.sha256) {
      return `${file} is corrupt: its SHA-256 is ${sha}, metadata.json says ${expected.sha256}`;
    }
  }
  const wanted = expectedWeightBytes(manifest.flatMap((group) => group.weights));
  if (wanted !== null && wanted !== total) {
    return `the shards hold ${total} bytes but model.json describes ${wanted}`;
  }
  return null;
}
