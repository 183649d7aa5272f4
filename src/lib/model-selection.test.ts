import { describe, expect, test } from 'vitest';
import type { ModelEntry } from '../models/registry';
import { forgetModel, rememberedModel, rememberModel, renameRemembered } from './model-selection';

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

const STORED: ModelEntry = {
  id: 'stored:k1',
  name: 'mine',
  url: 'indexeddb://inception-lens/k1',
  inputSize: 299,
  inputRange: [-1, 1],
  labels: { kind: 'imagenet' },
  labelOffset: 0,
};

describe('the remembered model', () => {
  test('a stored model is remembered; ?model= wins; a built-in one or garbage is forgotten', () => {
    const storage = memoryStorage();
    expect(rememberedModel('', storage)).toBeNull();
    rememberModel(STORED, storage);
    expect(rememberedModel('?backend=wasm', storage)).toEqual(STORED);
    expect(rememberedModel('?model=https://x.test/model.json', storage)).toBeNull();
    rememberModel(
      { ...STORED, id: 'inception-v3', url: 'models/inception-v3/model.json' },
      storage,
    );
    expect(rememberedModel('', storage)).toBeNull();
    storage.setItem('inception-lens.active-model', '{not json');
    expect(rememberedModel('', storage)).toBeNull();
    storage.setItem(
      'inception-lens.active-model',
      JSON.stringify({ ...STORED, url: 'https://x/m.json' }),
    );
    expect(rememberedModel('', storage)).toBeNull();
  });

  test('deleting forgets only the remembered model; renaming it updates the record', () => {
    const storage = memoryStorage();
    rememberModel(STORED, storage);
    forgetModel('stored:other', storage);
    expect(rememberedModel('', storage)).toEqual(STORED);
    renameRemembered({ ...STORED, id: 'stored:other', name: 'Other' }, storage);
    expect(rememberedModel('', storage)?.name).toBe(STORED.name);
    renameRemembered({ ...STORED, name: 'Cats vs dogs' }, storage);
    expect(rememberedModel('', storage)?.name).toBe('Cats vs dogs');
    forgetModel(STORED.id, storage);
    expect(rememberedModel('', storage)).toBeNull();
  });
});
