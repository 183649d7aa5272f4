// @vitest-environment happy-dom
/**
 * A card whose thumbnail the photo library has kept: shown on, it keeps the picture it already
 * has (no read back from IndexedDB, no new URL); drawn afresh, it reads the kept one.
 */
import { act, createElement as h } from 'react';

import { describe, expect, test, vi } from 'vitest';
import type { Card } from './gallery-state';
import { ImageCard } from './image-card';
import { useTestRoot } from '../../test/react-root';

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
  const dom = useTestRoot(() => 'blob:read-back');

  const onRemove = () => undefined;
  const src = () => dom.container.querySelector('img')?.getAttribute('src');

  test('a card on screen keeps its own picture when the library takes it over', async () => {
    const load = vi.fn(() => Promise.resolve(new Blob(['kept'])));
    act(() => dom.root.render(h(ImageCard, { card: done, onRemove, loadThumbnail: load })));
    expect(src()).toBe('blob:own');
    act(() => dom.root.render(h(ImageCard, { card: kept, onRemove, loadThumbnail: load })));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(load).not.toHaveBeenCalled();
    expect(src()).toBe('blob:own');
  });

  test('a card drawn afresh reads the kept thumbnail', async () => {
    const load = vi.fn(() => Promise.resolve(new Blob(['kept'])));
    act(() => dom.root.render(h(ImageCard, { card: kept, onRemove, loadThumbnail: load })));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(load).toHaveBeenCalledTimes(1);
    expect(src()).toBe('blob:read-back');
  });
});
