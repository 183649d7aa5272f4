import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import { loadNsfwjsInception } from '../../test/nsfwjs-inception';
import { sharedPath, skipWithoutShared } from '../../test/shared-fixtures';
import { loadMobilenet } from '../../test/shared-mobilenet';
import { useWasmBackend } from '../../test/tf-node';
import { createClassifier } from '../classify/classifier';
import type { ReplyMessage, WorkerRequest, WorkerResponse } from '../protocol';
import { InferenceService } from '../seam/service';
import { defaultFeatureMapLayer, featureMaps, rankChannels } from './feature-maps';
import { inspectHandlers } from './handlers';
import { attachHead, cloneModel } from '../train/model';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const SIZE = 16;
const CHANNELS = 6;

/**
 * A 1×1 convolution whose channel k is `(k + 1) × red` for even k and `(k + 1) × green` for odd
 * k (ReLU'd), then an 8×8 stage and a 2-class head. On a half-red, half-green photo every
 * channel's mean is known, so the ranking is too: 5, 4, 3, 2, 1, 0 by mean.
 */
function knownModel(): tfTypes.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  const maps = tf.layers
    .conv2d({ filters: CHANNELS, kernelSize: 1, activation: 'relu', name: 'maps' })
    .apply(input) as tfTypes.SymbolicTensor;
  const small = tf.layers
    .maxPooling2d({ poolSize: 2, name: 'small' })
    .apply(maps) as tfTypes.SymbolicTensor;
  const pooled = tf.layers
    .globalAveragePooling2d({ name: 'pool' })
    .apply(small) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', name: 'classes' })
    .apply(pooled) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'known' });
  tf.tidy(() => {
    const kernel = new Float32Array(3 * CHANNELS);
    for (let k = 0; k < CHANNELS; k++) kernel[(k % 2) * CHANNELS + k] = k + 1; // red or green row
    model
      .getLayer('maps')
      .setWeights([tf.tensor4d(kernel, [1, 1, 3, CHANNELS]), tf.zeros([CHANNELS])]);
  });
  return model;
}

/** RGBA: red on the left half, green on the right half. */
function halves(): ArrayBuffer {
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      rgba.set(x < SIZE / 2 ? [255, 0, 0, 255] : [0, 255, 0, 255], (y * SIZE + x) * 4);
    }
  }
  return rgba.buffer;
}

const ENTRY: ModelEntry = {
  id: 'known',
  name: 'Known net',
  url: 'https://example.test/known/model.json',
  inputSize: null,
  inputRange: [0, 1],
  labels: { kind: 'list', labels: ['a', 'b'] },
  labelOffset: 0,
};

describe('feature maps', () => {
  test('rankChannels: highest mean first, ties by channel index', () => {
    expect(rankChannels([0.1, 3, -2, 3, 0])).toEqual([1, 3, 0, 4, 2]);
    expect(rankChannels([])).toEqual([]);
  });

  test('channels come ranked by mean activation; each tile shows where its colour is', async () => {
    const model = knownModel();
    const input = tf.tensor4d(
      Float32Array.from(
        new Uint8Array(halves()).filter((_, i) => i % 4 !== 3),
        (v) => v / 255,
      ),
      [1, SIZE, SIZE, 3],
    );
    const before = tf.memory().numTensors;
    const maps = await featureMaps(model, input, 'maps', { count: 4 });
    expect(tf.memory().numTensors).toBe(before); // every intermediate tensor disposed
    expect(maps.channels).toEqual([5, 4, 3, 2]);
    // channel k lights up on half the photo with value k + 1: mean (k + 1) / 2
    expect(maps.means).toEqual([3, 2.5, 2, 1.5]);
    expect(maps.maxes).toEqual([6, 5, 4, 3]);
    expect(maps.mins).toEqual([0, 0, 0, 0]);
    expect(maps.shape).toEqual([SIZE, SIZE, CHANNELS]);
    expect([maps.tileWidth, maps.tileHeight]).toEqual([SIZE, SIZE]);
    const atlas = new Uint8Array(maps.atlas);
    expect(atlas.length).toBe(4 * SIZE * SIZE);
    const at = (tile: number, x: number, y: number) => atlas[tile * SIZE * SIZE + y * SIZE + x];
    // channel 5 (odd: green) is bright on the right, dark on the left; channel 4 the other way
    expect([at(0, 0, 3), at(0, SIZE - 1, 3)]).toEqual([0, 255]);
    expect([at(1, 0, 3), at(1, SIZE - 1, 3)]).toEqual([255, 0]);
    input.dispose();
    model.dispose();
  });

  test("a model trained in Teach (a copy of the base with a new head) shows its base's maps", async () => {
    const base = knownModel();
    const trained = attachHead(await cloneModel(base, 'pool'), 3, 'custom_classifier', 1);
    const input = tf.tensor4d(
      Float32Array.from(
        new Uint8Array(halves()).filter((_, i) => i % 4 !== 3),
        (v) => v / 255,
      ),
      [1, SIZE, SIZE, 3],
    );
    try {
      expect(defaultFeatureMapLayer(trained)).toBe('maps');
      const ours = await featureMaps(trained, input, 'small');
      const theirs = await featureMaps(base, input, 'small');
      expect(ours.channels).toEqual([5, 4, 3, 2, 1, 0]);
      expect(ours.means).toEqual(theirs.means);
      expect(new Uint8Array(ours.atlas)).toEqual(new Uint8Array(theirs.atlas));
    } finally {
      input.dispose();
      trained.dispose();
      base.dispose();
    }
  });

  test('large layers are scaled down to the tile limit; unknown or flat layers are refused', async () => {
    const model = knownModel();
    const input = tf.zeros<tfTypes.Rank.R4>([1, SIZE, SIZE, 3]);
    const before = tf.memory().numTensors;
    const maps = await featureMaps(model, input, 'maps', { maxTile: 4 });
    expect([maps.tileWidth, maps.tileHeight]).toEqual([4, 4]);
    expect(maps.channels).toHaveLength(CHANNELS); // default count capped by the layer's channels
    // all-zero activations: flat tiles stay black
    expect(new Uint8Array(maps.atlas).every((v) => v === 0)).toBe(true);
    await expect(featureMaps(model, input, 'pool')).rejects.toThrow('no spatial (4-D) output');
    await expect(featureMaps(model, input, 'nope')).rejects.toThrow("no layer named 'nope'");
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
  });

  test('the default layer: the deepest at least 14 positions across', () => {
    const model = knownModel(); // maps 16×16, small 8×8
    expect(defaultFeatureMapLayer(model)).toBe('maps');
    model.dispose();
  });

  test('the default layer on real models: mixed7 in InceptionV3, conv_pw_11_relu in MobileNet', async () => {
    const inception = await loadNsfwjsInception();
    try {
      expect(defaultFeatureMapLayer(inception)).toBe('mixed7');
    } finally {
      inception.dispose();
    }
    const mobilenetJson = sharedPath('models/mobilenet_v1_0.75_224/model.json');
    if (skipWithoutShared([mobilenetJson], "MobileNet's default feature-map layer")) return;
    const mobilenet = await loadMobilenet();
    try {
      // not conv_pad_12 (15×15, only a zero border around conv_pw_11_relu)
      expect(defaultFeatureMapLayer(mobilenet)).toBe('conv_pw_11_relu');
    } finally {
      mobilenet.dispose();
    }
  }, 120_000);

  test('through the InferenceService: the default layer, a chosen layer, no tensors left', async () => {
    const posted: WorkerResponse[] = [];
    const service = new InferenceService({
      handlers: inspectHandlers,
      post: (m) => posted.push(m),
      selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [] }),
      loadClassifier: () =>
        Promise.resolve(
          createClassifier(knownModel(), ENTRY, {
            labels: ['a', 'b'],
            offset: 0,
            source: 'list',
          }),
        ),
      now: () => performance.now(),
    });
    const ask = async (request: WorkerRequest): Promise<WorkerResponse> => {
      service.handle(request);
      for (let i = 0; i < 500; i++) {
        const answer = posted.find((m) => m.id === request.id && m.type !== 'progress');
        if (answer) return answer;
        await new Promise((r) => setTimeout(r, 0));
      }
      throw new Error(`no answer to ${request.type}`);
    };
    expect((await ask({ type: 'load', id: 1, model: ENTRY, backend: 'wasm' })).type).toBe('reply');
    const before = tf.memory().numTensors;
    const first = (await ask({
      type: 'inspect-feature-maps',
      id: 2,
      pixels: halves(),
      width: SIZE,
      height: SIZE,
      count: 3,
    })) as ReplyMessage<'inspect-feature-maps'>;
    expect(first.type).toBe('reply');
    expect(first.result).toMatchObject({
      layer: 'maps',
      defaultLayer: 'maps',
      channels: [5, 4, 3],
      layers: [
        { name: 'maps', shape: [SIZE, SIZE, CHANNELS] },
        { name: 'small', shape: [8, 8, CHANNELS] },
      ],
    });
    const second = (await ask({
      type: 'inspect-feature-maps',
      id: 3,
      pixels: halves(),
      width: SIZE,
      height: SIZE,
      layer: 'small',
    })) as ReplyMessage<'inspect-feature-maps'>;
    expect(second.result).toMatchObject({ layer: 'small', tileWidth: 8, tileHeight: 8 });
    expect(second.result.channels).toEqual([5, 4, 3, 2, 1, 0]);
    const bad = await ask({
      type: 'inspect-feature-maps',
      id: 4,
      pixels: halves(),
      width: SIZE + 1,
      height: SIZE,
    });
    expect(bad).toMatchObject({ type: 'error' });
    expect(tf.memory().numTensors).toBe(before);
  });
  test("a 'caffe' entry (ResNet50, VGG16) gets Keras' BGR mean-subtracted pixels", async () => {
    const posted: WorkerResponse[] = [];
    const caffe: ModelEntry = { ...ENTRY, inputRange: [0, 255], preprocess: 'caffe' };
    const service = new InferenceService({
      handlers: inspectHandlers,
      post: (m) => posted.push(m),
      selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [] }),
      loadClassifier: () =>
        Promise.resolve(
          createClassifier(knownModel(), caffe, { labels: ['a', 'b'], offset: 0, source: 'list' }),
        ),
      now: () => performance.now(),
    });
    const ask = async (request: WorkerRequest): Promise<WorkerResponse> => {
      service.handle(request);
      for (let i = 0; i < 500; i++) {
        const answer = posted.find((m) => m.id === request.id && m.type !== 'progress');
        if (answer) return answer;
        await new Promise((r) => setTimeout(r, 0));
      }
      throw new Error(`no answer to ${request.type}`);
    };
    expect((await ask({ type: 'load', id: 1, model: caffe, backend: 'wasm' })).type).toBe('reply');
    const reply = (await ask({
      type: 'inspect-feature-maps',
      id: 2,
      pixels: halves(),
      width: SIZE,
      height: SIZE,
      layer: 'maps',
    })) as ReplyMessage<'inspect-feature-maps'>;
    // Input channel 0 is now blue − 103.939 (negative everywhere: even channels are ReLU'd to 0),
    // channel 1 green − 116.779 (positive on the green half): 5, 3, 1, then the zeros by index.
    expect(reply.result.channels).toEqual([5, 3, 1, 0, 2, 4]);
    expect(reply.result.means[0]).toBeCloseTo((6 * (255 - 116.779)) / 2, 2);
  });
});
