import { describe, expect, test } from 'vitest';
import type { ModelEntry } from '../../models/registry';
import { sourceFromFiles, type PathedFile } from './model-files';
import { rememberedModel, rememberModel } from './selection';

const file = (path: string, body = 'x'): PathedFile => ({
  path,
  file: new File([body], path.split('/').pop()!),
});

describe('what the user opened', () => {
  test('one .h5 file is a Keras import', () => {
    const source = sourceFromFiles([file('inception_v3.h5')]);
    expect(source).toMatchObject({ kind: 'h5', name: 'inception_v3.h5' });
  });

  test('a folder with model.json is a tfjs import named after the folder; hidden files are left out', () => {
    const source = sourceFromFiles([
      file('mine/model.json'),
      file('mine/group1-shard1of1.bin'),
      file('mine/.DS_Store'),
    ]);
    expect(source).toMatchObject({ kind: 'folder', name: 'mine' });
    expect('files' in source && source.files.map((f) => f.path)).toEqual([
      'mine/model.json',
      'mine/group1-shard1of1.bin',
    ]);
    expect(sourceFromFiles([file('model.json'), file('a.bin')])).toMatchObject({
      kind: 'folder',
      name: 'model',
    });
  });

  test('anything else gets a sentence saying what to open', () => {
    expect(sourceFromFiles([])).toEqual({
      error: 'Nothing to open: the selection holds no files.',
    });
    expect(sourceFromFiles([file('a.h5'), file('b.h5')])).toEqual({
      error: 'Open one .h5 file at a time (got 2).',
    });
    expect(sourceFromFiles([file('photo.jpg')])).toEqual({
      error:
        'Open a Keras .h5 weight file, or a TensorFlow.js model folder (model.json and its weight files).',
    });
  });
});

/** A Storage in memory. */
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
});
