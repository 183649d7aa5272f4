import { describe, expect, test } from 'vitest';
import { IMAGENET_LABELS } from '../../models/imagenet-labels';
import { INCEPTION_V3_IMAGENET, type LabelSource, type ModelEntry } from '../../models/registry';
import { isImageNetSized, labelAt, metadataUrl, resolveLabels } from './labels';

function entry(labels: LabelSource, labelOffset = 0): ModelEntry {
  return {
    id: 'test',
    name: 'Test net',
    url: 'https://example.test/models/test/model.json',
    inputSize: null,
    inputRange: [-1, 1],
    labels,
    labelOffset,
  };
}

/** A readMetadata that fails the test if called. */
const noMetadata = (): Promise<unknown> => {
  throw new Error('readMetadata must not be called for this label source');
};

describe('resolveLabels: imagenet', () => {
  test('the ImageNet list has 1000 names, tench first', () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    expect(IMAGENET_LABELS[0]).toMatch(/^tench/);
  });

  test('1000 outputs map one to one', async () => {
    const resolved = await resolveLabels(INCEPTION_V3_IMAGENET, 1000, noMetadata);
    expect(resolved.source).toBe('imagenet');
    expect(resolved.offset).toBe(0);
    expect(resolved.labels).toBe(IMAGENET_LABELS);
    expect(labelAt(resolved, 0)).toMatch(/^tench/);
    expect(labelAt(resolved, 999)).toBe(IMAGENET_LABELS[999]);
  });

  test('1001 outputs (TF-slim) have output 0 = background and an offset of 1', async () => {
    const resolved = await resolveLabels(entry({ kind: 'imagenet' }), 1001, noMetadata);
    expect(resolved.source).toBe('imagenet');
    expect(resolved.offset).toBe(1);
    expect(labelAt(resolved, 0)).toBe('background');
    expect(labelAt(resolved, 1)).toMatch(/^tench/);
    expect(labelAt(resolved, 1000)).toBe(IMAGENET_LABELS[999]);
  });

  test.each([10, 999, 1002])('%i outputs throw, naming the model and the numbers', async (n) => {
    await expect(resolveLabels(entry({ kind: 'imagenet' }), n, noMetadata)).rejects.toThrow(
      `Test net has ${n} outputs, not ImageNet's 1000`,
    );
  });
});

describe('resolveLabels: list', () => {
  const names = ['cat', 'dog', 'bird'];

  test('uses the list as is', async () => {
    const resolved = await resolveLabels(entry({ kind: 'list', labels: names }), 3, noMetadata);
    expect(resolved).toEqual({ labels: names, offset: 0, source: 'list' });
    expect(labelAt(resolved, 1)).toBe('dog');
  });

  test('honours the entry label offset', async () => {
    const resolved = await resolveLabels(entry({ kind: 'list', labels: names }, 1), 4, noMetadata);
    expect(resolved.offset).toBe(1);
    expect(labelAt(resolved, 0)).toBe('background');
    expect(labelAt(resolved, 3)).toBe('bird');
  });

  test('a count mismatch throws naming both numbers', async () => {
    await expect(
      resolveLabels(entry({ kind: 'list', labels: names }), 5, noMetadata),
    ).rejects.toThrow('Test net has 5 outputs but 3 class names');
  });
});

describe('resolveLabels: auto', () => {
  test('uses metadata.json labels when their count matches', async () => {
    let calls = 0;
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 3, () => {
      calls++;
      return Promise.resolve({ labels: ['a', 'b', 'c'] });
    });
    expect(calls).toBe(1);
    expect(resolved).toEqual({ labels: ['a', 'b', 'c'], offset: 0, source: 'metadata' });
  });

  test('metadata with one name fewer than the outputs gets a background offset', async () => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 3, () =>
      Promise.resolve({ labels: ['a', 'b'] }),
    );
    expect(resolved.source).toBe('metadata');
    expect(resolved.offset).toBe(1);
    expect(labelAt(resolved, 0)).toBe('background');
    expect(labelAt(resolved, 2)).toBe('b');
  });

  test('metadata labels that do not fit the outputs are ignored', async () => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 5, () =>
      Promise.resolve({ labels: ['a', 'b'] }),
    );
    expect(resolved.source).toBe('index');
    expect(resolved.labels).toEqual(['class 0', 'class 1', 'class 2', 'class 3', 'class 4']);
  });

  test('metadata labels that are not all strings are ignored', async () => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 2, () =>
      Promise.resolve({ labels: ['a', 2] }),
    );
    expect(resolved.source).toBe('index');
  });

  test.each([
    [
      'throws synchronously',
      (): Promise<unknown> => {
        throw new Error('boom');
      },
    ],
    ['rejects', (): Promise<unknown> => Promise.reject(new Error('404'))],
    ['returns null', (): Promise<unknown> => Promise.resolve(null)],
    ['returns metadata without labels', (): Promise<unknown> => Promise.resolve({ name: 'x' })],
    ['returns a non-object', (): Promise<unknown> => Promise.resolve('labels')],
  ])('metadata that %s falls back to ImageNet for 1000 outputs', async (_, read) => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 1000, read);
    expect(resolved.source).toBe('imagenet');
    expect(resolved.labels).toBe(IMAGENET_LABELS);
    expect(resolved.offset).toBe(0);
  });

  test('no metadata and 1001 outputs → ImageNet with background', async () => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 1001, () =>
      Promise.resolve(null),
    );
    expect(resolved.source).toBe('imagenet');
    expect(labelAt(resolved, 0)).toBe('background');
  });

  test("no metadata and another count → 'class i' names", async () => {
    const resolved = await resolveLabels(entry({ kind: 'auto' }), 4, () =>
      Promise.reject(new Error('no metadata.json')),
    );
    expect(resolved).toEqual({
      labels: ['class 0', 'class 1', 'class 2', 'class 3'],
      offset: 0,
      source: 'index',
    });
    expect(labelAt(resolved, 3)).toBe('class 3');
  });
});

describe('labelAt', () => {
  test('names out-of-range outputs by index', () => {
    const resolved = { labels: ['a', 'b'], offset: 0, source: 'list' } as const;
    expect(labelAt(resolved, 2)).toBe('class 2');
    expect(labelAt({ ...resolved, offset: 1 }, 3)).toBe('class 3');
  });
});

describe('metadataUrl', () => {
  test('is metadata.json in the same folder as model.json', () => {
    expect(metadataUrl('https://example.test/models/net/model.json')).toBe(
      'https://example.test/models/net/metadata.json',
    );
    expect(metadataUrl('http://localhost:4173/shared/models/m/model.json?v=2')).toBe(
      'http://localhost:4173/shared/models/m/metadata.json',
    );
  });

  test('a folder URL gets metadata.json inside it', () => {
    expect(metadataUrl('https://example.test/models/net/')).toBe(
      'https://example.test/models/net/metadata.json',
    );
  });
});

describe('isImageNetSized', () => {
  test('1000 and 1001 (TF-slim background) outputs are ImageNet-sized; others are not', () => {
    expect([999, 1000, 1001, 1002, 2048].map(isImageNetSized)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
