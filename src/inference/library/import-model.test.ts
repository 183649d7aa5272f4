/**
 * The worker's "Open model…" imports, run in Node with the same code the worker runs: h5wasm's
 * Node build stands in for WORKERFS, an in-memory store for IndexedDB, a fake fetch for the
 * network.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { FixtureKind } from '../../../scripts/keras-h5-fixture';
import { openH5 } from '../../models/keras-h5';
import { planKerasExport } from '../../models/keras-h5-export';
import { kerasH5Bytes } from '../../models/keras-h5-write';
import { mobileNet } from '../../models/zoo/mobilenet';
import {
  artifactsOf,
  quantizeWeights,
  sha256Hex,
  shardNames,
  splitShards,
  weightBundleOf,
} from '../../models/tfjs-artifacts';
import type { WeightPrecision } from '../../models/weight-precision';
import {
  BETA_PERTURBATION,
  fidelity,
  FLOAT32_RELATIVE_BOUND,
  perturbBatchNormBeta,
  preSoftmax,
} from '../../test/fidelity';
import { h5wasmNode, useKerasH5Setup } from '../../test/h5-fixtures';
import { sharedPath, skipWithoutShared } from '../../test/shared-fixtures';
import { importModel, type ImportContext, type ImportDeps } from './import-model';
import type { FolderFile, StoredModel } from './protocol';
import { memoryModelStore } from './store';
import { createLibraryHandlers } from './handlers';
import type { ProgressOf, RequestType } from '../protocol';
import type { HandlerContext } from '../seam/handlers';

const setup = useKerasH5Setup({ seed: 5, scratchPrefix: 'lens-import-' });
const { scratch } = setup;
let tf: typeof tfTypes;
let files: Record<FixtureKind, string>;
let input: tfTypes.Tensor4D;
let expectedLogits: Float32Array;
const MOBILENET = sharedPath('models', 'mobilenet_v1_0.75_224');
const skipMobileNet = skipWithoutShared(
  [join(MOBILENET, 'model.json')],
  'the real MobileNet folder import',
);

beforeAll(() => {
  ({ tf, files, input, expectedLogits } = setup);
});

let opened = 0;
/** Test deps: h5wasm's Node build (reads real files), an in-memory store, a fake network. */
function makeDeps(network: Record<string, Uint8Array | 'down' | 'html'> = {}) {
  const store = memoryModelStore();
  let keys = 0;
  const deps: ImportDeps = {
    store,
    openH5: async (blob, name) => {
      const h5 = await h5wasmNode();
      const path = join(scratch, `open-${++opened}.h5`);
      writeFileSync(path, new Uint8Array(await blob.arrayBuffer()));
      const file = openH5(h5, path, name);
      return {
        file,
        close: () => {
          file.close();
          rmSync(path, { force: true });
        },
      };
    },
    fetch: (input) => {
      const url = String(input instanceof Request ? input.url : input);
      const body = network[url];
      if (body === 'down') return Promise.reject(new TypeError('fetch failed'));
      if (body === 'html') {
        return Promise.resolve(
          new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
        );
      }
      if (!body) return Promise.resolve(new Response('not found', { status: 404 }));
      // Streamed in 1 MB chunks, as a network delivers it.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < body.byteLength; at += 2 ** 20) {
            controller.enqueue(body.subarray(at, at + 2 ** 20));
          }
          controller.close();
        },
      });
      return Promise.resolve(
        new Response(stream, { headers: { 'content-length': String(body.byteLength) } }),
      );
    },
    now: () => new Date('2026-11-29T10:00:00Z'),
    newKey: () => `k${++keys}`,
  };
  return { deps, store };
}

interface Seen {
  stage: string;
  fraction: number | null;
}
function makeContext(cancelAfter = Infinity): ImportContext & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    progress: (stage, fraction) => seen.push({ stage, fraction }),
    isCancelled: () => seen.length > cancelAfter,
  };
}

const blobOf = (path: string): Blob => new Blob([readFileSync(path)]);

/** Loads a stored model back from the memory store. */
async function loadStored(store: ReturnType<typeof makeDeps>['store'], key: string) {
  return tf.loadLayersModel(tf.io.fromMemory(store.artifacts.get(key)!));
}

/** The model's logits against the source's: relative distance and whether top-1 agrees. */
function compare(model: tfTypes.LayersModel): { relative: number; top1Same: boolean } {
  const got = preSoftmax(tf, model, input);
  let best = 0;
  let bestRef = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i]! > got[best]!) best = i;
    if (expectedLogits[i]! > expectedLogits[bestRef]!) bestRef = i;
  }
  return { relative: fidelity(got, expectedLogits).relative, top1Same: best === bestRef };
}

describe('a Keras .h5 opened in the page', () => {
  test('converts in the worker to a stored model whose logits match the source within 1e-5 relative (float32)', async () => {
    const { deps, store } = makeDeps();
    const context = makeContext();
    const before = tf.memory().numTensors;
    const record = await importModel(
      { kind: 'h5', name: 'inception_v3_weights.h5', file: blobOf(files.top) },
      'float32',
      deps,
      context,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(record).toMatchObject({
      key: 'k1',
      source: { kind: 'h5', detail: 'inception_v3_weights.h5' },
      precision: 'float32',
      numClasses: 1000,
      params: 23_851_784,
      created: '2026-11-29T10:00:00.000Z',
      entry: {
        id: 'stored:k1',
        name: 'inception_v3_weights',
        url: 'indexeddb://inception-lens/k1',
        inputSize: 299,
        inputRange: [-1, 1],
        labels: { kind: 'imagenet' },
      },
    });
    expect(record.bytes).toBe(23_851_784 * 4);
    expect(context.seen.map((s) => s.stage)).toEqual(
      expect.arrayContaining(['reading', 'converting', 'storing']),
    );
    expect(context.seen.filter((s) => s.stage === 'converting').at(-1)?.fraction).toBe(1);
    const model = await loadStored(store, 'k1');
    const { relative } = compare(model);
    // The same comparison must reject a model one weight away from the source.
    const restore = perturbBatchNormBeta(tf, model, 'batch_normalization_94');
    const perturbed = compare(model).relative;
    restore();
    model.dispose();
    console.log(
      `imported float32 logits vs source: ${relative.toExponential(1)} relative; with ` +
        `batch_normalization_94's beta × ${BETA_PERTURBATION}: ${perturbed.toExponential(1)} ` +
        `(bound ${FLOAT32_RELATIVE_BOUND})`,
    );
    expect(relative).toBeLessThanOrEqual(FLOAT32_RELATIVE_BOUND);
    expect(perturbed).toBeGreaterThan(FLOAT32_RELATIVE_BOUND);
    expect(await store.list()).toEqual([record]);
  });

  test('float16 and uint8: agreement with float32 and size (reported)', async () => {
    const rows: string[] = [];
    const results: { precision: WeightPrecision; relative: number; top1Same: boolean }[] = [];
    for (const precision of ['float16', 'uint8'] as WeightPrecision[]) {
      const { deps, store } = makeDeps();
      const record = await importModel(
        { kind: 'h5', name: 'w.h5', file: blobOf(files.top) },
        precision,
        deps,
        makeContext(),
      );
      expect(record.precision).toBe(precision);
      expect(record.bytes).toBe(23_851_784 * (precision === 'float16' ? 2 : 1));
      const model = await loadStored(store, record.key);
      const { relative, top1Same } = compare(model);
      results.push({ precision, relative, top1Same });
      model.dispose();
      rows.push(
        `${precision}: ${(record.bytes / 2 ** 20).toFixed(1)} MB, logits ${relative.toExponential(1)} relative, top-1 ${top1Same ? 'same' : 'different'}`,
      );
    }
    console.log(
      `InceptionV3 fixture imported in the page at lower precision (vs float32):\n  ${rows.join('\n  ')}`,
    );
    for (const { precision, relative, top1Same } of results) {
      expect(top1Same, precision).toBe(true);
      // Rounding every weight costs about what one beta × 1.01 does (≈ 2e-3) at float16.
      expect(relative, precision).toBeLessThan(precision === 'float16' ? 4e-3 : 1e-1);
    }
  });

  test('without the top: stored as a 2048-feature extractor with a note', async () => {
    const { deps } = makeDeps();
    const record = await importModel(
      { kind: 'h5', name: 'notop.h5', file: blobOf(files.notop) },
      'uint8',
      deps,
      makeContext(),
    );
    expect(record.numClasses).toBe(2048);
    expect(record.params).toBe(21_802_784);
    expect(record.note).toMatch(/without its top/);
    expect(record.entry.labels).toMatchObject({ kind: 'list' });
    const labels = record.entry.labels;
    expect(labels.kind === 'list' ? labels.labels[7] : null).toBe('feature 7');
  });

  test('truncated, missing-layer and wrong-shape files are refused by name; nothing is stored', async () => {
    const { deps, store } = makeDeps();
    const attempt = (kind: FixtureKind) =>
      importModel(
        { kind: 'h5', name: `${kind}.h5`, file: blobOf(files[kind]) },
        'float16',
        deps,
        makeContext(),
      );
    await expect(attempt('truncated')).rejects.toThrow(/truncated\.h5 is truncated: it has/);
    await expect(attempt('missing-layer')).rejects.toThrow(
      /layer batch_normalization_5 is missing/,
    );
    await expect(attempt('wrong-shape')).rejects.toThrow(
      'layer conv2d_5: conv2d_5/kernel:0 has shape [3,3,192,80] in the file, but InceptionV3 with the top expects [3,3,80,192]',
    );
    await expect(
      importModel(
        { kind: 'h5', name: 'notes.h5', file: new Blob(['just some text']) },
        'float16',
        deps,
        makeContext(),
      ),
    ).rejects.toThrow('notes.h5 is not an HDF5 file');
    expect(await store.list()).toEqual([]);
  });
});

describe('a Keras .h5 of another zoo architecture opened in the page', () => {
  /** Seeded weights in every layer (batch-norm betas non-zero, variances positive). */
  function randomize(model: tfTypes.LayersModel, seed: number): void {
    for (const layer of model.layers) {
      const values = layer.weights.map((w, i) =>
        w.originalName.endsWith('moving_variance')
          ? tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed + i)
          : tf.randomUniform(w.shape as number[], -0.1, 0.1, 'float32', seed + i),
      );
      if (values.length > 0) layer.setWeights(values);
      tf.dispose(values);
      seed += 7;
    }
  }

  test("MobileNet α 0.25 + a Dense head (Teach's Keras export) converts to a stored model whose logits match within 1e-5 relative; a beta × 1.01 fails that", async () => {
    const base = mobileNet({ alpha: 0.25, includeTop: false, pooling: 'avg' });
    const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'predictions' });
    const source = tf.model({
      inputs: base.inputs,
      outputs: head.apply(base.outputs[0]!) as tfTypes.SymbolicTensor,
    });
    randomize(source, 21);
    const plan = await planKerasExport(source, {
      fileName: 'pets.h5',
      classNames: ['cat', 'dog', 'fish'],
    });
    expect(plan.kind).toBe('application');
    const h5 = await h5wasmNode();
    const { FS } = await h5.ready;
    const path = join(scratch, 'pets.h5');
    writeFileSync(path, kerasH5Bytes({ File: h5.File, FS }, plan.layers, plan.attributes, scratch));

    const { deps, store } = makeDeps();
    const record = await importModel(
      { kind: 'h5', name: 'pets.h5', file: blobOf(path) },
      'float32',
      deps,
      makeContext(),
    );
    expect(record).toMatchObject({
      numClasses: 3,
      params: source.countParams(),
      entry: { inputSize: 224, inputRange: [-1, 1] },
    });
    const model = await loadStored(store, record.key);
    const x = tf.randomUniform<tfTypes.Rank.R4>([2, 224, 224, 3], -1, 1, 'float32', 8);
    const want = preSoftmax(tf, source, x);
    const { relative } = fidelity(preSoftmax(tf, model, x), want);
    // The same comparison must reject a model one weight away from the source.
    const restore = perturbBatchNormBeta(tf, model, 'conv_pw_13_bn');
    const perturbed = fidelity(preSoftmax(tf, model, x), want).relative;
    restore();
    x.dispose();
    model.dispose();
    source.dispose();
    console.log(
      `imported MobileNet α 0.25 .h5 logits vs source: ${relative.toExponential(1)} relative; ` +
        `with conv_pw_13_bn's beta × ${BETA_PERTURBATION}: ${perturbed.toExponential(1)}`,
    );
    expect(relative).toBeLessThanOrEqual(FLOAT32_RELATIVE_BOUND);
    expect(perturbed).toBeGreaterThan(FLOAT32_RELATIVE_BOUND);
  }, 120_000);
});

/** A small layers model saved as folder files (+ our metadata.json with shard hashes). */
async function tinyFolder(
  options: { hashes?: boolean; labels?: string[]; shardBytes?: number } = {},
) {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: 'c' }),
      tf.layers.globalAveragePooling2d({ name: 'g' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'd' }),
    ],
  });
  const artifacts = await artifactsOf(model);
  model.dispose();
  const bundle = quantizeWeights(weightBundleOf(artifacts), 'float16');
  const shards = splitShards(bundle.data, options.shardBytes ?? 200);
  const paths = shardNames(shards.length);
  const modelJson = {
    format: 'layers-model',
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths, weights: bundle.specs }],
  };
  const metadata: Record<string, unknown> = { name: 'tiny', inputRange: [0, 1] };
  if (options.labels) metadata.labels = options.labels;
  if (options.hashes !== false) {
    metadata.shards = await Promise.all(
      shards.map(async (s, i) => ({
        path: paths[i],
        bytes: s.byteLength,
        sha256: await sha256Hex(s),
      })),
    );
  }
  const files: FolderFile[] = [
    { path: 'tiny/model.json', file: new Blob([JSON.stringify(modelJson)]) },
    { path: 'tiny/metadata.json', file: new Blob([JSON.stringify(metadata)]) },
    ...shards.map((s, i) => ({ path: `tiny/${paths[i]}`, file: new Blob([s]) })),
  ];
  return { files, paths, shards };
}

describe('a TensorFlow.js model folder opened in the page', () => {
  test('is checked (hashes, sizes) and stored as it comes, with labels and range from metadata.json', async () => {
    const { deps, store } = makeDeps();
    const { files: folder, paths } = await tinyFolder({ labels: ['cat', 'dog', 'eel'] });
    expect(paths.length).toBeGreaterThan(1);
    const context = makeContext();
    const record = await importModel(
      { kind: 'folder', name: 'tiny', files: folder },
      'uint8',
      deps,
      context,
    );
    expect(record).toMatchObject({
      precision: 'float16',
      numClasses: 3,
      entry: {
        name: 'tiny',
        inputSize: 8,
        inputRange: [0, 1],
        labels: { kind: 'list', labels: ['cat', 'dog', 'eel'] },
      },
      source: { kind: 'folder', detail: 'tiny' },
    });
    expect(context.seen.filter((s) => s.stage === 'verifying').length).toBeGreaterThanOrEqual(
      paths.length,
    );
    const model = await loadStored(store, record.key);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    model.dispose();
  });

  test('a missing, corrupt or truncated weight file gets an error that names it', async () => {
    const { deps, store } = makeDeps();
    const { files: folder, paths } = await tinyFolder();
    const without = folder.filter((f) => !f.path.endsWith(paths[1]!));
    await expect(
      importModel({ kind: 'folder', name: 'tiny', files: without }, 'float16', deps, makeContext()),
    ).rejects.toThrow(
      `model.json names a weight file that is not among the files: ${paths[1]}. Open the whole folder.`,
    );

    const corrupt = folder.map((f) =>
      f.path.endsWith(paths[0]!) ? { ...f, file: new Blob([new Uint8Array(200).fill(7)]) } : f,
    );
    await expect(
      importModel({ kind: 'folder', name: 'tiny', files: corrupt }, 'float16', deps, makeContext()),
    ).rejects.toThrow(new RegExp(`^${paths[0]!.replace(/\./g, '\\.')} is corrupt: its SHA-256 is`));

    const plain = await tinyFolder({ hashes: false });
    const last = plain.paths.at(-1)!;
    const cut = plain.files.map((f) =>
      f.path.endsWith(last) ? { ...f, file: f.file.slice(0, 10) } : f,
    );
    await expect(
      importModel({ kind: 'folder', name: 'tiny', files: cut }, 'float16', deps, makeContext()),
    ).rejects.toThrow(
      /The weight files hold [\d,]+ bytes but model.json describes [\d,]+: a weight file is truncated/,
    );
    expect(await store.list()).toEqual([]);
  });

  test('graph models, folders without model.json and mismatched weights are refused', async () => {
    const { deps } = makeDeps();
    const graph = [
      {
        path: 'g/model.json',
        file: new Blob([JSON.stringify({ format: 'graph-model', modelTopology: {} })]),
      },
    ];
    await expect(
      importModel({ kind: 'folder', name: 'g', files: graph }, 'float16', deps, makeContext()),
    ).rejects.toThrow(/graph model; only layers models/);
    await expect(
      importModel(
        { kind: 'folder', name: 'x', files: [{ path: 'x/a.bin', file: new Blob(['1']) }] },
        'float16',
        deps,
        makeContext(),
      ),
    ).rejects.toThrow(/There is no model.json among the 1 files/);
    // The right number of bytes, but model.json names a weight the topology does not have.
    const { files: folder } = await tinyFolder({ hashes: false });
    const json = JSON.parse(await folder[0]!.file.text()) as {
      weightsManifest: [{ weights: { name: string }[] }];
    };
    json.weightsManifest[0].weights[0]!.name = 'nope/kernel';
    const renamed = [{ ...folder[0]!, file: new Blob([JSON.stringify(json)]) }, ...folder.slice(1)];
    await expect(
      importModel({ kind: 'folder', name: 'tiny', files: renamed }, 'float16', deps, makeContext()),
    ).rejects.toThrow(/model.json and its weights do not make a working model/);
  });

  test.skipIf(skipMobileNet)(
    'the real MobileNet folder from ../shared (55 weight files, labels in metadata.json)',
    async () => {
      const { deps } = makeDeps();
      const folder = readdirSync(MOBILENET).map((name) => ({
        path: `mobilenet/${name}`,
        file: new Blob([readFileSync(join(MOBILENET, name))]),
      }));
      const record = await importModel(
        { kind: 'folder', name: 'mobilenet', files: folder },
        'float16',
        deps,
        makeContext(),
      );
      expect(record.numClasses).toBe(1000);
      expect(record.entry.inputSize).toBe(224);
      expect(record.entry.labels.kind).toBe('list');
      expect(record.precision).toBe('float32');
    },
  );
});

describe('a URL opened in the page', () => {
  test('an .h5 address is downloaded with progress and converted; a folder address fetches every shard', async () => {
    const { files: folder, paths } = await tinyFolder();
    const network: Record<string, Uint8Array> = {
      'https://models.test/w/notop.h5': new Uint8Array(readFileSync(files.notop)),
    };
    for (const f of folder) {
      network[`https://models.test/${f.path}`] = new Uint8Array(await f.file.arrayBuffer());
    }
    const { deps, store } = makeDeps(network);
    const context = makeContext();
    const h5 = await importModel(
      { kind: 'url', url: 'https://models.test/w/notop.h5' },
      'uint8',
      deps,
      context,
    );
    expect(h5).toMatchObject({
      numClasses: 2048,
      source: { kind: 'url', detail: 'https://models.test/w/notop.h5' },
    });
    const downloads = context.seen.filter((s) => s.stage === 'downloading');
    expect(downloads.length).toBeGreaterThan(2);
    expect(downloads.at(-1)!.fraction).toBe(1);
    const tiny = await importModel(
      { kind: 'url', url: 'https://models.test/tiny/model.json' },
      'float16',
      deps,
      makeContext(),
    );
    expect(tiny.entry.name).toBe('tiny');
    expect((await store.list()).map((m) => m.key)).toEqual([h5.key, tiny.key]); // same time: insertion order
    expect(paths.length).toBeGreaterThan(1);
  });

  test('unreachable, missing, web-page and malformed addresses get plain errors', async () => {
    const { deps } = makeDeps({
      'https://down.test/m/model.json': 'down',
      'https://spa.test/model.json': 'html',
    });
    const ctx = makeContext();
    await expect(
      importModel({ kind: 'url', url: 'https://down.test/m/model.json' }, 'float16', deps, ctx),
    ).rejects.toThrow(
      'The model could not be downloaded from https://down.test/m/model.json: the network or the server is unreachable',
    );
    await expect(
      importModel({ kind: 'url', url: 'https://nowhere.test/model.json' }, 'float16', deps, ctx),
    ).rejects.toThrow('The model was not found at https://nowhere.test/model.json (HTTP 404).');
    await expect(
      importModel({ kind: 'url', url: 'https://spa.test/model.json' }, 'float16', deps, ctx),
    ).rejects.toThrow('(the server answered with a web page)');
    await expect(
      importModel({ kind: 'url', url: 'not a url' }, 'float16', deps, ctx),
    ).rejects.toThrow('“not a url” is not a valid address.');
    await expect(
      importModel({ kind: 'url', url: 'file:///etc/passwd' }, 'float16', deps, ctx),
    ).rejects.toThrow('is not an http(s) address');
  });
});

describe('the library handlers', () => {
  function handlerContext<K extends RequestType>(cancelled = () => false) {
    const progress: ProgressOf<K>[] = [];
    const context: HandlerContext<K> = {
      classifier: null,
      backend: 'wasm',
      progress: (p) => progress.push(p),
      isCancelled: cancelled,
      transfer: () => undefined,
      activate: () => undefined,
    };
    return { context, progress };
  }
  const libraryDeps = (deps: ImportDeps) => ({
    ...deps,
    loadArtifacts: () => Promise.reject(new Error('not used')),
  });

  test('import reports throttled progress then the stored model; list and delete answer with the list', async () => {
    const { deps } = makeDeps();
    const handlers = createLibraryHandlers(() => libraryDeps(deps));
    const { files: folder } = await tinyFolder();
    const { context, progress } = handlerContext<'library-import'>();
    const reply = await handlers['library-import'](
      { source: { kind: 'folder', name: 'tiny', files: folder }, precision: 'float16' },
      context,
    );
    expect(reply.models.map((m: StoredModel) => m.key)).toEqual([reply.model.key]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => typeof p.stage === 'string')).toBe(true);

    const list = await handlers['library-list']({}, handlerContext<'library-list'>().context);
    expect(list).toEqual({ models: reply.models });

    const del = await handlers['library-delete'](
      { key: reply.model.key },
      handlerContext<'library-delete'>().context,
    );
    expect(del).toEqual({ models: [] });
  });

  test('a cancelled import throws (the service says cancelled) and stores nothing', async () => {
    const { deps, store } = makeDeps();
    const handlers = createLibraryHandlers(() => libraryDeps(deps));
    let checks = 0;
    const { context } = handlerContext<'library-import'>(() => ++checks > 30);
    const before = tf.memory().numTensors;
    await expect(
      handlers['library-import'](
        { source: { kind: 'h5', name: 'w.h5', file: blobOf(files.top) }, precision: 'float16' },
        context,
      ),
    ).rejects.toThrow('cancelled');
    expect(await store.list()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
