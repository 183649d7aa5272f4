import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { useWasmBackend } from '../../test/tf-node';
import { createClassifier, type Classifier } from '../classify/classifier';
import { memoryModelStore, STORED_MODEL_PREFIX } from '../library/store';
import { createLibraryHandlers, exportFileName } from '../library/handlers';
import type { LibraryRequests, ReplyOf, RequestOf, StoredModel, TrainRequests } from '../protocol';
import type { Handler, HandlerContext, Handlers } from '../seam/handlers';
import { defaultSettings } from './protocol';
import { createTrainHandlers } from './session';
import { colourSet, tinyInceptionLike } from './test-kit';
import { packModel } from '../library/transfer-package';
import { preprocessInput } from '../../models/zoo/catalog';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const ENTRY: ModelEntry = {
  id: 'tiny',
  name: 'Tiny',
  url: 'http://x/tiny/model.json',
  inputSize: 16,
  inputRange: [-1, 1],
  labels: { kind: 'list', labels: ['a', 'b', 'c', 'd', 'e'] },
  labelOffset: 0,
};

function session() {
  const store = memoryModelStore();
  let keys = 0;
  const newKey = () => `k${++keys}`;
  const date = () => new Date('2026-11-29T00:00:00Z');
  const handlers: Handlers<keyof TrainRequests | keyof LibraryRequests> = {
    ...createTrainHandlers(() => ({
      store,
      now: () => performance.now(),
      pause: () => new Promise((r) => setTimeout(r, 0)),
      date,
      newKey,
    })),
    ...createLibraryHandlers(() => ({
      store,
      loadArtifacts: (url) => {
        const found = store.artifacts.get(url.slice(STORED_MODEL_PREFIX.length));
        return found ? Promise.resolve(found) : Promise.reject(new Error('no such model'));
      },
      openH5: () => Promise.reject(new Error('not used')),
      fetch: () => Promise.reject(new Error('not used')),
      now: date,
      newKey,
    })),
  };
  const progress: unknown[] = [];
  /** what each reply asked to transfer rather than copy */
  const transfers = new Map<unknown, Transferable[]>();
  let cancelled = false;
  let classifier: Classifier | null = null;
  /** Runs one request; resolves with its reply (or rejects with the handler's error). */
  async function call<K extends keyof typeof handlers>(
    type: K,
    request: RequestOf<K>,
  ): Promise<ReplyOf<K>> {
    const transfer: Transferable[] = [];
    const context: HandlerContext<K> = {
      get classifier() {
        return classifier;
      },
      backend: 'wasm',
      progress: (p) => progress.push(p),
      isCancelled: () => cancelled,
      transfer: (...buffers) => transfer.push(...buffers),
      activate: (c) => (classifier = c),
    };
    const handler: Handler<K> = handlers[type];
    const reply = await handler(request, context);
    if (transfer.length > 0) transfers.set(reply, transfer);
    return reply;
  }
  return {
    store,
    progress,
    transfers,
    call,
    setModel: (c: Classifier | null) => (classifier = c),
    cancel: (v: boolean) => (cancelled = v),
  };
}

/** An exported-style ZIP of a model, whose metadata names `labels`. */
async function zipOf(model: tfTypes.LayersModel, labels: string[]): Promise<ArrayBuffer> {
  let artifacts: tfTypes.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((saved) => {
      artifacts = saved;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  const zip = packModel({
    artifacts: artifacts!,
    metadata: { name: 'Five colours', labels, inputRange: [-1, 1] },
  });
  return zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
}

function pixelsOf(data: ReturnType<typeof colourSet>) {
  return data.examples.map(({ id }) => {
    const p = data.photos.get(id)!;
    return { id, pixels: p.pixels.slice().buffer, width: p.width, height: p.height };
  });
}

describe('the Teach worker session', () => {
  let classifier: Classifier;
  const data = colourSet(12, 16, 3);
  const classNames = ['warm', 'cool'];
  beforeAll(() => {
    classifier = createClassifier(tinyInceptionLike(), ENTRY, {
      labels: ['a', 'b', 'c', 'd', 'e'],
      offset: 0,
      source: 'list',
    });
  });
  afterAll(() => classifier.dispose());

  it('needs a loaded model to plan or train on', async () => {
    const s = session();
    await expect(
      s.call('train-plan', {
        settings: defaultSettings(),
        examples: [],
        numClasses: 2,
        measure: false,
      }),
    ).rejects.toThrow('No model is loaded: load one to train on top of it.');
  });

  it('trains, saves, lists, exports, imports, renames and deletes — predictions survive the trip', async () => {
    const s = session();
    s.setModel(classifier);
    const start = tf.memory().numTensors;

    const added = await s.call('train-add', { examples: pixelsOf(data) });
    expect(added.stored).toBe(24);
    await expect(
      s.call('train-add', {
        examples: [{ id: 'bad', pixels: new ArrayBuffer(10), width: 16, height: 16 }],
      }),
    ).rejects.toThrow('photo bad: expected 16×16 RGBA pixels, got 10 bytes');

    const plan = await s.call('train-plan', {
      settings: defaultSettings('fine-tune'),
      examples: data.examples,
      numClasses: 2,
      measure: true,
    });
    expect(plan.plan).toMatchObject({
      featureLayer: 'avg_pool',
      featureSize: 8,
      inputSize: 16,
      blocks: ['mixed2', 'mixed1', 'mixed0'],
      frozenUpTo: 'mixed1',
    });
    expect(plan.plan.estimate?.stepMs).toBeGreaterThan(0);

    const settings = {
      ...defaultSettings('head'),
      epochs: 30,
      learningRate: 0.05,
      validationSplit: 0.25,
    };
    const result = await s.call('train-start', { settings, examples: data.examples, classNames });
    expect(result.report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(s.progress.length).toBeGreaterThan(0);

    const saved = (await s.call('train-save', { name: '  Warm or cool ' })).model;
    expect(saved).toMatchObject({
      key: 'k1',
      entry: {
        name: 'Warm or cool',
        labels: { kind: 'list', labels: classNames },
        inputSize: 16,
        inputRange: [-1, 1],
        url: `${STORED_MODEL_PREFIX}k1`,
      },
    });
    await expect(s.call('train-save', { name: 'again' })).rejects.toThrow(/no newly trained model/);
    // the library sees it too, as a classifier with our class names
    const [record] = await s.store.list();
    expect(record?.entry).toMatchObject({
      labels: { kind: 'list', labels: classNames },
      name: 'Warm or cool',
    });
    expect(record?.source).toEqual({
      kind: 'trained',
      detail: expect.stringMatching(/^trained in Teach \(/) as unknown,
    });

    const exported = await s.call('library-export', { key: saved.key });
    expect(exported.fileName).toBe('warm-or-cool.tfjs.zip');
    expect(s.transfers.get(exported)).toEqual([exported.bytes]); // moved, not copied
    const imported = (
      await s.call('library-import-package', { bytes: exported.bytes, fileName: exported.fileName })
    ).model;
    expect(imported.entry).toMatchObject({
      name: 'Warm or cool',
      labels: { kind: 'list', labels: classNames },
      inputSize: 16,
    });
    expect(imported.key).not.toBe(saved.key);

    // Both stored models give identical predictions for new photos.
    const predictions = async (info: StoredModel) => {
      const artifacts = s.store.artifacts.get(info.key)!;
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const fresh = colourSet(3, 16, 77);
      const c = createClassifier(
        model,
        { ...ENTRY, labels: { kind: 'list', labels: classNames } },
        {
          labels: classNames,
          offset: 0,
          source: 'list',
        },
      );
      const out = [];
      for (const { id } of fresh.examples) {
        const p = fresh.photos.get(id)!;
        out.push(await c.classify(p.pixels, 16, 16, 2));
      }
      c.dispose();
      return out;
    };
    const a = await predictions(saved);
    expect(a.map((p) => p[0]!.label)).toEqual(['warm', 'cool', 'warm', 'cool', 'warm', 'cool']);
    expect(await predictions(imported)).toEqual(a);

    const importedKey = imported.key;
    const weightsBefore = s.store.artifacts.get(importedKey);
    expect(weightsBefore).toBeDefined();
    const renamed = (await s.call('library-rename', { key: imported.key, name: 'Copy' })).model;
    expect(renamed.entry.name).toBe('Copy');
    // a rename rewrites the record only: the stored weights are the very same object
    expect(s.store.artifacts.get(importedKey)).toBe(weightsBefore);
    expect(renamed.entry.url).toBe(imported.entry.url);
    expect(await predictions(renamed)).toEqual(a);
    const listed = (await s.call('library-list', {})).models;
    expect(listed.map((m) => m.entry.name).sort()).toEqual(['Copy', 'Warm or cool']);
    // a model that is gone is named by a code, not only in English
    await expect(s.call('library-rename', { key: 'gone', name: 'x' })).rejects.toMatchObject({
      code: 'model-deleted',
    });
    for (const m of listed) await s.call('library-delete', { key: m.key });
    expect((await s.call('library-list', {})).models).toEqual([]);

    await s.call('train-remove', { ids: 'all' });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('says when photos went missing, and stops when cancelled', async () => {
    const s = session();
    s.setModel(classifier);
    await s.call('train-add', { examples: pixelsOf(data) });
    const removed = await s.call('train-remove', { ids: [data.examples[0]!.id] });
    expect(removed.stored).toBe(23);
    const start = () =>
      s.call('train-start', {
        settings: { ...defaultSettings(), epochs: 3 },
        examples: data.examples,
        classNames,
      });
    await expect(start()).rejects.toThrow(
      '1 of the photos are no longer in the worker (it was restarted): remove them and add them again.',
    );
    await s.call('train-add', { examples: pixelsOf(data).slice(0, 1) });
    const before = tf.memory().numTensors;
    s.cancel(true);
    // a cancelled run throws; the service then answers 'cancelled' for it
    await expect(start()).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
    s.cancel(false);
    await expect(s.call('train-save', { name: 'x' })).rejects.toThrow(/no newly trained model/);
  });

  it('refuses an import that is not a classifier for its class names', async () => {
    const s = session();
    await expect(
      s.call('library-import-package', { bytes: new ArrayBuffer(30), fileName: 'a.zip' }),
    ).rejects.toThrow('not a ZIP file');

    // a well-formed export of a five-class model: it imports with five class names …
    const model = tinyInceptionLike(16, 5);
    const five = ['red', 'orange', 'yellow', 'green', 'blue'];
    const good = await zipOf(model, five);
    const wrong = await zipOf(model, ['warm', 'cool']);
    model.dispose();
    const start = tf.memory().numTensors;
    const imported = await s.call('library-import-package', {
      bytes: good,
      fileName: 'five.tfjs.zip',
    });
    expect(imported.model.entry.labels).toEqual({ kind: 'list', labels: five });
    // … but not when its metadata names two
    await expect(
      s.call('library-import-package', { bytes: wrong, fileName: 'two.tfjs.zip' }),
    ).rejects.toThrow('the model has 5 outputs but the file names 2 classes');
    expect((await s.store.list()).map((r) => r.entry.labels)).toEqual([
      { kind: 'list', labels: five },
    ]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it("a 'caffe' base (ResNet50, VGG16) trains on BGR mean-subtracted pixels, and its model keeps that", async () => {
    const s = session();
    const caffe = createClassifier(
      tinyInceptionLike(),
      { ...ENTRY, id: 'tiny-caffe', inputRange: [0, 255], preprocess: 'caffe' },
      { labels: ['a', 'b', 'c', 'd', 'e'], offset: 0, source: 'list' },
    );
    try {
      s.setModel(caffe);
      await s.call('train-add', { examples: pixelsOf(data) });
      const settings = { ...defaultSettings('head'), epochs: 20, learningRate: 0.05 };
      const { report } = await s.call('train-start', {
        settings,
        examples: data.examples,
        classNames,
      });
      expect(report.accuracy).toBeGreaterThanOrEqual(0.75);
      // the preview (the worker's own input path) answers as the model does on Keras' caffe input
      const photo = data.photos.get(data.examples[0]!.id)!;
      const preview = await s.call('train-preview', {
        pixels: photo.pixels.slice().buffer,
        width: 16,
        height: 16,
      });
      const saved = (await s.call('train-save', { name: 'Caffe colours' })).model;
      expect(saved.entry).toMatchObject({ preprocess: 'caffe', inputRange: [0, 255] });
      const artifacts = s.store.artifacts.get('k1')!;
      expect(artifacts.userDefinedMetadata).toMatchObject({ preprocess: 'caffe' });
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const rgb = Float32Array.from(
        { length: 16 * 16 * 3 },
        (_, i) => photo.pixels[Math.floor(i / 3) * 4 + (i % 3)]!,
      );
      const x = tf.tensor4d(preprocessInput('caffe', rgb), [1, 16, 16, 3]);
      const y = reloaded.predict(x) as tfTypes.Tensor;
      Array.from(y.dataSync()).forEach((p, i) =>
        expect(p).toBeCloseTo(preview.probabilities[i]!, 5),
      );
      [x, y].forEach((t) => t.dispose());
      reloaded.dispose();
      // exported and imported again, it still knows its preprocessing
      const exported = await s.call('library-export', { key: 'k1' });
      const imported = await s.call('library-import-package', {
        bytes: exported.bytes,
        fileName: exported.fileName,
      });
      expect(imported.model.entry.preprocess).toBe('caffe');
    } finally {
      caffe.dispose();
    }
  });

  it('makes safe file names', () => {
    expect(exportFileName('Chats & chiens — été!')).toBe('chats-chiens-ete.tfjs.zip');
    expect(exportFileName('***')).toBe('custom-model.tfjs.zip');
  });
});
