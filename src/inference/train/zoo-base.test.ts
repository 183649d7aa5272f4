import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zooEntry } from '../../models/zoo/zoo';
import { useWasmBackend } from '../../test/tf-node';
import {
  attachHead,
  blocksOf,
  cloneModel,
  featureLayerOf,
  featureSizeOf,
  fineTuneBoundary,
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
});
