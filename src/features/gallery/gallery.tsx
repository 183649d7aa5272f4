import { useWindowVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { countByStatus, type Card } from './gallery-state';
import { ImageCard } from './image-card';
import { NewResultsCue, type CardPlacement } from './new-results-cue';
import './gallery.css';

/**
 * From this many cards on, only the rows in view (plus a margin) are in the DOM: a library of
 * thousands stays as fast as a handful. Below it every card is rendered, as before.
 */
export const VIRTUAL_FROM = 60;
/** Narrowest card, as in gallery.css (`minmax(min(100%, 320px), 1fr)`), and the gap. */
const CARD_MIN = 320;
const GAP = 12;

/** The grid of cards with a toolbar (counts, clear all). Results are announced politely. */
export function Gallery({
  cards,
  visible = cards,
  onRemove,
  onClear,
  renderActions,
  toolbarActions,
  browse,
  needsModel,
  loadThumbnail,
}: {
  cards: Card[];
  /** the cards to show (a search, a filter, an order); default all */
  visible?: Card[];
  onRemove: (id: string) => void;
  onClear: () => void;
  /** extra controls on each card (e.g. "Why?") */
  renderActions?: (card: Card) => ReactNode;
  /** extra controls in the toolbar (e.g. export) */
  toolbarActions?: ReactNode;
  /** browsing controls shown between the toolbar and the grid */
  browse?: ReactNode;
  /** what to do while photos wait for a model (shown only while some do) */
  needsModel?: ReactNode;
  /** reads a restored card's thumbnail from where it is kept */
  loadThumbnail?: (card: Card) => Promise<Blob | undefined>;
}) {
  const grid = useRef<HTMLUListElement>(null);
  // The plain grid's cards are its children, in order.
  const placement = useMemo<CardPlacement>(
    () => ({
      top: (index) => grid.current?.children[index]?.getBoundingClientRect().top,
      reveal: (index) =>
        grid.current?.children[index]?.scrollIntoView({ behavior: 'smooth', block: 'center' }),
    }),
    [],
  );
  if (cards.length === 0) return null;
  const counts = countByStatus(cards);
  const busy = counts.queued + counts.preprocessing + counts.classifying;
  return (
    <section className="gallery" aria-label="Photos">
      <div className="gallery__toolbar">
        <p aria-live="polite" data-testid="gallery-summary">
          {cards.length} photo{cards.length === 1 ? '' : 's'}: {counts.done} done
          {counts.error > 0 && `, ${counts.error} with errors`}
          {busy > 0 && `, ${busy} in progress`}
          {counts.waiting > 0 && `, ${counts.waiting} waiting for a model`}
        </p>
        {toolbarActions}
        <button type="button" onClick={onClear}>
          Clear all
        </button>
      </div>
      {counts.waiting > 0 && needsModel && (
        <div className="gallery__needs-model" role="status" data-testid="needs-model">
          {needsModel}
        </div>
      )}
      {browse}
      {visible.length >= VIRTUAL_FROM ? (
        <VirtualGrid
          cards={visible}
          onRemove={onRemove}
          renderActions={renderActions}
          loadThumbnail={loadThumbnail}
        />
      ) : (
        <>
          <NewResultsCue cards={visible} placement={placement} />
          <ul className="gallery__grid" ref={grid}>
            {visible.map((card) => (
              <ImageCard
                key={card.id}
                card={card}
                onRemove={onRemove}
                renderActions={renderActions}
                loadThumbnail={loadThumbnail}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** A row's height before it is measured. */
const ROW_ESTIMATE = 260;

/**
 * A row's height: from its ResizeObserver entry, else (a row just put on the page) the height it
 * had before or the estimate. The library's default reads `offsetHeight` there, which makes the
 * browser lay the page out inside the render that mounts the rows; the observer reports the real
 * height before the frame is painted.
 */
export function measureRow(
  element: Element,
  entry: ResizeObserverEntry | undefined,
  instance: Virtualizer<Window, Element>,
): number {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(box.blockSize);
  const index = instance.indexFromElement(element);
  return instance.measurementsCache[index]?.size ?? ROW_ESTIMATE;
}

/** How many cards fit side by side in `width` pixels. */
function columnsFor(width: number): number {
  return Math.max(1, Math.floor((width + GAP) / (CARD_MIN + GAP)));
}

/**
 * The grid for a large library: rows of cards placed by `@tanstack/react-virtual` against the
 * window's scroll; rows are measured as they render (cards differ in height).
 */
function VirtualGrid({
  cards,
  onRemove,
  renderActions,
  loadThumbnail,
}: {
  cards: Card[];
  onRemove: (id: string) => void;
  renderActions?: ((card: Card) => ReactNode) | undefined;
  loadThumbnail?: ((card: Card) => Promise<Blob | undefined>) | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(1);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const measure = (): void => {
      setColumns(columnsFor(element.clientWidth));
      setOffset(element.getBoundingClientRect().top + window.scrollY);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const rows = Math.ceil(cards.length / columns);
  const virtualizer = useWindowVirtualizer({
    count: rows,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 3,
    scrollMargin: offset,
    gap: GAP,
    measureElement: measureRow,
    // Rows that scroll into view are drawn in a task of their own, not inside the browser's
    // scroll event: the library's default (React's flushSync there) put the render of every new
    // row and the frame's style, layout and paint in one task, the longest of a scroll (a
    // Chromium trace of the first scrolls, scripts/scroll-probe.ts: 33–58 ms quiet with the render
    // in the frame, 10–30 ms without; 2 cores, photos classifying beside it). The render follows
    // before the next frame; a scroll of more than the overscan can show a row late by a frame.
    useFlushSync: false,
  });
  // How many cards the list has, for screen readers, written straight onto the cards in view: as
  // a prop it would draw every one of them again each time a folder's next cards are handed over.
  useLayoutEffect(() => {
    for (const item of container.current?.querySelectorAll('[aria-setsize]') ?? []) {
      item.setAttribute('aria-setsize', String(cards.length));
    }
  }, [cards.length]);
  // A new column count changes every row's content: measure them again.
  useEffect(() => {
    virtualizer.measure();
  }, [columns, virtualizer]);
  // The new-results cue finds a card through its row's measured (or estimated) place: most
  // cards are not in the DOM.
  const placement = useMemo<CardPlacement>(
    () => ({
      top: (index) => {
        const row =
          index < 0 ? undefined : virtualizer.measurementsCache[Math.floor(index / columns)];
        // The virtualizer's own record of the scroll (kept from scroll events): reading
        // window.scrollY here, in a frame callback after React changed the DOM, would make the
        // browser lay the page out on the spot.
        return row === undefined
          ? undefined
          : row.start - (virtualizer.scrollOffset ?? window.scrollY);
      },
      reveal: (index) =>
        virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'center' }),
    }),
    [virtualizer, columns],
  );
  return (
    <>
      <NewResultsCue cards={cards} placement={placement} />
      <div
        ref={container}
        className="gallery__virtual"
        style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        data-testid="gallery-virtual"
      >
        {virtualizer.getVirtualItems().map((row) => {
          const first = row.index * columns;
          const inRow = cards.slice(first, first + columns);
          return (
            <ul
              key={row.key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              className="gallery__grid gallery__row"
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)`,
              }}
            >
              {inRow.map((card, i) => (
                <ImageCard
                  key={card.id}
                  card={card}
                  onRemove={onRemove}
                  renderActions={renderActions}
                  loadThumbnail={loadThumbnail}
                  position={{ index: first + i + 1, of: cards.length }}
                  preview="embedded"
                />
              ))}
            </ul>
          );
        })}
      </div>
    </>
  );
}
