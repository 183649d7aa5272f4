import { useRef, type ReactNode } from 'react';
import { countByStatus, type Card } from './gallery-state';
import { ImageCard } from './image-card';
import { NewResultsCue } from './new-results-cue';
import './gallery.css';

/** The grid of cards with a toolbar (counts, clear all). Results are announced politely. */
export function Gallery({
  cards,
  onRemove,
  onClear,
  renderActions,
  toolbarActions,
  needsModel,
}: {
  cards: Card[];
  onRemove: (id: string) => void;
  onClear: () => void;
  /** extra controls on each card (e.g. "Why?") */
  renderActions?: (card: Card) => ReactNode;
  /** extra controls in the toolbar (e.g. export) */
  toolbarActions?: ReactNode;
  /** what to do while photos wait for a model (shown only while some do) */
  needsModel?: ReactNode;
}) {
  const grid = useRef<HTMLUListElement>(null);
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
      <NewResultsCue cards={cards} list={grid} />
      <ul className="gallery__grid" ref={grid}>
        {cards.map((card) => (
          <ImageCard key={card.id} card={card} onRemove={onRemove} renderActions={renderActions} />
        ))}
      </ul>
    </section>
  );
}
