import { describe, expect, test } from 'vitest';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../../models/registry';
import { MODEL_CACHE } from '../../sw/model-files';
import { modelSource } from './model-source';

const URL_ = 'https://models.example/mobilenet/model.json';
const entry: ModelEntry = { ...INCEPTION_V3_IMAGENET, id: 'm', url: URL_ };
const MODEL_JSON = JSON.stringify({
  weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'] }],
});

/** A CacheStorage holding `files` (url → body) in the model cache, or no model cache at all. */
function storage(files: Record<string, string> | null): CacheStorage {
  const cache = {
    match: (url: string) =>
      Promise.resolve(files && url in files ? new Response(files[url]) : undefined),
  } as unknown as Cache;
  return {
    has: (name: string) => Promise.resolve(files !== null && name === MODEL_CACHE),
    open: () => Promise.resolve(cache),
  } as unknown as CacheStorage;
}

const base = 'https://models.example/mobilenet/';

describe('modelSource', () => {
  test('a model kept in IndexedDB comes from this browser; random weights are built', async () => {
    expect(await modelSource({ ...entry, url: 'indexeddb://lens-1' }, storage(null))).toBe(
      'browser',
    );
    expect(
      await modelSource({ ...entry, zoo: { name: 'mobilenet', randomWeights: true } }, undefined),
    ).toBe('built');
  });

  test('the offline cache counts only when model.json and every shard are in it', async () => {
    const all = {
      [URL_]: MODEL_JSON,
      [`${base}group1-shard1of2.bin`]: 'a',
      [`${base}group1-shard2of2.bin`]: 'b',
    };
    expect(await modelSource(entry, storage(all))).toBe('browser');
    const oneShard: Record<string, string> = { ...all };
    delete oneShard[`${base}group1-shard2of2.bin`];
    expect(await modelSource(entry, storage(oneShard))).toBe('network');
    expect(await modelSource(entry, storage({}))).toBe('network');
    expect(await modelSource(entry, storage(null))).toBe('network');
  });

  test('no Cache Storage, or a damaged cached model.json, means the network', async () => {
    expect(await modelSource(entry, undefined)).toBe('network');
    expect(await modelSource(entry, storage({ [URL_]: '{not json' }))).toBe('network');
    expect(await modelSource(entry, storage({ [URL_]: '{}' }))).toBe('network');
  });
});
