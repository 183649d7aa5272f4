import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelEntry } from '../../../models/registry';
import { retention } from '../../../test/retained';
import { useWasmBackend } from '../../../test/tf-node';
import { createClassifier, type Classifier } from '../../classify/classifier';
import { memoryModelStore } from '../../library/store';
import type { ReplyOf, RequestOf, TrainRequests } from '../../protocol';
import type { Handler, HandlerContext } from '../../seam/handlers';
import { defaultSettings } from '../protocol';
import { createTrainHandlers } from '../session';
import { colourSet, tinyInceptionLike } from '../test-kit';
import { memoryFeatureStore } from './feature-store';
import { featureKey, variantsFor, type DatasetPixels, type DatasetTrainItem } from './protocol';

beforeAll(async () => {
  await useWasmBackend();
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
const PLAIN = { flip: false, crop: false, brightness: false };

/** A Teach session over a feature store that survives "reloads" (new sessions on the same store). */
function session(features: ReturnType<typeof memoryFeatureStore>, classifier: Classifier) {
  const handlers = createTrainHandlers(() => ({
    store: memoryModelStore(),
    now: () => performance.now(),
    pause: () => Promise.resolve(),
    date: () => new Date(0),
    newKey: () => 'k',
    features,
  }));
  const progress: unknown[] = [];
  return {
    progress,
    call<K extends keyof TrainRequests>(type: K, request: RequestOf<K>): Promise<ReplyOf<K>> {
      const context: HandlerContext<K> = {
        classifier,
        backend: 'wasm',
        progress: (p) => progress.push(p),
        isCancelled: () => false,
        transfer: () => undefined,
        activate: () => undefined,
      };
      const handler = handlers[type] as Handler<K>;
      return handler(request, context);
    },
  };
}

describe('dataset features and training', () => {
  let classifier: Classifier;
  const data = colourSet(8, 16, 5);
  // Hash = the photo's id (content hashing is the page's job); one duplicate photo under two ids.
  const pixels = (): DatasetPixels[] =>
    data.examples.map(({ id }) => {
      const p = data.photos.get(id)!;
      return { id, hash: `h-${id}`, pixels: p.pixels.slice().buffer, width: 16, height: 16 };
    });
  const items: DatasetTrainItem[] = data.examples.map(({ id, label }) => ({
    id,
    hash: `h-${id}`,
    label,
    split: Number(id.split('-')[2]) < 2 ? 'validation' : 'train',
  }));
  beforeAll(() => {
    classifier = createClassifier(tinyInceptionLike(), ENTRY, {
      labels: ['a', 'b', 'c', 'd', 'e'],
      offset: 0,
      source: 'list',
    });
  });
  afterAll(() => classifier.dispose());

  it('keys features by content, base, resize and augmented variant, not head settings', () => {
    const a = featureKey('abc', 'base1', 'squash', 0, PLAIN);
    expect(a).toBe(featureKey('abc', 'base1', 'squash', 0, { ...PLAIN, flip: true }));
    expect(a).not.toBe(featureKey('abd', 'base1', 'squash', 0, PLAIN));
    expect(a).not.toBe(featureKey('abc', 'base2', 'squash', 0, PLAIN));
    const flip = { ...PLAIN, flip: true };
    expect(featureKey('abc', 'b', 'squash', 1, flip)).not.toBe(
      featureKey('abc', 'b', 'squash', 2, flip),
    );
    expect(featureKey('abc', 'b', 'squash', 1, flip)).not.toBe(
      featureKey('abc', 'b', 'squash', 1, { ...flip, crop: true }),
    );
    expect(variantsFor(PLAIN)).toEqual([0]);
    expect(variantsFor(flip)).toEqual([0, 1, 2]);
  });

  it('computes features once, reuses them in a new session, and trains on them alone', async () => {
    const store = memoryFeatureStore();
    const first = session(store, classifier);
    const variant = { resize: 'squash' as const, augment: PLAIN };
    const lookup = await first.call('dataset-features', { items, pixels: [], variant });
    expect(lookup).toEqual({ reused: 0, computed: 0, missing: items.map((i) => i.id) });
    const made = await first.call('dataset-features', { items: [], pixels: pixels(), variant });
    expect(made).toEqual({ reused: 0, computed: 16, missing: [] });
    expect(store.map.size).toBe(16);
    // The vectors are the base's avg_pool output (4 + 4 channels in the tiny model).
    expect([...store.map.values()][0]).toHaveLength(8);

    // "Reload": a new session on the same store finds every photo without pixels.
    const second = session(store, classifier);
    const again = await second.call('dataset-features', { items, pixels: [], variant });
    expect(again).toEqual({ reused: 16, computed: 0, missing: [] });

    const settings = { ...defaultSettings('head'), epochs: 15, augment: PLAIN, learningRate: 0.05 };
    const { report } = await second.call('dataset-train', {
      settings,
      resize: 'squash',
      items,
      classNames: ['warm', 'cool'],
    });
    // The dataset's own split is used as given: 2 of 8 per class for validation.
    expect(report.valCount).toBe(4);
    expect(report.trainCount).toBe(12);
    expect(report.evaluatedOn).toBe('validation');
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(report.predictions.every((p) => p.id.startsWith('warm') === (p.label === 0))).toBe(true);
    for (const p of report.predictions) {
      if (p.predicted !== p.label) expect(p.scores).toHaveLength(2);
      else expect(p.scores).toBeUndefined();
    }
    // The trained model answers the preview; the feature store is untouched by training.
    const one = data.photos.get(data.examples[0]!.id)!;
    const preview = await second.call('train-preview', {
      pixels: one.pixels.slice().buffer,
      width: 16,
      height: 16,
    });
    expect(preview.classNames).toEqual(['warm', 'cool']);
    expect(preview.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(store.map.size).toBe(16);
    // Training read the 16 vectors from the store: the lookups before it read none.
    expect(store.vectorsRead).toBe(16);
  });

  it('an import leaves nothing per photo in the worker: no pixels, no feature vectors', async () => {
    const store = memoryFeatureStore();
    const watched = retention();
    // Every vector handed to the store is watched; the store keeps copies, as IndexedDB does.
    const putMany = store.putMany.bind(store);
    store.putMany = (entries) => {
      for (const [key, vector] of entries) watched.watch(`vector ${key}`, vector);
      return putMany(entries);
    };
    const s = session(store, classifier);
    const variant = { resize: 'squash' as const, augment: { ...PLAIN, flip: true } };
    // Sent in chunks as the page does; each chunk's pixel buffers watched.
    const sent = async (chunk: DatasetPixels[]): Promise<void> => {
      for (const p of chunk) watched.watch(`pixels ${p.id}`, p.pixels);
      const reply = await s.call('dataset-features', { items: [], pixels: chunk, variant });
      expect(reply.computed).toBe(chunk.length);
    };
    await sent(pixels().slice(0, 8));
    await sent(pixels().slice(8));
    expect(store.map.size).toBe(16 * 3);
    // A second import of the same photos: every one found by key, no vector read.
    const again = await s.call('dataset-features', { items, pixels: [], variant });
    expect(again).toEqual({ reused: 16, computed: 0, missing: [] });
    expect(store.vectorsRead).toBe(0);
    // 16 pixel buffers and 48 vectors went through the worker; none is still held by it.
    expect(await watched.survivors()).toEqual([]);

    // Training reads its vectors from the store; the trained model (kept for Save) holds none.
    const getMany = store.getMany.bind(store);
    store.getMany = async (keys) => {
      const found = await getMany(keys);
      found.forEach((v, i) => v && watched.watch(`read ${keys[i] ?? ''}`, v));
      return found;
    };
    const settings = { ...defaultSettings('head'), epochs: 2, augment: variant.augment };
    const { report } = await s.call('dataset-train', {
      settings,
      resize: 'squash',
      items,
      classNames: ['warm', 'cool'],
    });
    expect(report.trainCount + report.valCount).toBe(16);
    expect(store.vectorsRead).toBe(48);
    expect(await watched.survivors()).toEqual([]);
  });

  it('says when features are missing, and refuses fine-tuning on a dataset', async () => {
    const s = session(memoryFeatureStore(), classifier);
    const settings = { ...defaultSettings('head'), augment: PLAIN };
    await expect(
      s.call('dataset-train', { settings, resize: 'squash', items, classNames: ['warm', 'cool'] }),
    ).rejects.toThrow(/16 photos have no features/);
    await expect(
      s.call('dataset-train', {
        settings: { ...settings, strategy: 'fine-tune' },
        resize: 'squash',
        items,
        classNames: ['warm', 'cool'],
      }),
    ).rejects.toThrow(/head only/);
  });

  it('caches augmented variants too, and a changed augmentation needs new features', async () => {
    const store = memoryFeatureStore();
    const s = session(store, classifier);
    const flip = { resize: 'squash' as const, augment: { ...PLAIN, flip: true } };
    const made = await s.call('dataset-features', {
      items: [],
      pixels: pixels().slice(0, 2),
      variant: flip,
    });
    expect(made.computed).toBe(2);
    expect(store.map.size).toBe(6);
    const crop = { resize: 'squash' as const, augment: { ...PLAIN, crop: true } };
    const lookup = await s.call('dataset-features', {
      items: items.slice(0, 2),
      pixels: [],
      variant: crop,
    });
    expect(lookup.missing).toHaveLength(2);
  });
});

/** A VGG-shaped model: blocks named as Keras' VGG16 names them, then Flatten, fc1, predictions. */
function tinyVggLike(
  tf: typeof import('@tensorflow/tfjs'),
): import('@tensorflow/tfjs').LayersModel {
  const input = tf.input({ shape: [16, 16, 3], name: 'input_1' });
  let x = input;
  let seed = 3;
  for (let b = 1; b <= 2; b++) {
    x = tf.layers
      .conv2d({
        filters: 3 + b,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
        name: `block${b}_conv1`,
      })
      .apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: 2, name: `block${b}_pool` })
      .apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
  x = tf.layers
    .dense({ units: 32, activation: 'relu', name: 'fc1' })
    .apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
  const out = tf.layers
    .dense({ units: 5, activation: 'softmax', name: 'predictions' })
    .apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'vgg_like' });
}

describe("a VGG-shaped base: features are its last block averaged (Keras' pooling='avg')", () => {
  it('stores the 5 channels of block2_pool averaged over space, under their own key, and trains on them', async () => {
    const tf = await import('@tensorflow/tfjs');
    const model = tinyVggLike(tf);
    const classifier = createClassifier(model, ENTRY, {
      labels: ['a', 'b', 'c', 'd', 'e'],
      offset: 0,
      source: 'list',
    });
    try {
      const data = colourSet(3, 16, 9);
      const store = memoryFeatureStore();
      const s = session(store, classifier);
      const variant = { resize: 'squash' as const, augment: PLAIN };
      const pixels = data.examples.map(({ id }) => ({
        id,
        hash: `h-${id}`,
        pixels: data.photos.get(id)!.pixels.slice().buffer,
        width: 16,
        height: 16,
      }));
      const made = await s.call('dataset-features', { items: [], pixels, variant });
      expect(made.computed).toBe(6);
      const [key, vector] = [...store.map.entries()][0]!;
      expect(key).toContain('|avg:block2_pool|');
      expect(vector).toHaveLength(5); // not fc1's 32
      // the same numbers as block2_pool's output averaged over its 4 × 4 positions
      const first = data.examples.find((e) => key.startsWith(`h-${e.id}|`))!;
      const p = data.photos.get(first.id)!;
      const want = tf.tidy(() => {
        const x = tf
          .tensor(Float32Array.from(p.pixels), [1, 16, 16, 4])
          .slice([0, 0, 0, 0], [1, 16, 16, 3])
          .div(127.5)
          .sub(1);
        const view = tf.model({
          inputs: model.inputs,
          outputs: model.getLayer('block2_pool').output,
        });
        return tf.mean(view.predict(x) as import('@tensorflow/tfjs').Tensor, [1, 2]).dataSync();
      });
      Array.from(want).forEach((v, i) => expect(vector[i]).toBeCloseTo(v, 5));

      const items = data.examples.map(({ id, label }) => ({
        id,
        hash: `h-${id}`,
        label,
        split: null,
      }));
      const settings = {
        ...defaultSettings('head'),
        epochs: 2,
        augment: PLAIN,
        validationSplit: 0,
      };
      const { report } = await s.call('dataset-train', {
        settings,
        resize: 'squash',
        items,
        classNames: ['warm', 'cool'],
      });
      expect(report.trainableParams).toBe(5 * 2 + 2);
      const plan = await s.call('train-plan', {
        settings,
        numClasses: 2,
        examples: [],
        measure: false,
      });
      expect(plan.plan).toMatchObject({
        featureLayer: 'block2_pool',
        featurePooled: true,
        featureSize: 5,
      });
    } finally {
      classifier.dispose();
    }
  });
});
