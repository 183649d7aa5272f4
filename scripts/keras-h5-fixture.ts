/**
 * Test fixtures in Keras' own weight-file layout, written with h5wasm exactly as Keras'
 * `save_weights` (h5py) lays them out: a `layer_names` attribute of fixed-length byte strings on
 * the root with `backend` and `keras_version`, one group per layer (every layer, weights or not)
 * with a `weight_names` attribute, and one float32 dataset per weight at
 * `/<layer>/<layer>/<weight>:0`.
 *
 *   npx tsx scripts/keras-h5-fixture.ts <out.h5> [--notop] [--damage missing-layer|wrong-shape|truncate]
 *
 * (copies a cached fixture; see {@link ensureKerasFixtures}).
 *
 * The weights are our InceptionV3 carrying nsfwjs' real Keras weights up to mixed10 and a seeded
 * random 1000-class top (the same seed as scripts/make-inception-fixture.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKerasLayers } from '../src/models/keras-h5-write';
import { copyWeightsInOrder, inceptionV3 } from '../src/models/zoo/inception-v3';
import { loadNsfwjsInception } from '../src/test/nsfwjs-inception';
import { useWasmBackend } from '../src/test/tf-node';

/** Seed of the random `predictions` layer (shared with make-inception-fixture.ts). */
export const HEAD_SEED = 0x1ce9_7107;

/** One layer as it goes into the file: its name and its weights (name without `:0`, values). */
export interface FixtureLayer {
  name: string;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

/** How to damage a fixture, for the error-path tests. */
export interface FixtureDamage {
  /** leave this layer out of layer_names and the file */
  omitLayer?: string;
  /** give this layer's first weight another shape (same values, reshaped) */
  reshapeLayer?: { name: string; shape: number[] };
}

/** Deterministic uniform numbers in [0, 1) from a 32-bit linear congruential generator. */
function lcgUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

/**
 * Our InceptionV3 with nsfwjs' Keras weights up to mixed10 plus (with the top) a seeded
 * glorot-uniform 1000-class `predictions` layer; without the top, pooled to 2048 features.
 */
export async function referenceInception(includeTop: boolean): Promise<tfTypes.LayersModel> {
  const tf = await useWasmBackend();
  const model = includeTop ? inceptionV3() : inceptionV3({ includeTop: false, pooling: 'avg' });
  const nsfw = await loadNsfwjsInception();
  try {
    copyWeightsInOrder(nsfw, model, { stopAfter: 'mixed10' });
  } finally {
    nsfw.dispose();
  }
  if (includeTop) {
    const head = model.getLayer('predictions');
    const [fanIn, fanOut] = head.getWeights()[0]!.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const next = lcgUniform(HEAD_SEED);
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = (next() * 2 - 1) * limit;
    const kernel = tf.tensor2d(values, [fanIn, fanOut]);
    const bias = tf.zeros([fanOut]);
    head.setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);
  }
  return model;
}

/** Every layer of `model` (weights or not) with its weight values, in the model's layer order. */
export function layersOf(model: tfTypes.LayersModel): FixtureLayer[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weights.map((w) => ({
      name: w.originalName,
      shape: [...w.shape] as number[],
      values: w.read().dataSync() as Float32Array,
    })),
  }));
}

/** Writes `layers` as a Keras `save_weights` HDF5 file at `path` (Node: h5wasm writes to disk). */
export async function writeKerasH5(
  path: string,
  layers: FixtureLayer[],
  damage: FixtureDamage = {},
): Promise<void> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const kept = layers
    .filter((l) => l.name !== damage.omitLayer)
    .map((layer) =>
      damage.reshapeLayer?.name === layer.name
        ? {
            ...layer,
            weights: layer.weights.map((w, i) =>
              i === 0 ? { ...w, shape: damage.reshapeLayer!.shape } : w,
            ),
          }
        : layer,
    );
  const file = new h5.File(path, 'w');
  try {
    // keras_version as the InceptionV3 fixtures always had it.
    writeKerasLayers(file, kept, { kerasVersion: '2.1.6' });
  } finally {
    file.close();
  }
}

/** The fixture files tests use; damaged ones exercise the error paths. */
export type FixtureKind = 'top' | 'notop' | 'missing-layer' | 'wrong-shape' | 'truncated';

/** Bump when the fixtures' content changes, so cached copies are not reused. */
export const FIXTURE_VERSION = 1;

/** The damage behind each kind (the layer names are Keras' auto names, as in our model). */
export const FIXTURE_DAMAGE: Record<FixtureKind, FixtureDamage> = {
  top: {},
  notop: {},
  'missing-layer': { omitLayer: 'batch_normalization_5' },
  'wrong-shape': { reshapeLayer: { name: 'conv2d_5', shape: [3, 3, 192, 80] } },
  truncated: {},
};

/** Where fixtures are cached between runs (git-ignored with node_modules). */
export function fixtureCacheDir(): string {
  return resolve(
    fileURLToPath(import.meta.url),
    '..',
    '..',
    'node_modules',
    '.cache',
    'inception-lens',
    'fixtures',
  );
}

/**
 * Paths of the fixture files of `kinds`, written once and cached in `dir` (written to a temporary
 * name and renamed, so parallel test files never see half a file).
 */
export async function ensureKerasFixtures<K extends FixtureKind>(
  kinds: readonly K[],
  dir = fixtureCacheDir(),
): Promise<Record<K, string>> {
  mkdirSync(dir, { recursive: true });
  const pathOf = (kind: FixtureKind): string =>
    join(dir, `inception-v3-${kind}-v${FIXTURE_VERSION}.h5`);
  const models = new Map<boolean, tfTypes.LayersModel>();
  const modelFor = async (includeTop: boolean): Promise<tfTypes.LayersModel> => {
    let model = models.get(includeTop);
    if (!model) {
      model = await referenceInception(includeTop);
      models.set(includeTop, model);
    }
    return model;
  };
  const ensure = async (kind: FixtureKind): Promise<string> => {
    const path = pathOf(kind);
    if (existsSync(path)) return path;
    const tmp = `${path}.${process.pid}.tmp`;
    if (kind === 'truncated') {
      copyFileSync(await ensure('top'), tmp);
      truncateFile(tmp, 0.6);
    } else {
      await writeKerasH5(tmp, layersOf(await modelFor(kind !== 'notop')), FIXTURE_DAMAGE[kind]);
    }
    renameSync(tmp, path);
    return path;
  };
  try {
    const out = {} as Record<K, string>;
    for (const kind of kinds) out[kind] = await ensure(kind);
    return out;
  } finally {
    for (const model of models.values()) model.dispose();
  }
}

/** Cuts a file to `fraction` of its size (a download that stopped early). */
export function truncateFile(path: string, fraction: number): void {
  truncateSync(path, Math.floor(statSync(path).size * fraction));
}

/** MD5 of a file, as Keras' `get_file(file_hash=…)` checks it. */
export async function md5Of(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('md5').update(readFileSync(path)).digest('hex');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--damage');
  if (!out) {
    console.error(
      'usage: npx tsx scripts/keras-h5-fixture.ts <out.h5> [--notop] [--damage missing-layer|wrong-shape|truncate]',
    );
    process.exitCode = 2;
    return;
  }
  const includeTop = !args.includes('--notop');
  const damage = args.includes('--damage') ? args[args.indexOf('--damage') + 1] : undefined;
  const kind = (damage === 'truncate' ? 'truncated' : damage) ?? (includeTop ? 'top' : 'notop');
  if (!(kind in FIXTURE_DAMAGE)) {
    console.error(`unknown --damage ${damage}`);
    process.exitCode = 2;
    return;
  }
  const cached = await ensureKerasFixtures([kind as FixtureKind]);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  copyFileSync(cached[kind as FixtureKind], resolve(out));
  console.log(`wrote ${resolve(out)} (${statSync(resolve(out)).size} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
