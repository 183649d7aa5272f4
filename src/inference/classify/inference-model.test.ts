import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import { rgbaToRgbFloat } from '../../preprocess/pixels';
import { useWasmBackend } from '../../test/tf-node';
import { indexedDbFoldedCache, type FoldedCache } from './folded-cache';
import { buildInferenceModel, modelIdentity, prepareModel } from './inference-model';
import { foldedCacheFor, loadClassifier } from './load-model';
import { seeded } from '../../test/seeded';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const ENTRY: ModelEntry = {
  id: 'small',
  name: 'Small net',
  url: 'https://models.test/small/model.json',
  inputSize: null,
  inputRange: [-1, 1],
  labels: { kind: 'list', labels: NAMES },
  labelOffset: 0,
};

beforeAll(async () => {
  await useWasmBackend();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** conv → BN → relu → pool → softmax, with non-trivial weights. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'conv' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 6, activation: 'softmax', name: 'top' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const values = model.weights.map((w, k) => {
    const shape = w.shape as number[];
    const data = seeded(
      shape.reduce((n, d) => n * d, 1),
      40 + k,
      0.7,
    );
    if (w.originalName.endsWith('moving_variance'))
      data.forEach((v, i) => (data[i] = 0.3 + Math.abs(v)));
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** A server holding `model`'s files; it logs what was asked. */
async function serve(model: tf.LayersModel, extra: Record<string, unknown> = {}) {
  let files: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((a) => {
      files = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  const saved: tf.io.ModelArtifacts = files!;
  const server = {
    json: JSON.stringify({
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved.weightSpecs }],
      format: 'layers-model',
      ...extra,
    }),
    weights: saved.weightData as ArrayBuffer,
    asked: [] as string[],
  };
  vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    server.asked.push(url.split('/').pop()!);
    if (url.endsWith('model.json')) {
      return Promise.resolve(
        new Response(server.json, { headers: { 'content-type': 'application/json' } }),
      );
    }
    if (url.endsWith('.bin')) return Promise.resolve(new Response(server.weights.slice(0)));
    return Promise.resolve(new Response('not here', { status: 404 }));
  });
  return server;
}

const x = (): tf.Tensor4D => tf.tensor4d(seeded(2 * 6 * 6 * 3, 9), [2, 6, 6, 3]);

/** Largest |difference| between two models' outputs. */
function maxDiff(a: tf.LayersModel, b: tf.LayersModel): number {
  return tf.tidy(() => {
    const input = x();
    return tf
      .max(tf.abs(tf.sub(a.predict(input) as tf.Tensor, b.predict(input) as tf.Tensor)))
      .dataSync()[0]!;
  });
}

const noProgress = (): void => undefined;

describe('the inference model: folded files, cached between visits', () => {
  test('a first visit folds and keeps the copy; a return visit builds it from the cache alone', async () => {
    const reference = smallModel();
    const server = await serve(reference);
    const cache = indexedDbFoldedCache(new IDBFactory());

    const first = await prepareModel(ENTRY, noProgress, { cache });
    expect(first).toMatchObject({ kind: 'folded', source: 'folded' });
    const built = await buildInferenceModel(ENTRY, first, noProgress, { cache });
    expect(built.foldedCopy).toBe('made');
    expect(await built.keepCopy?.()).toBe(true);
    expect(built.model.layers.map((l) => l.getClassName())).not.toContain('BatchNormalization');
    expect(maxDiff(built.model, reference)).toBeLessThan(1e-6);
    built.model.dispose();

    server.asked.length = 0;
    const second = await prepareModel(ENTRY, noProgress, { cache });
    expect(second).toMatchObject({ kind: 'folded', source: 'cache' });
    expect(server.asked.filter((f) => f.endsWith('.bin'))).toEqual([]); // no weights downloaded
    const again = await buildInferenceModel(ENTRY, second, noProgress, { cache });
    expect(again.foldedCopy).toBe('cached');
    expect(again.keepCopy).toBeUndefined();
    expect(maxDiff(again.model, reference)).toBeLessThan(1e-6);
    expect(again.originalParams).toBe(reference.countParams());

    // The Keras-structured original, built only when asked, from the model's own files.
    const original = await again.loadOriginal!();
    expect(original.layers.map((l) => l.getClassName())).toContain('BatchNormalization');
    expect(maxDiff(original, reference)).toBe(0);
    expect(server.asked.filter((f) => f.endsWith('.bin'))).toEqual(['group1-shard1of1.bin']);
    for (const m of [again.model, original, reference]) m.dispose();
  });

  test('a new version of the model (model.json changed) does not use the stale copy', async () => {
    const reference = smallModel();
    const server = await serve(reference);
    const cache = indexedDbFoldedCache(new IDBFactory());
    const built = await buildInferenceModel(ENTRY, null, noProgress, { cache });
    await built.keepCopy?.();
    built.model.dispose();
    server.json = server.json.replace('"layers-model"', '"layers-model", "generatedBy": "v2"');
    const next = await prepareModel(ENTRY, noProgress, { cache });
    expect(next).toMatchObject({ kind: 'folded', source: 'folded' });
    reference.dispose();
  });

  test('the identity follows model.json and the shard hashes metadata.json lists', async () => {
    const a = await modelIdentity('{"x":1}', null);
    expect(await modelIdentity('{"x":1}', { labels: ['a'] })).toBe(a);
    expect(await modelIdentity('{"x":2}', null)).not.toBe(a);
    const withShards = await modelIdentity('{"x":1}', { shards: [{ sha256: 'aa' }] });
    expect(withShards).not.toBe(a);
    expect(await modelIdentity('{"x":1}', { shards: [{ sha256: 'bb' }] })).not.toBe(withShards);
  });

  test('a cache that refuses to keep the copy (quota) changes nothing but the next load', async () => {
    const reference = smallModel();
    await serve(reference);
    const put = vi.fn(() => Promise.reject(new DOMException('full', 'QuotaExceededError')));
    const refusing: FoldedCache = {
      get: () => Promise.resolve(null),
      put,
      drop: () => Promise.resolve(),
    };
    const built = await buildInferenceModel(ENTRY, null, noProgress, { cache: refusing });
    expect(await built.keepCopy?.()).toBe(false);
    expect(put).toHaveBeenCalledOnce();
    expect(maxDiff(built.model, reference)).toBeLessThan(1e-6);
    built.model.dispose();
    // An unreadable cache is a miss, not a failure.
    const broken: FoldedCache = {
      get: () => Promise.reject(new Error('IndexedDB is gone')),
      put: () => Promise.reject(new Error('IndexedDB is gone')),
      drop: () => Promise.reject(new Error('IndexedDB is gone')),
    };
    const still = await buildInferenceModel(ENTRY, null, noProgress, { cache: broken });
    expect(still.foldedCopy).toBe('made');
    still.model.dispose();
    reference.dispose();
  });

  test('a cached copy that does not build is dropped and the model folded again', async () => {
    const reference = smallModel();
    await serve(reference);
    const drop = vi.fn(() => Promise.resolve());
    const corrupt: FoldedCache = {
      get: () =>
        Promise.resolve({
          artifacts: {
            modelTopology: {
              class_name: 'Functional',
              config: { layers: [{ class_name: 'NoSuchLayer' }] },
            },
            weightSpecs: [],
            weightData: new ArrayBuffer(0),
          },
          originalParams: 1,
        }),
      put: () => Promise.resolve(),
      drop,
    };
    const built = await buildInferenceModel(ENTRY, null, noProgress, { cache: corrupt });
    expect(drop).toHaveBeenCalledWith(ENTRY.url);
    expect(built.foldedCopy).toBe('made');
    expect(maxDiff(built.model, reference)).toBeLessThan(1e-6);
    built.model.dispose();
    reference.dispose();
  });

  test('a classifier from a cached start: same answers, its original on demand, nothing leaked', async () => {
    const reference = smallModel();
    const server = await serve(reference);
    // A first load fills the worker's cache (fake IndexedDB here); the classifier's load reads it.
    const first = await buildInferenceModel(ENTRY, null, noProgress, { cache: foldedCacheFor() });
    expect(await first.keepCopy?.()).toBe(true);
    first.model.dispose();
    server.asked.length = 0;
    const before = tf.memory().numTensors;
    const c = await loadClassifier(ENTRY, noProgress);
    expect(server.asked.filter((f) => f.endsWith('.bin'))).toEqual([]);
    expect(c.info.params).toBe(reference.countParams());
    const rgba = new Uint8Array(6 * 6 * 4).map((_, i) => (i * 37) % 256);
    const got = await c.classify(rgba, 6, 6, 6);
    const original = await c.original!();
    expect(await c.original!()).toBe(original); // built once
    expect(original.getLayer('bn').getClassName()).toBe('BatchNormalization');
    const want = tf.tidy(() => {
      const pixels = rgbaToRgbFloat(rgba, ENTRY.inputRange);
      return (original.predict(tf.tensor4d(pixels, [1, 6, 6, 3])) as tf.Tensor).dataSync();
    });
    for (const p of got) expect(p.probability).toBeCloseTo(want[p.index]!, 5);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    reference.dispose();
  });

  test('the main load leaves the copy to idle time (copyLater); other loads keep it at once', async () => {
    const reference = smallModel();
    await serve(reference);
    const cache = foldedCacheFor()!;
    const source = async (): Promise<string | undefined> => {
      const prepared = await prepareModel(ENTRY, noProgress, { cache });
      return prepared?.kind === 'folded' ? prepared.source : prepared?.kind;
    };
    await cache.drop(ENTRY.url);
    const later = await loadClassifier(
      ENTRY,
      noProgress,
      {},
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(await source()).toBe('folded'); // nothing written yet
    expect(await later.keepFoldedCopy!()).toBe(true);
    expect('keepFoldedCopy' in later).toBe(false); // once, then the weights can go
    expect(await source()).toBe('cache');
    later.dispose();

    await cache.drop(ENTRY.url);
    const now = await loadClassifier(ENTRY, noProgress);
    expect('keepFoldedCopy' in now).toBe(false);
    await vi.waitFor(async () => {
      expect(await source()).toBe('cache');
    });
    now.dispose();
    reference.dispose();
  });
});
