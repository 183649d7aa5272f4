import { useEffect, useRef } from 'react';
import type { PhotoNeighbour } from '../../../inference/protocol';
import type { Card } from '../gallery-state';
import { shortLabel } from '../prediction-label';

/** What the similar-photos dialog shows: the photo asked about and its neighbours, or groups. */
export type SimilarView =
  | {
      kind: 'similar';
      of: Card;
      neighbours: PhotoNeighbour[] | null;
      /** the worker's scan, in milliseconds (its `photos-similar` reply times it) */
      ms?: number;
    }
  | { kind: 'duplicates'; groups: string[][] | null };

function SmallCard({
  card,
  score,
  loadThumbnail,
}: {
  card: Card;
  score?: number;
  loadThumbnail: (card: Card) => Promise<Blob | undefined>;
}) {
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    let url: string | undefined = card.thumbnailUrl;
    let made = false;
    let gone = false;
    if (url) {
      if (img.current) img.current.src = url;
    } else {
      void loadThumbnail(card).then((blob) => {
        if (gone || !blob || !img.current) return;
        url = URL.createObjectURL(blob);
        made = true;
        img.current.src = url;
      });
    }
    return () => {
      gone = true;
      if (made && url) URL.revokeObjectURL(url);
    };
  }, [card, loadThumbnail]);
  const top = card.predictions?.[0];
  return (
    <li
      className="card card--small"
      data-testid="image-card"
      data-filename={card.name}
      data-path={card.path}
      data-status={card.status}
      {...(score !== undefined ? { 'data-score': score.toFixed(4) } : {})}
    >
      <div className="card__thumb">
        <img ref={img} alt={card.name} />
      </div>
      <div className="card__body">
        <span className="card__name" title={card.path}>
          {card.path}
        </span>
        {top && (
          <span className="muted">
            {shortLabel(top.label)} {(top.probability * 100).toFixed(0)}%
          </span>
        )}
        {score !== undefined && <span className="muted"> · {(score * 100).toFixed(1)}% alike</span>}
      </div>
    </li>
  );
}

/** A modal dialog: "more like this" for one photo, or the library's near-duplicate groups. */
export function SimilarDialog({
  view,
  cardsById,
  loadThumbnail,
  onClose,
}: {
  view: SimilarView;
  cardsById: Map<string, Card>;
  loadThumbnail: (card: Card) => Promise<Blob | undefined>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const title = view.kind === 'similar' ? `Photos like ${view.of.path}` : 'Near-duplicate photos';
  return (
    <dialog
      ref={dialog}
      className="similar"
      aria-label={title}
      onClose={onClose}
      data-testid={view.kind === 'similar' ? 'similar-dialog' : 'duplicates-dialog'}
    >
      <div className="similar__head">
        <h2>{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {view.kind === 'similar' ? (
        view.neighbours === null ? (
          <p role="status">Looking…</p>
        ) : view.neighbours.length === 0 ? (
          <p role="status">No other photo in this library has features to compare yet.</p>
        ) : (
          <ol
            className="similar__list"
            data-testid="similar-list"
            aria-label="Most alike first"
            {...(view.ms !== undefined ? { 'data-ms': Math.round(view.ms) } : {})}
          >
            {view.neighbours.map((n) => {
              const card = cardsById.get(n.key);
              return card ? (
                <SmallCard key={n.key} card={card} score={n.score} loadThumbnail={loadThumbnail} />
              ) : null;
            })}
          </ol>
        )
      ) : view.groups === null ? (
        <p role="status">Comparing every photo…</p>
      ) : view.groups.length === 0 ? (
        <p role="status" data-testid="duplicates-none">
          No near-duplicates in this library.
        </p>
      ) : (
        <div data-testid="duplicates-list">
          <p className="muted">
            {view.groups.length} group{view.groups.length === 1 ? '' : 's'} of photos whose features
            nearly coincide.
          </p>
          {view.groups.map((group, i) => (
            <ul key={i} className="similar__list" data-testid="duplicate-group">
              {group.map((key) => {
                const card = cardsById.get(key);
                return card ? (
                  <SmallCard key={key} card={card} loadThumbnail={loadThumbnail} />
                ) : null;
              })}
            </ul>
          ))}
        </div>
      )}
    </dialog>
  );
}
