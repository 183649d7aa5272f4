import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../../test/tf-node';
import { countParams, type ParamCounts } from './common';
import { efficientNetB0 } from './efficientnet';
import { mobileNet } from './mobilenet';
import { mobileNetV2 } from './mobilenet-v2';
import { resNet50 } from './resnet50';
import { vgg16, VGG16_FC_UNITS } from './vgg16';
import { xception } from './xception';
import { ZOO, zooEntry, type ZooModelName } from './zoo';

beforeAll(async () => {
  await useWasmBackend();
});

/** Builds, runs `check`, and disposes at once, so at most one big model is alive at a time. */
function withModel(build: () => tf.LayersModel, check: (model: tf.LayersModel) => void): void {
  const model = build();
  try {
    check(model);
  } finally {
    model.dispose();
  }
}

/**
 * What Keras reports for the default arguments with the top. Counts: `model.summary()` of Keras'
 * own builders as published (sources per line; they agree with the zoo table, which cites the
 * same). Layer counts are `len(model.layers)` derived from Keras 3's source as noted.
 */
const KERAS: Record<
  Exclude<ZooModelName, 'vgg16'>,
  { params: ParamCounts; layers: number; first: string; last: string; output: number[] }
> = {
  // keras.io table (23,851,784) and InceptionV3().summary(); 311 layers to mixed10 + 2.
  inceptionv3: {
    params: { total: 23_851_784, trainable: 23_817_352, nonTrainable: 34_432 },
    layers: 313,
    first: 'input_1',
    last: 'predictions',
    output: [8, 8, 2048],
  },
  // MobileNet().summary() (4,253,864 / 4,231,976 / 21,888; also the old keras.io table).
  // Layers: input + 3 stem + 13 × 6 + 4 conv_pad + 5 top (pool, dropout, conv_preds, reshape_2,
  // predictions) = 91.
  mobilenet: {
    params: { total: 4_253_864, trainable: 4_231_976, nonTrainable: 21_888 },
    layers: 91,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 1024],
  },
  // Trainable counts: osmr/imgclsmob tables (MobileNet x0.75 2,585,560; x0.5 1,331,592;
  // x0.25 470,072); non-trainable: BN moving mean + variance, 2 per channel of the 27 BNs.
  'mobilenet-0.75': {
    params: { total: 2_601_976, trainable: 2_585_560, nonTrainable: 16_416 },
    layers: 91,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 768],
  },
  'mobilenet-0.5': {
    params: { total: 1_342_536, trainable: 1_331_592, nonTrainable: 10_944 },
    layers: 91,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 512],
  },
  'mobilenet-0.25': {
    params: { total: 475_544, trainable: 470_072, nonTrainable: 5_472 },
    layers: 91,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 256],
  },
  // MobileNetV2().summary() (3,538,984 / 3,504,872 / 34,112). Layers: TensorFlow's transfer
  // learning tutorial prints 154 for the base without the top; + pool + predictions = 156.
  mobilenetv2: {
    params: { total: 3_538_984, trainable: 3_504_872, nonTrainable: 34_112 },
    layers: 156,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 1280],
  },
  // ResNet50().summary() (25,636,712 / 25,583,592 / 53,120). Layers: input + 6 stem + 16 blocks
  // × 10 + 4 projection shortcuts × 2 + avg_pool + predictions = 177.
  resnet50: {
    params: { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 },
    layers: 177,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 2048],
  },
  // Xception().summary() (22,910,480 / 22,855,952 / 54,528). Layers: input + 6 (block1) + 9, 10,
  // 10 (blocks 2-4) + 8 × 10 (blocks 5-12) + 10 (block13) + 6 (block14) + 2 (top) = 134.
  xception: {
    params: { total: 22_910_480, trainable: 22_855_952, nonTrainable: 54_528 },
    layers: 134,
    first: 'input_1',
    last: 'predictions',
    output: [10, 10, 2048],
  },
  // EfficientNetB0().summary() (5,330,571 / 5,288,548 / 42,023, the Normalization's mean,
  // variance and count being 7 of the non-trainable). Layers (Keras 3, weights="imagenet"):
  // input, rescaling, normalization, rescaling (Keras 3 only), 4 stem + pad, 16 blocks, 3 top
  // conv, avg_pool, top_dropout, predictions = 241 (Keras 2.x without the second Rescaling: 240).
  efficientnetb0: {
    params: { total: 5_330_571, trainable: 5_288_548, nonTrainable: 42_023 },
    layers: 241,
    first: 'input_1',
    last: 'predictions',
    output: [7, 7, 1280],
  },
};

describe('every architecture with the default arguments and the top equals Keras', () => {
  for (const [name, expected] of Object.entries(KERAS)) {
    test(name, () => {
      const entry = zooEntry(name);
      withModel(entry.build, (model) => {
        expect(countParams(model)).toEqual(expected.params);
        expect(model.countParams()).toBe(expected.params.total);
        // The zoo table carries the same Keras numbers.
        expect(entry.params).toEqual(expected.params);
        expect(model.layers).toHaveLength(expected.layers);
        expect(model.layers[0]!.name).toBe(expected.first);
        expect(model.layers.at(-1)!.name).toBe(expected.last);
        expect(model.inputs[0]!.shape).toEqual([null, entry.inputSize, entry.inputSize, 3]);
        expect(model.outputs[0]!.shape).toEqual([null, 1000]);
        // Layer names are unique, the blocks and the Grad-CAM layer exist and are spatial.
        expect(new Set(model.layers.map((l) => l.name)).size).toBe(model.layers.length);
        expect(model.getLayer(entry.lastSpatialLayer).outputShape).toEqual([
          null,
          ...expected.output,
        ]);
        const order = model.layers.map((l) => l.name);
        const positions = entry.blocks.map((b) => order.indexOf(b));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect((model.getLayer(entry.blocks.at(-1)!).outputShape as number[]).length).toBe(4);
      });
    });
  }

  test('vgg16: counts from the layer shapes (the 528 MB top is never allocated)', () => {
    // Keras' VGG16().summary(): 138,357,544 parameters, all trainable; without the top 14,714,688
    // (keras-applications README: Size 138.4M, Stem 14.7M). The same graph on a 32 × 32 input
    // has the same convolutions and a small fc1; its layers' shapes give the 224 × 224 counts.
    const entry = zooEntry('vgg16');
    withModel(
      () => vgg16({ inputShape: [32, 32, 3] }),
      (small) => {
        expect(small.layers).toHaveLength(23); // Keras: 23 layers with the top
        expect(small.layers.map((l) => l.name).slice(-4)).toEqual([
          'flatten',
          'fc1',
          'fc2',
          'predictions',
        ]);
        const flattenAt = small.layers.findIndex((l) => l.name === 'flatten');
        const base = small.layers.slice(0, flattenAt);
        const baseParams = base.reduce((n, l) => n + l.countParams(), 0);
        expect(baseParams).toBe(14_714_688);
        // Walk the 224 × 224 shape through the convolutional base without building anything.
        let shape: tf.Shape = [null, 224, 224, 3];
        for (const layer of base.slice(1)) shape = layer.computeOutputShape(shape) as tf.Shape;
        expect(shape).toEqual([null, 7, 7, 512]);
        const flattened = 7 * 7 * 512;
        const fc1 = flattened * VGG16_FC_UNITS + VGG16_FC_UNITS;
        expect(small.getLayer('fc1').countParams()).toBe(512 * VGG16_FC_UNITS + VGG16_FC_UNITS);
        const fc2 = small.getLayer('fc2').countParams();
        const predictions = small.getLayer('predictions').countParams();
        expect(countParams(small).nonTrainable).toBe(0);
        expect(baseParams + fc1 + fc2 + predictions).toBe(138_357_544);
        expect(entry.params).toEqual({
          total: 138_357_544,
          trainable: 138_357_544,
          nonTrainable: 0,
        });
      },
    );
  });
});

describe('without the top', () => {
  const builders: [string, (o: { pooling: 'avg' | 'max' | null }) => tf.LayersModel, number][] = [
    ['mobilenet', (o) => mobileNet({ includeTop: false, alpha: 0.5, ...o }), 512],
    ['mobilenetv2', (o) => mobileNetV2({ includeTop: false, alpha: 0.35, ...o }), 1280],
    ['resnet50', (o) => resNet50({ includeTop: false, inputShape: [64, 64, 3], ...o }), 2048],
    ['xception', (o) => xception({ includeTop: false, inputShape: [71, 71, 3], ...o }), 2048],
    ['efficientnetb0', (o) => efficientNetB0({ includeTop: false, ...o }), 1280],
    ['vgg16', (o) => vgg16({ includeTop: false, inputShape: [32, 32, 3], ...o }), 512],
  ];
  for (const [name, build, channels] of builders) {
    test(`${name}: pooling avg / max give [null, ${channels}] after a 4D map`, () => {
      for (const pooling of ['avg', 'max'] as const) {
        withModel(
          () => build({ pooling }),
          (model) => {
            // Without pooling the model would end at the layer before: a 4D feature map.
            const spatial = model.layers.at(-2)!.outputShape as number[];
            expect(spatial).toHaveLength(4);
            expect(spatial[3]).toBe(channels);
            expect(model.outputs[0]!.shape).toEqual([null, channels]);
            expect(model.layers.at(-1)!.getClassName()).toBe(
              pooling === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D',
            );
          },
        );
      }
    });
  }

  test('no-top parameter counts match Keras (keras-applications README "Stem", rounded)', () => {
    withModel(
      () => mobileNet({ includeTop: false }),
      (m) => {
        // 4,253,864 − conv_preds (1024 × 1000 + 1000).
        expect(m.countParams()).toBe(3_228_864);
        expect(m.outputs[0]!.shape).toEqual([null, 7, 7, 1024]);
      },
    );
    withModel(
      () => efficientNetB0({ includeTop: false, pooling: 'avg' }),
      (m) => {
        expect(m.countParams()).toBe(5_330_571 - (1280 * 1000 + 1000));
        expect(m.layers.at(-1)!.name).toBe('avg_pool');
      },
    );
  });
});

describe('options', () => {
  test('MobileNet alpha, depth multiplier, dropout and input size', () => {
    withModel(
      () => mobileNet({ alpha: 0.75, depthMultiplier: 2, dropout: 0.3, inputShape: [128, 128, 3] }),
      (m) => {
        expect(m.name).toBe('mobilenet_0.75_128');
        // depth_multiplier 2 doubles the depthwise outputs, so conv_pw_1 sees 2 × 24 channels.
        expect(m.getLayer('conv_dw_1').outputShape).toEqual([null, 64, 64, 48]);
        expect(m.getLayer('dropout').getConfig().rate).toBe(0.3);
        expect(m.getLayer('conv_preds').outputShape).toEqual([null, 1, 1, 1000]);
      },
    );
  });

  test('MobileNetV2 alphas above 1 widen the last conv (Keras: make_divisible(1280α, 8))', () => {
    withModel(
      () => mobileNetV2({ alpha: 1.4, includeTop: false }),
      (m) => {
        expect(m.name).toBe('mobilenetv2_1.40_224');
        expect(m.getLayer('Conv_1').outputShape).toEqual([null, 7, 7, 1792]);
        expect(m.getLayer('Conv1').outputShape).toEqual([null, 112, 112, 48]);
      },
    );
  });

  test('EfficientNet without the ImageNet stddev fix has Keras’ weights=None graph', () => {
    withModel(
      () => efficientNetB0({ imagenetStddevFix: false, classes: 10 }),
      (m) => {
        expect(m.layers.slice(0, 4).map((l) => l.getClassName())).toEqual([
          'InputLayer',
          'Rescaling',
          'Normalization',
          'ZeroPadding2D',
        ]);
        expect(m.layers).toHaveLength(240);
        expect(m.outputs[0]!.shape).toEqual([null, 10]);
      },
    );
  });

  test('bad options throw clear errors naming the option', () => {
    expect(() => mobileNet({ alpha: 0 })).toThrow(/alpha/);
    expect(() => mobileNet({ depthMultiplier: 1.5 })).toThrow(/depthMultiplier/);
    expect(() => mobileNet({ dropout: 1 })).toThrow(/dropout/);
    expect(() => mobileNet({ inputShape: [31, 224, 3] })).toThrow(/at least 32/);
    expect(() => xception({ includeTop: false, inputShape: [70, 299, 3] })).toThrow(/at least 71/);
    expect(() => resNet50({ pooling: 'avg' })).toThrow(/includeTop: false/);
    expect(() => vgg16({ classes: 0 })).toThrow(/classes/);
    expect(() => mobileNetV2({ classifierActivation: 'relu' as 'linear' })).toThrow(
      /classifierActivation/,
    );
    expect(() => efficientNetB0({ pooling: 'min' as 'max', includeTop: false })).toThrow(/pooling/);
    expect(() => zooEntry('resnet18')).toThrow(/unknown model 'resnet18'/);
  });
});

test('the zoo table is complete and consistent', () => {
  expect(ZOO.map((e) => e.name)).toEqual([
    'inceptionv3',
    'mobilenet',
    'mobilenet-0.75',
    'mobilenet-0.5',
    'mobilenet-0.25',
    'mobilenetv2',
    'resnet50',
    'xception',
    'efficientnetb0',
    'vgg16',
  ]);
  for (const entry of ZOO) {
    for (const file of [entry.weights.top, entry.weights.noTop]) {
      expect(file.url.endsWith(`/${file.fileName}`)).toBe(true);
      expect(file.url.startsWith('https://storage.googleapis.com/')).toBe(true);
      if (file.md5 !== null) expect(file.md5).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(entry.weights.top.fileName).not.toBe(entry.weights.noTop.fileName);
    expect(entry.accuracy.top1).toBeGreaterThan(0.5);
    expect(entry.accuracy.top5).toBeGreaterThan(entry.accuracy.top1);
    expect(entry.params.total).toBe(entry.params.trainable + entry.params.nonTrainable);
  }
  expect(zooEntry('efficientnetb0').preprocess).toBe('none');
  expect(zooEntry('vgg16').preprocess).toBe('caffe');
  expect(zooEntry('resnet50').preprocess).toBe('caffe');
  expect(zooEntry('mobilenet-0.25').weights.top.fileName).toBe('mobilenet_2_5_224_tf.h5');
});
