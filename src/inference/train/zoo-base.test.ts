import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zooEntry } from '../../models/zoo/zoo';
import { useWasmBackend } from '../../test/tf-node';
import {
  attachHead,
  blocksOf,
  cloneModel,
  featureCutOf,
  featureLayerOf,
  featureSizeOf,
  fineTuneBoundary,
  planCounts,
  poolFeatures,
  reportedCounts,
  scratchModel,
} from './model';

describe('zoo models as Teach bases', () => {
  let tf: typeof tfTypes;
  beforeAll(async () => {
    tf = await useWasmBackend();
  });

  describe('MobileNet (α 0.25), Keras 3 top with a keepdims pooling', () => {
    let base: tfTypes.LayersModel;
    beforeAll(() => {
      base = zooEntry('mobilenet-0.25').build();
    });
    afterAll(() => base.dispose());

    test('its features, its 13 blocks top first, and a head on the flattened pooling', async () => {
      const feature = featureLayerOf(base);
      expect(featureSizeOf(feature)).toBe(256);
      const blocks = blocksOf(base, feature);
      expect(blocks).toHaveLength(13);
      expect(blocks[0]).toBe('conv_pw_13_relu');
      expect(fineTuneBoundary(blocks, 2)).toBe('conv_pw_11_relu');
      const copy = await cloneModel(base, feature.name);
      const joined = attachHead(copy, 3, 'joined', 1);
      try {
        expect(joined.outputs[0]!.shape).toEqual([null, 3]);
        const out = tf.tidy(
          () => (joined.predict(tf.zeros([1, 224, 224, 3])) as tfTypes.Tensor).sum().dataSync()[0],
        );
        expect(out).toBeCloseTo(1, 5);
      } finally {
        joined.dispose();
      }
    });
  });

  test.each([
    ['mobilenetv2', 'block_16_project_BN', 'block_15_add'],
    ['efficientnetb0', 'block7a_project_bn', 'block6d_add'],
  ] as const)('%s: blocks named as Keras names them, top first', (name, top, next) => {
    const base = zooEntry(name).build();
    try {
      const blocks = blocksOf(base, featureLayerOf(base));
      expect(blocks.slice(0, 2)).toEqual([top, next]);
      expect(blocks).toEqual([...zooEntry(name).blocks].reverse());
    } finally {
      base.dispose();
    }
  });

  describe("VGG16: the base is Keras' VGG16(include_top=False, pooling='avg'), never fc1 / fc2", () => {
    // The convolutions' counts do not depend on the input size, so a 32 × 32 VGG16 (with the top,
    // as the app opens it) gives the 224 × 224 counts of everything Teach trains.
    let base: tfTypes.LayersModel;
    beforeAll(() => {
      base = zooEntry('vgg16').build({ inputShape: [32, 32, 3], classes: 10 });
    });
    afterAll(() => base.dispose());
    const BASE = 14_714_688; // Keras: VGG16(include_top=False) total
    const BLOCK5 = 3 * (3 * 3 * 512 * 512 + 512);
    const HEAD = 512 * 2 + 2;

    test('features: block5_pool averaged over space (512); blocks top first', () => {
      const cut = featureCutOf(base);
      expect(cut).toMatchObject({ pool: true, size: 512 });
      expect(cut.layer.name).toBe('block5_pool');
      expect(blocksOf(base, cut.layer)).toEqual([
        'block5_pool',
        'block4_pool',
        'block3_pool',
        'block2_pool',
        'block1_pool',
      ]);
    });

    test('head only, fine-tuning block5 and from scratch: counts, and nothing refused', () => {
      expect(planCounts(base, 'head', 2, 1)).toMatchObject({ trainable: HEAD, frozen: BASE });
      const fine = planCounts(base, 'fine-tune', 2, 1);
      expect(fine).toMatchObject({ trainable: BLOCK5 + HEAD, boundary: 'block4_pool' });
      expect(fine.trainable).toBe(7_080_450);
      expect(fine.frozen).toBe(BASE - BLOCK5);
      expect(planCounts(base, 'scratch', 2, 0)).toMatchObject({
        trainable: BASE + HEAD,
        frozen: 0,
      });
    });

    test('the joined model: block5_pool, a new global average pooling and the head', async () => {
      const cut = featureCutOf(base);
      const copy = await cloneModel(base, cut.layer.name);
      // what run.ts does
      const joined = attachHead(poolFeatures(copy, cut), 2, 'joined', 1);
      try {
        const names = joined.layers.map((l) => l.name);
        expect(names.slice(-3)).toEqual(['block5_pool', 'global_average_pooling2d', 'predictions']);
        expect(names).not.toContain('fc1');
        expect(reportedCounts(joined)).toEqual({ trainable: BASE + HEAD, frozen: 0 });
        const out = tf.tidy(() =>
          (joined.predict(tf.ones([1, 32, 32, 3])) as tfTypes.Tensor).sum().dataSync(),
        );
        expect(out[0]).toBeCloseTo(1, 5);
      } finally {
        joined.dispose();
      }
    });

    test('from scratch rebuilds the base without its top and pools it', async () => {
      const model = await scratchModel(base, 2, 'scratch', 3);
      try {
        const names = model.layers.map((l) => l.name);
        expect(names).not.toContain('fc1');
        expect(names).not.toContain('flatten');
        expect(model.getLayer('global_average_pooling2d').getClassName()).toBe(
          'GlobalAveragePooling2D',
        );
        expect(model.countParams()).toBe(planCounts(base, 'scratch', 2, 0).trainable);
      } finally {
        model.dispose();
      }
    });
  });
});
