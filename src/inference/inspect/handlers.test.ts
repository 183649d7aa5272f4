import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import { useWasmBackend } from '../../test/tf-node';
import { createClassifier } from '../classify/classifier';
import { inspectHandlers } from './handlers';
import type { ReplyMessage, WorkerRequest, WorkerResponse } from '../protocol';
import { InferenceService } from '../seam/service';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const SIZE = 8;
const ENTRY: ModelEntry = {
  id: 'colours',
  name: 'Colour net',
  url: 'https://example.test/colours/model.json',
  inputSize: null,
  inputRange: [0, 1],
  labels: { kind: 'list', labels: ['red', 'green'] },
  labelOffset: 0,
};

/** Red detector and green detector, averaged, one class each (see grad-cam.test.ts). */
function colourModel(): tfTypes.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  const features = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'features' })
    .apply(input) as tfTypes.SymbolicTensor;
  const pooled = tf.layers
    .globalAveragePooling2d({ name: 'pool' })
    .apply(features) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', name: 'classes' })
    .apply(pooled) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'colours' });
  tf.tidy(() => {
    model
      .getLayer('features')
      .setWeights([tf.tensor4d([1, -1, -1, 1, 0, 0], [1, 1, 3, 2]), tf.zeros([2])]);
    model.getLayer('classes').setWeights([tf.tensor2d([1, 0, 0, 1], [2, 2]), tf.zeros([2])]);
  });
  return model;
}

/** RGBA bytes: red in the bottom-left quadrant, green elsewhere. */
function pixels(size = SIZE): ArrayBuffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const red = y >= size / 2 && x < size / 2;
      rgba.set(red ? [255, 0, 0, 255] : [0, 255, 0, 255], (y * size + x) * 4);
    }
  }
  return rgba.buffer;
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(withModel = true, onPost?: (m: WorkerResponse) => void) {
  const posted: WorkerResponse[] = [];
  const service: InferenceService = new InferenceService({
    handlers: inspectHandlers,
    post: (m) => {
      posted.push(m);
      onPost?.(m);
    },
    selectBackend: () => Promise.resolve({ backend: 'wasm', reports: [] }),
    loadClassifier: () =>
      Promise.resolve(
        createClassifier(colourModel(), ENTRY, {
          labels: ['red', 'green'],
          offset: 0,
          source: 'list',
        }),
      ),
    now: () => performance.now(),
  });
  const final = (id: number) => posted.find((m) => m.id === id && m.type !== 'progress');
  const ask = async (request: WorkerRequest): Promise<WorkerResponse> => {
    service.handle(request);
    await until(() => final(request.id) !== undefined, `an answer to ${request.type}`);
    return final(request.id) as WorkerResponse;
  };
  const ready = withModel
    ? ask({ type: 'load', id: 1, model: ENTRY, backend: 'wasm' })
    : Promise.resolve(null);
  return { service, posted, ask, ready };
}

type Of<K extends 'inspect-summary' | 'inspect-weights' | 'grad-cam'> = ReplyMessage<K>;

describe('inspect handlers in the InferenceService', () => {
  test('summary, weights and Grad-CAM of the active model', async () => {
    const { ask, posted, ready } = setup();
    expect((await ready)?.type).toBe('reply');
    const before = tf.memory().numTensors;

    const summary = (await ask({ type: 'inspect-summary', id: 2 })) as Of<'inspect-summary'>;
    expect(summary.type).toBe('reply');
    expect(summary.summary.rows.map((r) => r.name)).toEqual([
      'image',
      'features',
      'pool',
      'classes',
    ]);
    expect(summary.summary.totals).toEqual({ total: 14, trainable: 14, nonTrainable: 0 });

    const weights = (await ask({
      type: 'inspect-weights',
      id: 3,
      layer: 'features',
    })) as Of<'inspect-weights'>;
    expect(weights.weights.weights[0]).toMatchObject({ shape: [1, 1, 3, 2], min: -1, max: 1 });
    expect(weights.weights.filters?.count).toBe(2);

    const cam = (await ask({
      type: 'grad-cam',
      id: 4,
      pixels: pixels(),
      width: SIZE,
      height: SIZE,
      classIndex: 0,
    })) as Of<'grad-cam'>;
    expect(cam.type).toBe('reply');
    const { result } = cam;
    expect(result).toMatchObject({
      layer: 'features',
      defaultLayer: 'features',
      classIndex: 0,
      width: SIZE,
      height: SIZE,
      blocks: [],
      layers: [{ name: 'features', shape: [SIZE, SIZE, 2] }],
    });
    // Hot where the red is (bottom-left), cold elsewhere.
    const at = (x: number, y: number) => result.grid[y * SIZE + x];
    expect(at(1, 6)).toBe(1);
    expect(at(6, 1)).toBe(0);
    expect(result.probability).toBeGreaterThan(0);
    expect(result.probability).toBeLessThan(1);
    expect(posted.filter((m) => m.id === 4).map((m) => m.type)).toEqual([
      'progress',
      'progress',
      'reply',
    ]);
    // A bigger photo is resized to the model's input first.
    const big = (await ask({
      type: 'grad-cam',
      id: 5,
      pixels: pixels(32),
      width: 32,
      height: 32,
      classIndex: 0,
      layer: 'features',
    })) as Of<'grad-cam'>;
    expect([big.result.width, big.result.height]).toEqual([SIZE, SIZE]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('bad requests get an error that names the problem', async () => {
    const { ask, ready } = setup();
    await ready;
    const error = async (request: WorkerRequest) => {
      const answer = await ask(request);
      expect(answer.type).toBe('error');
      return (answer as { message: string }).message;
    };
    expect(await error({ type: 'inspect-weights', id: 2, layer: 'nope' })).toContain(
      "no layer named 'nope'",
    );
    const cam = { type: 'grad-cam', pixels: pixels(), width: SIZE, height: SIZE } as const;
    expect(await error({ ...cam, id: 3, classIndex: 5 })).toContain('outside the model');
    expect(await error({ ...cam, id: 4, classIndex: 0, layer: 'pool' })).toContain('4-D');
    expect(await error({ ...cam, id: 5, classIndex: 0, width: 9 })).toContain(
      'expected 9×8 RGBA pixels',
    );
    const maps = {
      type: 'inspect-feature-maps',
      pixels: pixels(),
      width: 9,
      height: SIZE,
    } as const;
    expect(await error({ ...maps, id: 6 })).toContain('expected 9×8 RGBA pixels');
  });

  test('without a model: a clear error', async () => {
    const { ask } = setup(false);
    const answer = await ask({ type: 'inspect-summary', id: 9 });
    expect(answer).toEqual({
      type: 'error',
      id: 9,
      message: 'no model is loaded',
      code: 'no-model',
    });
  });

  test('a Grad-CAM cancelled while it runs answers cancelled and leaves no tensors', async () => {
    let cancel = (): void => {};
    const { service, ask, ready, posted } = setup(true, (m) => {
      if (m.type === 'progress' && 'stage' in m && m.stage === 'forward') cancel();
    });
    cancel = () => service.handle({ type: 'cancel', id: 8, target: 7 });
    await ready;
    const before = tf.memory().numTensors;
    service.handle({
      type: 'grad-cam',
      id: 7,
      pixels: pixels(),
      width: SIZE,
      height: SIZE,
      classIndex: 1,
    });
    await until(() => posted.some((m) => m.id === 7 && m.type === 'cancelled'), 'cancelled');
    expect(posted.filter((m) => m.id === 7).map((m) => m.type)).toEqual(['progress', 'cancelled']);
    expect(tf.memory().numTensors).toBe(before);
    // The service still answers afterwards.
    expect((await ask({ type: 'inspect-summary', id: 10 })).type).toBe('reply');
  });
});
