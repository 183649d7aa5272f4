// @vitest-environment happy-dom
/**
 * Photos dropped while the model loads: the first ones (as many as start at once) are
 * preprocessed for the loading model's input size meanwhile, and used when it is ready.
 */
import { act, createElement as h } from 'react';

import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { InferenceClient } from '../inference/client';
import type { ClassifyResult, LoadedModelInfo } from '../inference/protocol';
import type { PreprocessOptions } from '../preprocess/preprocess-image';
import { useClassificationQueue } from './use-classification-queue';
import { useTestRoot } from '../test/react-root';

const calls = vi.hoisted(() => ({
  ahead: [] as { name: string; options: PreprocessOptions }[],
  now: [] as { name: string; options: PreprocessOptions }[],
}));

vi.mock('../preprocess/preprocess-off-thread', () => ({
  preprocessAhead: (file: File, options: PreprocessOptions) =>
    calls.ahead.push({ name: file.name, options }),
  preprocessOffThread: (file: File, options: PreprocessOptions) => {
    calls.now.push({ name: file.name, options });
    return Promise.resolve({
      pixels: new ArrayBuffer(4),
      width: 1,
      height: 1,
      thumbnail: new Blob(['thumbnail'], { type: 'image/jpeg' }),
    });
  },
}));
// every file passes the quick check of photos that wait
vi.mock('../preprocess/preprocess-image', async (original) => ({
  ...(await original<typeof import('../preprocess/preprocess-image')>()),
  checkImageFile: () => Promise.resolve(),
}));

const MODEL = { id: 'm', name: 'M', inputSize: 299, url: 'u' } as unknown as LoadedModelInfo;

const client = {
  classify: () =>
    Promise.resolve({
      predictions: [{ index: 1, label: 'cat', probability: 0.9 }],
      ms: 5,
      backend: 'wasm',
    } as unknown as ClassifyResult),
} as unknown as InferenceClient;

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

const photos = (...names: string[]) =>
  names.map((name) => new File(['x'], name, { type: 'image/jpeg' }));

describe('photos dropped while the model loads', () => {
  const dom = useTestRoot((n) => `blob:test-${n}`);
  beforeEach(() => {
    calls.ahead.length = 0;
    calls.now.length = 0;
  });

  function mount(props: { model: LoadedModelInfo | null; loadingInputSize: number | null }) {
    let addFiles: ((files: readonly File[]) => string[]) | null = null;
    function Owner(p: typeof props) {
      const queue = useClassificationQueue(client, p.model, 'keras', null, {
        loadingInputSize: p.loadingInputSize,
      });
      addFiles = queue.addFiles;
      return null;
    }
    const render = (p: typeof props) => act(() => dom.root.render(h(Owner, p)));
    render(props);
    return { add: (files: File[]) => act(() => void addFiles!(files)), render };
  }

  test('the first two are preprocessed for the loading model ahead, then run as usual', async () => {
    const page = mount({ model: null, loadingInputSize: 299 });
    page.add(photos('a.jpg'));
    page.add(photos('b.jpg', 'c.jpg'));
    expect(calls.ahead).toEqual([
      { name: 'a.jpg', options: { size: 299, mode: 'keras' } },
      { name: 'a.jpg', options: { size: 299, mode: 'keras' } }, // asked again: a no-op there
      { name: 'b.jpg', options: { size: 299, mode: 'keras' } },
    ]);
    expect(calls.now).toEqual([]);
    page.render({ model: MODEL, loadingInputSize: null });
    await settle();
    // the same options, so the ahead results are taken; c is made when its turn comes
    expect(calls.now.map((c) => c.name)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(calls.now[0]!.options).toEqual(calls.ahead[0]!.options);
    // a model ready: nothing more ahead
    page.add(photos('d.jpg'));
    await settle();
    expect(calls.ahead).toHaveLength(3);
  });

  test('no input size known (a custom model still loading): nothing is made ahead', () => {
    const page = mount({ model: null, loadingInputSize: null });
    page.add(photos('a.jpg'));
    expect(calls.ahead).toEqual([]);
  });
});
