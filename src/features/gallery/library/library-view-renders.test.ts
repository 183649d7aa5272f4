// @vitest-environment happy-dom
/**
 * A photo's result in a library redraws the counters, not the form controls: React writes every
 * prop of an `<input>` again (its `type`, its `name`) whenever it draws one, and doing that with
 * each result was the largest part of the page's work per result in a 2,000-photo library
 * (profiled with scripts/probe-folder-pick.ts). Watched through the DOM's own mutation records,
 * nothing is timed.
 */
import { act, createElement as h } from 'react';
import { describe, expect, test } from 'vitest';
import { createStore, type Store } from '../../../lib/store';
import { galleryReducer, type Card, type GalleryAction } from '../gallery-state';
import { DEFAULT_BROWSE } from './browse';
import { PhotoLibraryView } from './library-view';
import type { PhotoLibrary } from './use-photo-library';
import { useTestRoot } from '../../../test/react-root';

/** What the view reads of a library, with `cards` as given; every action does nothing. */
function fakeLibrary(cards: Store<Card[], GalleryAction>): PhotoLibrary {
  const nothing = () => undefined;
  const active = { id: 'lib-1', name: 'My photos', created: 0 };
  return {
    ready: true,
    error: null,
    dismissError: nothing,
    libraries: [active],
    active,
    restoreMs: 12,
    usage: { bytes: 2048, quota: null },
    refreshUsage: () => Promise.resolve(),
    cards,
    measureRate: () => null,
    paused: false,
    pause: nothing,
    resume: nothing,
    cancel: nothing,
    options: DEFAULT_BROWSE,
    setOptions: nothing,
    offer: null,
    addFolder: () => ({ added: 0, skipped: 0 }),
    reopenFolder: () => Promise.resolve(),
    remove: nothing,
    clearAll: nothing,
    switchTo: nothing,
    createLibrary: () => Promise.resolve(),
    renameLibrary: () => Promise.resolve(),
    deleteLibrary: () => Promise.resolve(),
    exportLibrary: () => Promise.resolve(),
    loadThumbnail: () => Promise.resolve(undefined),
    similar: () => Promise.resolve({ neighbours: [], ms: 0 }),
    duplicates: () => Promise.resolve([]),
  };
}

function photo(n: number): File {
  return new File(['x'], `photo-${n}.jpg`, { type: 'image/jpeg' });
}

describe('a result in the photo library', () => {
  const dom = useTestRoot((n) => `blob:test-${n}`);

  test('redraws the counters and writes nothing to the inputs, selects and folder pickers', async () => {
    const store = createStore<Card[], GalleryAction>(galleryReducer, []);
    const library = fakeLibrary(store);
    act(() => dom.root.render(h(PhotoLibraryView, { library })));
    const ids = ['a', 'b', 'c'];
    act(() =>
      store.dispatch({
        type: 'add',
        cards: ids.map((id, i) => ({ id, file: photo(i), path: `day/photo-${i}.jpg` })),
      }),
    );
    const controls = dom.container.querySelectorAll('input, select');
    // The folder picker, the search, the confidence floor, "not sure", the library and the order.
    expect(controls.length).toBeGreaterThanOrEqual(6);
    expect(dom.container.querySelector('input[type=file][webkitdirectory]')).not.toBeNull();

    const written: string[] = [];
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        if (r.type === 'attributes' && (el.tagName === 'INPUT' || el.tagName === 'SELECT')) {
          written.push(`${el.getAttribute('data-testid') ?? el.tagName}.${r.attributeName}`);
        }
      }
    });
    observer.observe(dom.container, { attributes: true, subtree: true });
    const count = () => dom.container.querySelector('[data-testid=library-count]');
    expect(count()?.getAttribute('data-done')).toBe('0');

    for (const id of ids) {
      act(() => store.dispatch({ type: 'preprocessing', id }));
      act(() =>
        store.dispatch({
          type: 'done',
          id,
          predictions: [{ index: 1, label: 'tabby, tabby cat', probability: 0.9 }],
          ms: 5,
          backend: 'wasm',
        }),
      );
    }
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    observer.disconnect();

    // The counters followed the results …
    expect(count()?.getAttribute('data-done')).toBe('3');
    expect(
      dom.container.querySelector('[data-testid=library-chart] [data-count="3"]'),
    ).not.toBeNull();
    // … and no input or select was written to on the way.
    expect(written).toEqual([]);
  });
});
