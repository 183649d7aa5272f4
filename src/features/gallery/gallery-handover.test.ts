// @vitest-environment happy-dom
/**
 * A folder's cards reach the gallery in hand-overs (every 200 ms while a large pick is read). In
 * the virtual grid a hand-over must not draw again the cards already in view: their only change is
 * the list's size for screen readers, which the grid writes onto them itself. Watched through the
 * DOM's mutation records and the cards' calls for their actions (one per draw); nothing is timed.
 */
import { act, createElement as h } from 'react';
import { describe, expect, test, vi } from 'vitest';
import { Gallery, VIRTUAL_FROM } from './gallery';
import { previewUrlCount } from './preview-url';
import type { Card } from './gallery-state';
import { useTestRoot } from '../../test/react-root';

function waiting(n: number): Card {
  return { id: `c${n}`, name: `p${n}.jpg`, path: `day/p${n}.jpg`, status: 'queued' };
}

describe('a hand-over of more cards to the virtual grid', () => {
  const dom = useTestRoot((n) => `blob:test-${n}`);
  const nothing = () => undefined;

  test('draws no card in view again; their list size follows the new total', () => {
    const first = Array.from({ length: VIRTUAL_FROM + 20 }, (_, i) => waiting(i));
    const drawn: string[] = [];
    const renderActions = (card: Card) => {
      drawn.push(card.id);
      return null;
    };
    const props = { onRemove: nothing, onClear: nothing, renderActions };
    act(() => dom.root.render(h(Gallery, { cards: first, ...props })));
    const shown = () => [...dom.container.querySelectorAll('[data-testid=image-card]')];
    expect(dom.container.querySelector('[data-testid=gallery-virtual]')).not.toBeNull();
    const before = shown();
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(first.length);
    expect(before[0]?.getAttribute('aria-setsize')).toBe(String(first.length));

    const changed: string[] = [];
    const note = (records: MutationRecord[]) => {
      for (const r of records) {
        const card = (r.target as Element).closest?.('[data-testid=image-card]');
        if (!card || !before.includes(card)) continue;
        if (r.type === 'attributes' && r.target === card && r.attributeName === 'aria-setsize')
          continue;
        changed.push(`${card.getAttribute('data-filename')}: ${r.type} ${r.attributeName ?? ''}`);
      }
    };
    const observer = new MutationObserver(note);
    observer.observe(dom.container, { attributes: true, childList: true, subtree: true });
    const more = [...first, ...Array.from({ length: 300 }, (_, i) => waiting(first.length + i))];
    drawn.length = 0;
    act(() => dom.root.render(h(Gallery, { cards: more, ...props })));
    note(observer.takeRecords());
    observer.disconnect();

    // the same card elements, untouched but for the size …
    expect(shown().slice(0, before.length)).toEqual(before);
    expect(changed).toEqual([]);
    // (the rows in view are the same rows: nothing of them was drawn)
    expect(drawn).toEqual([]);
    // … which every card in view now states
    for (const card of shown()) expect(card.getAttribute('aria-setsize')).toBe(String(more.length));
    expect(before[0]?.getAttribute('aria-posinset')).toBe('1');
  });

  test('waiting photos show their file in a small grid, a placeholder in the virtual one', async () => {
    // every card counts as near the window at once (happy-dom's observer never reports)
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(private readonly report: IntersectionObserverCallback) {}
        observe(target: Element) {
          queueMicrotask(() =>
            this.report(
              [{ isIntersecting: true, target } as IntersectionObserverEntry],
              this as unknown as IntersectionObserver,
            ),
          );
        }
        unobserve() {}
        disconnect() {}
      },
    );
    const withFile = (n: number): Card => ({
      ...waiting(n),
      file: new File(['x'], `p${n}.jpg`, { type: 'image/jpeg' }),
    });
    const previews = () => dom.container.querySelectorAll('[data-testid=card-preview][src]').length;
    const few = Array.from({ length: 3 }, (_, i) => withFile(i));
    act(() => dom.root.render(h(Gallery, { cards: few, onRemove: nothing, onClear: nothing })));
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(previews()).toBe(3);
    const many = Array.from({ length: VIRTUAL_FROM + 20 }, (_, i) => withFile(i));
    act(() => dom.root.render(h(Gallery, { cards: many, onRemove: nothing, onClear: nothing })));
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(dom.container.querySelectorAll('[data-testid=image-card]').length).toBeGreaterThan(0);
    // small files are not shown there (only a large one's embedded thumbnail would be)
    expect(previews()).toBe(0);
    vi.unstubAllGlobals();
    // a drawn placeholder, not a glyph: an emoji sends the browser through its fonts for a fallback
    const thumbs = [...dom.container.querySelectorAll('.card__thumb')];
    expect(thumbs.length).toBeGreaterThan(0);
    for (const thumb of thumbs) {
      expect(thumb.querySelector('svg[data-testid=photo-placeholder]')).not.toBeNull();
      expect(thumb.textContent).toBe('');
    }
    // the small grid's previews were let go with their cards; none made for the large one
    expect(previewUrlCount()).toBe(0);
  });

  test('rows scrolled into view are drawn after the scroll event, not inside it', () => {
    const cards = Array.from({ length: VIRTUAL_FROM + 400 }, (_, i) => waiting(i));
    act(() => dom.root.render(h(Gallery, { cards, onRemove: nothing, onClear: nothing })));
    const firstShown = () =>
      dom.container.querySelector('[data-testid=image-card]')?.getAttribute('data-filename');
    expect(firstShown()).toBe('p0.jpg');
    // Inside the event the virtualizer only asks React for a render (no flushSync): the browser's
    // scroll event runs in the frame's own task, which then also lays out and paints the rows.
    act(() => {
      window.scrollTo(0, 20_000);
      window.dispatchEvent(new Event('scroll'));
      expect(firstShown()).toBe('p0.jpg');
    });
    // … and it follows
    expect(firstShown()).not.toBe('p0.jpg');
    window.scrollTo(0, 0);
  });
});
