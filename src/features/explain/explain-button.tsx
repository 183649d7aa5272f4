import { useRef, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import type { ResizeMode } from '../../preprocess/geometry';
import { ExplainDialog, type ExplainableCard } from './explain-dialog';

/** A card's "Why?" button; it opens the Grad-CAM dialog and takes focus back when it closes. */
export function ExplainButton({
  card,
  client,
  model,
  resizeMode,
}: {
  card: ExplainableCard;
  client: InferenceClient;
  /** the model the worker has ready (null while loading) */
  model: LoadedModelInfo | null;
  resizeMode: ResizeMode;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  if (card.status !== 'done' || !card.predictions?.length) return null;
  const top = card.predictions[0]?.label ?? '';
  return (
    <>
      <button
        ref={button}
        type="button"
        className="button--secondary explain__why"
        data-testid="explain-button"
        aria-haspopup="dialog"
        aria-label={`Why ${top}? Show where the model looked in ${card.name}`}
        onClick={() => setOpen(true)}
      >
        Why?
      </button>
      {open && (
        <ExplainDialog
          card={card}
          client={client}
          model={model}
          resizeMode={resizeMode}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </>
  );
}
