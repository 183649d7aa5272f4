// @vitest-environment happy-dom
/**
 * A card whose thumbnail the photo library has kept: shown on, it keeps the picture it already
 * has (no read back from IndexedDB, no new URL); drawn afresh, it reads the kept one.
 */
import { act, createElement as h } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Card } from './gallery-state';
import { ImageCard } from './image-card';

const done: Card = {
  id: 'c1',
  name: 'a.jpg',
  path: 'a.jpg',
  status: 'done',
  thumbnailUrl: 'blob:own',
  predictions: [{ index: 1, label: 'cat', probability: 0.9 }],
  ms: 5,
  backend: 'wasm',
};
const kept: Card = (({ thumbnailUrl: _, ...rest }) => ({ ...rest, stored: true }))(done);

describe('a kept thumbnail', () => {
  let root: Root;
  let container: HTMLElement;
  beforeEach(() => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => 'blob:read-back');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.restoreAllMocks();
  });

  const onRemove = () => undefined;
  const src = () => container.querySelector('img')?.getAttribute('src');

  test('a card on screen keeps its own picture when the library takes it over', async () => {
    const load = vi.fn(() => Promise.resolve(new Blob(['kept'])));
    act(() => root.render(h(ImageCard, { card: done, onRemove, loadThumbnail: load })));
    expect(src()).toBe('blob:own');
    act(() => root.render(h(ImageCard, { card: kept, onRemove, loadThumbnail: load })));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(load).not.toHaveBeenCalled();
    expect(src()).toBe('blob:own');
  });

  test('a card drawn afresh reads the kept thumbnail', async () => {
    const load = vi.fn(() => Promise.resolve(new Blob(['kept'])));
    act(() => root.render(h(ImageCard, { card: kept, onRemove, loadThumbnail: load })));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(load).toHaveBeenCalledTimes(1);
    expect(src()).toBe('blob:read-back');
  });
});
