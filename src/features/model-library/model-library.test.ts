import { describe, expect, test } from 'vitest';
import { fakeDrop, fileOf, folder } from '../../test/fake-drop';
import { filesFromDrop, sourceFromFiles, type PathedFile } from './model-files';

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

describe('a dropped model', () => {
  test('a dropped model folder keeps its paths and becomes a folder import', async () => {
    const drop = fakeDrop([
      folder('mine', fileOf('model.json'), fileOf('.DS_Store'), fileOf('group1-shard1of1.bin')),
    ]);
    const files = await filesFromDrop(drop.data);
    expect(files.map((f) => f.path)).toEqual([
      'mine/model.json',
      'mine/.DS_Store',
      'mine/group1-shard1of1.bin',
    ]);
    const source = sourceFromFiles(files);
    expect(source).toMatchObject({ kind: 'folder', name: 'mine' });
    expect('files' in source && source.files.map((f) => f.path)).toEqual([
      'mine/model.json',
      'mine/group1-shard1of1.bin',
    ]);
  });
});

/** A Storage in memory. */
