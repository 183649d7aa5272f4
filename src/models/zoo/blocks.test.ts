import { describe, expect, test } from 'vitest';
import { findBlocks } from './blocks';
import { ZOO } from './zoo';

describe("findBlocks: each architecture's blocks by Keras' layer names", () => {
  // VGG16 with the top is large (138 M parameters): without it the block names are the same.
  test.each(ZOO.map((e) => [e.name, e] as const))('%s', (_name, entry) => {
    const model = entry.build({ includeTop: entry.name !== 'vgg16' });
    try {
      const found = findBlocks(model.layers.map((l) => l.name));
      expect(found?.ends).toEqual([...entry.blocks]);
    } finally {
      model.dispose();
    }
  });

  test('a key with several matching layers ends at its last one', () => {
    const names = ['block_1_project_BN', 'block_2_project_BN', 'block_2_add', 'block_3_project_BN'];
    expect(findBlocks(names)).toEqual({
      family: 'MobileNetV2',
      ends: ['block_1_project_BN', 'block_2_add', 'block_3_project_BN'],
    });
  });

  test('Xception is not mistaken for VGG (it has blockN_pool layers too)', () => {
    const names = ['block1_conv2_act', 'block2_pool', 'add_1', 'block3_pool', 'add_2'];
    expect(findBlocks(names)?.family).toBe('Xception');
  });

  test('one match is not a block structure; no match gives null', () => {
    expect(findBlocks(['mixed0', 'dense'])).toBeNull();
    expect(findBlocks(['conv2d', 'dense'])).toBeNull();
  });
});
