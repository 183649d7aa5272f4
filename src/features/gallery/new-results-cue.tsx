import { useEffect, useMemo, useRef, useState } from 'react';
import type { Card } from './gallery-state';

/**
 * Where the grid shows its cards, by index in the cards' order: the plain grid asks the DOM, the
 * virtual grid its row measurements (most of its cards are not in the DOM at all).
 */
export interface CardPlacement {
  /** the card's top edge relative to the window's top, or undefined when it has none */
  top(index: number): number | undefined;
  /** scrolls the window so the card is in view */
  reveal(index: number): void;
}

/**
 * The window's height, kept from resize events: reading `innerHeight` (or `scrollY`) right after
 * React changed the DOM makes the browser lay the page out there and then, inside the frame
 * callback, instead of once with the frame.
 */
let viewportHeight = typeof window === 'undefined' ? 0 : window.innerHeight;
if (typeof window !== 'undefined') {
  window.addEventListener('resize', () => (viewportHeight = window.innerHeight), {
    passive: true,
  });
}

/** True when a card whose top edge is at `top` starts below the window's bottom edge. */
function belowFold(top: number | undefined): boolean {
  return top !== undefined && top > viewportHeight;
}

/**
 * "N new results below": a button that appears when photos finish out of sight, below the
 * window's bottom edge; it scrolls to the first of them, and goes away once they are seen.
 * `placement` tells where each card of `cards` is.
 */
export function NewResultsCue({ cards, placement }: { cards: Card[]; placement: CardPlacement }) {
  const seenDone = useRef(new Set<string>());
  const [below, setBelow] = useState<string[]>([]);

  // Newly finished cards: measured on the next frame, after the grid shows them.
  useEffect(() => {
    // One pass, no object per card: this runs with every result and every folder hand-over.
    const fresh: { card: Card; index: number }[] = [];
    cards.forEach((card, index) => {
      if (card.status === 'done' && !seenDone.current.has(card.id)) fresh.push({ card, index });
    });
    if (fresh.length === 0) return;
    // Marked as seen only once measured: a burst of results cancels frames, and a card whose
    // frame was cancelled is measured with the next burst instead of being lost.
    const frame = requestAnimationFrame(() => {
      for (const { card } of fresh) seenDone.current.add(card.id);
      const hidden = fresh
        .filter(({ index }) => belowFold(placement.top(index)))
        .map(({ card }) => card.id);
      if (hidden.length > 0) setBelow((ids) => [...ids, ...hidden]);
    });
    return () => cancelAnimationFrame(frame);
  }, [cards, placement]);

  // Forget cards that were removed or scrolled into view.
  const pending = useMemo(() => {
    if (below.length === 0) return below;
    const ids = new Set(cards.map((c) => c.id));
    return below.filter((id) => ids.has(id));
  }, [below, cards]);
  const anyPending = pending.length > 0;
  useEffect(() => {
    if (!anyPending) return;
    // Where each card is, once per change of the cards (not a search of them per pending card
    // per scroll event: thousands of results can wait below a library's fold).
    const indexOf = new Map(cards.map((c, i) => [c.id, i]));
    const onScroll = () =>
      setBelow((current) =>
        current.filter((id) => belowFold(placement.top(indexOf.get(id) ?? -1))),
      );
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [anyPending, cards, placement]);

  if (!anyPending) return null;
  return (
    <button
      type="button"
      className="new-results-cue"
      data-testid="new-results-cue"
      data-count={pending.length}
      onClick={() => {
        const first = cards.findIndex((c) => c.id === pending[0]);
        if (first >= 0) placement.reveal(first);
        setBelow([]);
      }}
    >
      ↓ {pending.length} new result{pending.length === 1 ? '' : 's'} below
    </button>
  );
}
