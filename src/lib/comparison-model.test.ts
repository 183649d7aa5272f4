import { describe, expect, it } from 'vitest';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../models/registry';
import { comparisonModel, rememberComparison, withoutImageNet } from './comparison-model';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, v),
  };
}

describe('the comparison model', () => {
  it('is the page default until an ImageNet model ran, then that one, across visits', () => {
    const storage = memoryStorage();
    expect(comparisonModel(INCEPTION_V3_IMAGENET, storage)).toBe(INCEPTION_V3_IMAGENET);
    const mobilenet: ModelEntry = {
      ...INCEPTION_V3_IMAGENET,
      id: 'mobilenet',
      name: 'MobileNet v1 (ImageNet)',
      url: 'https://example.org/mobilenet/model.json',
      inputSize: 224,
    };
    rememberComparison(mobilenet, storage);
    expect(comparisonModel(INCEPTION_V3_IMAGENET, storage)).toEqual(mobilenet);
    storage.setItem('inception-lens.comparison-model', '{not json');
    expect(comparisonModel(INCEPTION_V3_IMAGENET, storage)).toBe(INCEPTION_V3_IMAGENET);
  });

  it('names a model once, without "(ImageNet) (ImageNet)"', () => {
    expect(withoutImageNet('InceptionV3 (ImageNet)')).toBe('InceptionV3');
    expect(withoutImageNet('My model')).toBe('My model');
  });
});
