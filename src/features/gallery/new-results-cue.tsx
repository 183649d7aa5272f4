import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Card } from './gallery-state';

/** True when `el` starts below the bottom of the window (the user cannot see it). */
function belowFold(el: Element): boolean {
  return el.getBoundingClientRect().top > window.innerHeight;
}

/**
 * "N new results below": a button that appears when photos finish out of sight, below the
 * window's bottom edge; it scrolls to the first of them, and goes away once they are seen.
 * `list` is the grid whose children are the cards, in the order of `cards`.
 */
export function NewResultsCue({
  cards,
  list,
}: {
  cards: Card[];
  list: RefObject<HTMLElement | null>;
}) {
  const seenDone = useRef(new Set<string>());
  const [below, setBelow] = useState<string[]>([]);

  // Newly finished cards: measured on the next frame, after the DOM shows them.
  useEffect(() => {
    const fresh = cards
      .map((card, index) => ({ card, index }))
      .filter(({ card }) => card.status === 'done' && !seenDone.current.has(card.id));
    if (fresh.length === 0) return;
    for (const { card } of fresh) seenDone.current.add(card.id);
    const frame = requestAnimationFrame(() => {
      const items = list.current?.children;
      if (!items) return;
      const hidden = fresh
        .filter(({ index }) => {
          const el = items[index];
          return el !== undefined && belowFold(el);
        })
        .map(({ card }) => card.id);
      if (hidden.length > 0) setBelow((ids) => [...ids, ...hidden]);
    });
    return () => cancelAnimationFrame(frame);
  }, [cards, list]);

  // Forget cards that were removed or scrolled into view.
  const ids = new Set(cards.map((c) => c.id));
  const pending = below.filter((id) => ids.has(id));
  const elementOf = (id: string): Element | undefined =>
    list.current?.children[cards.findIndex((c) => c.id === id)];
  const anyPending = pending.length > 0;
  useEffect(() => {
    if (!anyPending) return;
    const onScroll = () =>
      setBelow((current) =>
        current.filter((id) => {
          const index = cards.findIndex((c) => c.id === id);
          const el = list.current?.children[index];
          return el !== undefined && belowFold(el);
        }),
      );
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [anyPending, cards, list]);

  if (!anyPending) return null;
  return (
    <button
      type="button"
      className="new-results-cue"
      data-testid="new-results-cue"
      data-count={pending.length}
      onClick={() => {
        elementOf(pending[0] ?? '')?.scrollIntoView({ behavior: 'smooth', block: 'center' });
        setBelow([]);
      }}
    >
      ↓ {pending.length} new result{pending.length === 1 ? '' : 's'} below
    </button>
  );
}
