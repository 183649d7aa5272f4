import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { messageOf } from '../../../lib/message-of';
import { useStore } from '../../../lib/store';
import { Gallery } from '../gallery';
import type { Card } from '../gallery-state';
import { browse } from './browse';
import { BrowseBar } from './browse-bar';
import { LibraryPanel } from './library-panel';
import { SimilarDialog, type SimilarView } from './similar-dialog';
import type { PhotoLibrary } from './use-photo-library';
import './library.css';

/**
 * Classify's photo library: the library header, then the gallery of the photos that match the
 * browsing options (virtualised when large), each finished card offering "More like this".
 * It subscribes to the queue's cards itself, so a photo's result draws this view (the counters,
 * and through the memoised cards only the card that changed), not the page around it.
 */
export function PhotoLibraryView({
  library,
  renderActions,
  toolbarActions,
  needsModel,
}: {
  library: PhotoLibrary;
  /** other features' controls on each card (e.g. "Why?") */
  renderActions?: (card: Card) => ReactNode;
  /** other features' controls in the toolbar (e.g. export of the page's results) */
  toolbarActions?: ReactNode;
  needsModel?: ReactNode;
}) {
  const cards = useStore(library.cards);
  const visible = useMemo(() => browse(cards, library.options), [cards, library.options]);
  const [view, setView] = useState<SimilarView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const cardsById = useMemo(() => new Map(cards.map((c) => [c.id, c])), [cards]);
  const { similar, duplicates, remove } = library;
  // Stable, so the memoised cards do not all draw again on every result.
  const removeOne = useCallback((id: string) => remove([id]), [remove]);

  const showSimilar = useCallback(
    (card: Card) => {
      setView({ kind: 'similar', of: card, neighbours: null });
      similar(card.id).then(
        (reply) =>
          setView({ kind: 'similar', of: card, neighbours: reply.neighbours, ms: reply.ms }),
        (e: unknown) => {
          setView(null);
          setBusy(`Similar photos failed: ${messageOf(e)}`);
        },
      );
    },
    [similar],
  );

  const showDuplicates = useCallback(() => {
    setView({ kind: 'duplicates', groups: null });
    duplicates().then(
      (groups) => setView({ kind: 'duplicates', groups }),
      (e: unknown) => {
        setView(null);
        setBusy(`Near-duplicates failed: ${messageOf(e)}`);
      },
    );
  }, [duplicates]);

  const actions = useCallback(
    (card: Card) => (
      <>
        {renderActions?.(card)}
        {card.status === 'done' && (
          <button
            type="button"
            className="button--secondary"
            data-testid="similar-button"
            aria-label={`More like this: ${card.name}`}
            onClick={() => showSimilar(card)}
          >
            More like this
          </button>
        )}
      </>
    ),
    [renderActions, showSimilar],
  );

  return (
    <>
      <LibraryPanel library={library} cards={cards} shown={visible.length} />
      {busy && (
        <p role="alert" className="library__note">
          {busy}{' '}
          <button type="button" className="button--secondary" onClick={() => setBusy(null)}>
            Dismiss
          </button>
        </p>
      )}
      <Gallery
        cards={cards}
        visible={visible}
        onRemove={removeOne}
        onClear={library.clearAll}
        renderActions={actions}
        loadThumbnail={library.loadThumbnail}
        needsModel={needsModel}
        toolbarActions={
          <div className="library__tools">
            {toolbarActions}
            <button type="button" onClick={() => void library.exportLibrary('csv')}>
              Export library (CSV)
            </button>
            <button type="button" onClick={() => void library.exportLibrary('json')}>
              Export library (JSON)
            </button>
            <button type="button" data-testid="duplicates-button" onClick={showDuplicates}>
              Near-duplicates
            </button>
          </div>
        }
        browse={<BrowseBar cards={cards} options={library.options} onChange={library.setOptions} />}
      />
      {view && (
        <SimilarDialog
          view={view}
          cardsById={cardsById}
          loadThumbnail={library.loadThumbnail}
          onClose={() => setView(null)}
        />
      )}
    </>
  );
}
