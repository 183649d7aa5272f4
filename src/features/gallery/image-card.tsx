import { memo, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Prediction } from '../../inference/protocol';
import { RESIZE_MODE_LABELS } from '../../preprocess/geometry';
import { backendName } from '../../lib/backend-names';
import { PhotoPlaceholder } from '../../lib/photo-placeholder';
import type { Card } from './gallery-state';
import { shortLabel, unsureHint } from './prediction-label';
import { MADE_PREVIEW_FROM_BYTES, attachPreviewSoon } from './preview-url';

const STATUS_TEXT: Record<Card['status'], string> = {
  waiting: 'Waiting for a model',
  queued: 'Queued',
  preprocessing: 'Preparing…',
  classifying: 'Classifying…',
  done: 'Done',
  error: 'Error',
};

/** Formats a probability as a percentage with one decimal. */
function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Ranked labels with probability bars; `testId` tells the main list from a second model's. */
function PredictionList({ predictions, testId }: { predictions: Prediction[]; testId: string }) {
  return (
    <ol className="predictions">
      {predictions.map((p) => (
        <li
          key={p.index}
          data-testid={testId}
          data-label={p.label}
          data-probability={p.probability}
        >
          <span
            className="predictions__label"
            title={p.label}
            // A shortened name can be focused to show the whole one (keyboard users get no hover).
            {...(shortLabel(p.label) !== p.label ? { tabIndex: 0 } : {})}
          >
            <span aria-hidden="true">{shortLabel(p.label)}</span>
            <span className="visually-hidden">{p.label}</span>
          </span>
          {shortLabel(p.label) !== p.label && (
            <span className="predictions__tip" aria-hidden="true" data-testid="label-tip">
              {p.label}
            </span>
          )}
          <span className="predictions__value">{percent(p.probability)}</span>
          <span className="bar" aria-hidden="true">
            <span
              className="bar__fill"
              style={{ width: percent(Math.max(0, Math.min(1, p.probability))) }}
            />
          </span>
        </li>
      ))}
    </ol>
  );
}

/** What a second model (ImageNet's, next to a custom one) made of the photo. */
function AlsoPanel({ also }: { also: NonNullable<Card['also']> }) {
  return (
    <div className="card__also" data-testid="also" data-model={also.modelId}>
      <p className="card__also-title">
        {also.name.replace(/\s*\(ImageNet\)\s*$/i, '')} <span className="muted">(ImageNet)</span>
      </p>
      {also.predictions ? (
        <PredictionList predictions={also.predictions.slice(0, 3)} testId="also-prediction" />
      ) : (
        // One short line; the full reason (often long) is there on hover.
        <p className="muted" data-testid="also-error" title={also.error}>
          Not available: this model could not be loaded here.
        </p>
      )}
    </div>
  );
}

/**
 * The thumbnail URL of a card: its own, or for a card whose thumbnail the photo library keeps
 * (restored, or let go of once kept) one made from the kept thumbnail while the card is shown
 * (revoked when it goes).
 */
function useThumbnail(
  card: Card,
  load: ((card: Card) => Promise<Blob | undefined>) | undefined,
): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  // The card's own URL as last seen. When the library lets it go (revoked), this card keeps
  // showing the picture it already decoded under the same src: reading the kept copy back from
  // IndexedDB and decoding it again cost every photo of a batch a transaction, a blob URL, a
  // decode and a repaint for the same pixels. A card drawn afresh (another view, a scrolled
  // virtual row) has no own URL any more and reads the kept one.
  const [lastOwn, setLastOwn] = useState(card.thumbnailUrl);
  if (card.thumbnailUrl && card.thumbnailUrl !== lastOwn) setLastOwn(card.thumbnailUrl);
  const keepOwn = !card.thumbnailUrl && card.stored === true && lastOwn !== undefined;
  const wanted = !card.thumbnailUrl && !keepOwn && card.stored === true && load !== undefined;
  useEffect(() => {
    if (!wanted || !load) return;
    let made: string | undefined;
    let gone = false;
    void load(card).then((blob) => {
      if (gone || !blob) return;
      made = URL.createObjectURL(blob);
      setUrl(made);
    });
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
    // Only a new card (id) or loader asks again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, load, card.id]);
  return card.thumbnailUrl ?? (keepOwn ? lastOwn : wanted ? url : undefined);
}

/** How far outside the window a waiting card's picture is already attached, in pixels. */
const NEAR_VIEW_PX = 300;
/** What each watched element does once it comes near the window. */
const nearViewJobs = new WeakMap<Element, () => void>();
let nearView: IntersectionObserver | null = null;

/**
 * Runs `attach` once `element` comes within {@link NEAR_VIEW_PX} of the window (at once where
 * the browser cannot tell); returns the release, which stops the watch or undoes what `attach`
 * did. Pictures of waiting cards out of sight are not decoded: the browser's own lazy loading
 * starts a screenful or more away, so a drop of 16 photos had every one decoded beside its first
 * inputs.
 */
function whenNearView(element: Element, attach: () => () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') return attach();
  nearView ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        nearView?.unobserve(entry.target);
        const job = nearViewJobs.get(entry.target);
        nearViewJobs.delete(entry.target);
        job?.();
      }
    },
    { rootMargin: `${NEAR_VIEW_PX}px` },
  );
  let release: (() => void) | null = null;
  nearViewJobs.set(element, () => {
    release = attach();
  });
  nearView.observe(element);
  return () => {
    nearView?.unobserve(element);
    nearViewJobs.delete(element);
    release?.();
  };
}

/**
 * The photo straight from its file while it waits for its turn (its small thumbnail is made when
 * it is prepared). One object URL per file while any card shows it (preview-url.ts): the ref
 * callback is stable, so a re-render neither makes a new URL nor has the browser fetch and decode
 * the full-size file again (a dropped batch re-renders every card several times per photo). The
 * URL is made in a task soon after the card mounts, not in the render that mounts it.
 *
 * The virtual grid (a library of 60 photos or more) shows no file itself: each preview was a URL
 * made by a synchronous trip to the browser process and a full-size decode, for every waiting card
 * that scrolls into view — a third of the long tasks while a 400-photo folder was classified and
 * scrolled (CPU profile, `npm run bench -- --suite=library --profile-out=…`). There a waiting
 * card shows the thumbnail a camera embedded in a large photo (`embeddedOnly`: a 160 × 120 JPEG
 * read from the file's head), over a placeholder that stays where there is none, until its own
 * thumbnail is made.
 */
function FilePreview({
  file,
  name,
  embeddedOnly = false,
}: {
  file: File;
  name: string;
  embeddedOnly?: boolean;
}) {
  const attach = useCallback(
    (img: HTMLImageElement | null) =>
      img ? whenNearView(img, () => attachPreviewSoon(img, file, { embeddedOnly })) : undefined,
    [file, embeddedOnly],
  );
  return (
    <img
      alt={name}
      loading="lazy"
      decoding="async"
      data-testid="card-preview"
      ref={attach}
      // a file that turns out to be no image shows nothing rather than a broken picture
      onError={(event) => {
        event.currentTarget.hidden = true;
      }}
    />
  );
}

/** What an {@link ImageCard} is drawn from. */
interface ImageCardProps {
  card: Card;
  onRemove: (id: string) => void;
  /** extra controls other features put on a card (e.g. "Why?") */
  renderActions?: ((card: Card) => ReactNode) | undefined;
  /** reads a restored card's kept thumbnail */
  loadThumbnail?: ((card: Card) => Promise<Blob | undefined>) | undefined;
  /** place in a virtualised list, for screen readers (1-based) */
  position?: { index: number; of: number };
  /**
   * 'embedded': a photo waiting for its turn shows the thumbnail its camera embedded in it, else a
   * placeholder, not its file, until its own thumbnail is made (the virtual grid of a large
   * library: see {@link FilePreview})
   */
  preview?: 'file' | 'embedded';
}

function CardView({
  card,
  onRemove,
  renderActions,
  loadThumbnail,
  position,
  preview = 'file',
}: ImageCardProps) {
  const thumbnailUrl = useThumbnail(card, loadThumbnail);
  return (
    <li
      className={`card card--${card.status}`}
      data-testid="image-card"
      data-filename={card.name}
      data-path={card.path}
      data-status={card.status}
      {...(position ? { 'aria-posinset': position.index, 'aria-setsize': position.of } : {})}
    >
      <div className="card__thumb">
        {thumbnailUrl ? (
          <img src={thumbnailUrl} alt={card.name} />
        ) : card.status === 'error' || !card.file ? (
          <PhotoPlaceholder />
        ) : preview === 'embedded' ? (
          // (a folder's cards know their file's size: a small one has no camera thumbnail to show)
          card.size !== undefined && card.size < MADE_PREVIEW_FROM_BYTES ? (
            <PhotoPlaceholder />
          ) : (
            <>
              <PhotoPlaceholder />
              <FilePreview file={card.file} name={card.name} embeddedOnly />
            </>
          )
        ) : (
          <FilePreview file={card.file} name={card.name} />
        )}
      </div>
      <div className="card__body">
        <div className="card__head">
          <span className="card__name" title={card.name}>
            {card.name}
          </span>
          <button
            type="button"
            className="icon-button"
            onClick={() => onRemove(card.id)}
            aria-label={`Remove ${card.name}`}
          >
            ×
          </button>
        </div>
        <p className="card__status">
          {STATUS_TEXT[card.status]}
          {card.waitingFor && (
            <span className="muted" data-testid="card-waiting">
              {' '}
              · {card.waitingFor}
            </span>
          )}
          {card.status === 'done' && card.ms !== undefined && (
            <span className="muted">
              {' '}
              · {Math.round(card.ms)} ms on {card.backend ? backendName(card.backend) : ''}
            </span>
          )}
          {card.status === 'done' && card.resizeMode && (
            <span className="muted" data-testid="card-resize" data-resize={card.resizeMode}>
              {' '}
              · {RESIZE_MODE_LABELS[card.resizeMode]}
            </span>
          )}
        </p>
        {card.error && (
          <p className="card__error" role="alert">
            {card.error}
          </p>
        )}
        {card.note && <p className="muted">{card.note}</p>}
        {card.predictions && <PredictionList predictions={card.predictions} testId="prediction" />}
        {card.status === 'done' && unsureHint(card.predictions?.[0]?.probability) && (
          <p className="muted card__hint" data-testid="card-hint">
            {unsureHint(card.predictions?.[0]?.probability)}
          </p>
        )}
        {card.also && <AlsoPanel also={card.also} />}
        {renderActions && <div className="card__actions">{renderActions(card)}</div>}
      </div>
    </li>
  );
}

/** Whether a card would draw the same: the reducer keeps an unchanged card's object. */
export function sameCardProps(a: ImageCardProps, b: ImageCardProps): boolean {
  return (
    a.card === b.card &&
    a.onRemove === b.onRemove &&
    a.renderActions === b.renderActions &&
    a.loadThumbnail === b.loadThumbnail &&
    a.preview === b.preview &&
    a.position?.index === b.position?.index
    // Not `position.of`: the virtual grid writes a new list size onto the cards in view itself
    // (a folder's cards arrive every 200 ms; drawing every card in view again for it was most
    // of each hand-over's render).
  );
}

/**
 * One photo: thumbnail, status, then its top-3 labels with probability bars. Memoised: while a
 * batch runs, each result re-renders the gallery, and only the cards that changed draw again.
 */
export const ImageCard = memo(CardView, sameCardProps);
