import { describe, expect, it } from 'vitest';
import type { InferenceClient } from '../../../inference/client';
import type { DatasetItem, DatasetPixels, FeaturesReply } from '../../../inference/protocol';
import type { PreprocessedImage } from '../../../preprocess/preprocess-image';
import { retention } from '../../../test/retained';
import { importDataset, type FeatureJobDeps } from './dataset-import';
import { parseLayout } from './layout';
import type { PhotoSource } from './zip-source';

/** A worker that "computes" features by hash and, like a real transfer, keeps no pixels. */
function fakeWorker() {
  const known = new Set<string>();
  let pixelsSeen = 0;
  const client = {
    call(_type: string, request: { items: DatasetItem[]; pixels: DatasetPixels[] }) {
      const missing = request.items.filter((i) => !known.has(i.hash)).map((i) => i.id);
      for (const p of request.pixels) known.add(p.hash);
      pixelsSeen += request.pixels.length;
      const reply: FeaturesReply = {
        reused: request.items.length - missing.length,
        computed: request.pixels.length,
        missing,
      };
      return Promise.resolve(reply);
    },
  } as unknown as InferenceClient;
  return { client, pixelsSeen: () => pixelsSeen };
}

describe('the dataset import on the page', () => {
  it('keeps a small record per photo and nothing of its bytes, pixels or thumbnail', async () => {
    const N = 300;
    const watched = retention();
    const thumbsKept = new Set<string>();
    let decoded = 0;
    const sizes: number[] = [];
    // Each read makes new bytes, as a ZIP entry's does; a picked File is only a reference.
    const entries = Array.from({ length: N }, (_, i) => {
      const source: PhotoSource = {
        read: () => {
          const blob = new Blob([`photo ${i} `.repeat(200)]);
          watched.watch(`bytes ${i}`, blob);
          return Promise.resolve(blob);
        },
      };
      return { path: `set/class-${i % 10}/photo-${i}.jpg`, source };
    });
    const worker = fakeWorker();
    const deps = (): FeatureJobDeps => ({
      client: worker.client,
      inputSize: 64,
      variant: { resize: 'squash', augment: { flip: false, crop: false, brightness: false } },
      onProgress: () => undefined,
      signal: new AbortController().signal,
      hash: (bytes) => Promise.resolve(`h${new TextDecoder().decode(bytes).split(' ')[1] ?? ''}`),
      prepare: (_file, options) => {
        decoded += 1;
        sizes.push(options.size);
        const image: PreprocessedImage = {
          pixels: new ArrayBuffer(options.size * options.size * 4),
          width: options.size,
          height: options.size,
          thumbnail: new Blob(['jpeg'.repeat(500)]),
          sourceWidth: 640,
          sourceHeight: 480,
        };
        watched.watch(`pixels ${decoded}`, image.pixels);
        watched.watch(`thumbnail ${decoded}`, image.thumbnail);
        watched.watch(`decoded ${decoded}`, image);
        return Promise.resolve(image);
      },
      // IndexedDB copies what it is given: only the hashes are remembered here.
      thumbs: {
        present: (hashes) => Promise.resolve(hashes.map((h) => thumbsKept.has(h))),
        put: (list) => {
          for (const [h] of list) thumbsKept.add(h);
          return Promise.resolve();
        },
      },
    });

    const first = await importDataset('set', parseLayout(entries), deps());
    expect(first.dataset.photos).toHaveLength(N);
    expect(first.dataset.classes).toHaveLength(10);
    expect(first.computed).toBe(N);
    expect(worker.pixelsSeen()).toBe(N);
    expect(decoded).toBe(N);
    // What the page keeps per photo: path, hash, class, split, excluded — and its source.
    for (const photo of first.dataset.photos) {
      expect(Object.keys(photo).sort()).toEqual(['excluded', 'hash', 'id', 'label', 'split']);
      expect(JSON.stringify(photo).length).toBeLessThan(120);
    }
    expect(first.sources.size).toBe(N);
    expect(new Set(first.sources.values())).toEqual(new Set(entries.map((e) => e.source)));
    // Every photo's bytes, pixels and thumbnail went through the page; none is still held.
    expect(await watched.survivors()).toEqual([]);

    // The same folder again: features and thumbnails found by hash, so nothing is decoded.
    const second = await importDataset('set', parseLayout(entries), deps());
    expect(second.reused).toBe(N);
    expect(second.computed).toBe(0);
    expect(decoded).toBe(N);
    expect(await watched.survivors()).toEqual([]);
    expect(first.dataset.photos.length + second.dataset.photos.length).toBe(2 * N);
    expect(new Set(sizes)).toEqual(new Set([64]));

    // Thumbnails gone (the dataset was forgotten), features still stored: decoded for the
    // thumbnail only, without model-size pixels.
    thumbsKept.clear();
    const third = await importDataset('set', parseLayout(entries), deps());
    expect(third.computed).toBe(0);
    expect(thumbsKept.size).toBe(N);
    expect(sizes.slice(N)).toEqual(Array.from({ length: N }, () => 1));
  });
});
