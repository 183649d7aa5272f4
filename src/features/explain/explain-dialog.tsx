import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import type { GradCamResult, GradCamStage, LoadedModelInfo } from '../../inference/protocol';
import type { ResizeMode } from '../../preprocess/geometry';
import { preprocessImage } from '../../preprocess/preprocess-image';
import { requestGradCam } from './explain-client';
import { FeatureMapsView } from './feature-maps-view';
import { HeatmapView } from './heatmap-view';
import './explain.css';
import { messageOf } from '../../lib/message-of';
import { withoutKey } from './without-key';

/** What explaining needs from a gallery card (the gallery's `Card` fits). */
export interface ExplainableCard {
  name: string;
  file: Blob;
  status: string;
  thumbnailUrl?: string;
  predictions?: readonly { index: number; label: string; probability: number }[];
  modelId?: string;
}

/** The photo as the model sees it, kept while the dialog is open (one photo at a time). */
interface Input {
  key: string;
  pixels?: ArrayBuffer;
  size?: number;
  sourceWidth?: number;
  sourceHeight?: number;
  error?: string;
}

interface Outcome {
  result?: GradCamResult;
  error?: string;
}

const STAGE_TEXT: Record<GradCamStage, string> = {
  forward: 'Running the photo through the model…',
  gradient: 'Tracing the class score back to the layer…',
};

/**
 * A modal dialog: the photo with its Grad-CAM heatmap for one of its top classes, at a chosen
 * layer, with an opacity slider. Esc or Close closes it; leaving cancels the work in the worker.
 */
export function ExplainDialog({
  card,
  client,
  model,
  resizeMode,
  onClose,
}: {
  card: ExplainableCard;
  client: InferenceClient;
  model: LoadedModelInfo | null;
  resizeMode: ResizeMode;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const predictions = card.predictions ?? [];
  const [classIndex, setClassIndex] = useState(predictions[0]?.index ?? 0);
  const [layer, setLayer] = useState<string | null>(null);
  const [opacity, setOpacity] = useState(0.6);
  const [input, setInput] = useState<Input | null>(null);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, Outcome>>(new Map());
  const [stage, setStage] = useState<{ key: string; stage: GradCamStage } | null>(null);
  // A card without a thumbnail URL of its own (the photo library keeps it instead) shows the
  // thumbnail made here with the pixels.
  const [ownThumbnail, setOwnThumbnail] = useState<string | null>(null);
  const pictureUrl = card.thumbnailUrl ?? ownThumbnail ?? undefined;

  const otherModel = Boolean(model && card.modelId && card.modelId !== model.id);
  const inputKey = model ? `${model.id}|${model.inputSize}|${resizeMode}` : '';
  const key = `${inputKey}|${classIndex}|${layer ?? ''}`;
  const outcome = outcomes.get(key);
  // The layer list comes with any answer for this model.
  const known = [...outcomes.values()].find((o) => o.result)?.result;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    return () => element.close();
  }, []);

  // Decode and fit the photo once per model input size (its pixels stay in this dialog only).
  useEffect(() => {
    if (!model || otherModel) return;
    let live = true;
    let made: string | null = null;
    preprocessImage(card.file, { size: model.inputSize, mode: resizeMode }).then(
      (image) => {
        if (!live) return;
        made = URL.createObjectURL(image.thumbnail);
        setOwnThumbnail(made);
        setInput({
          key: inputKey,
          pixels: image.pixels,
          size: image.width,
          sourceWidth: image.sourceWidth,
          sourceHeight: image.sourceHeight,
        });
      },
      (error: unknown) => live && setInput({ key: inputKey, error: messageOf(error) }),
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [card.file, model, otherModel, resizeMode, inputKey]);

  const ready = input?.key === inputKey && input.pixels ? input : null;
  // The same object while the photo stays the same, so the feature maps do not ask again.
  const mapsInput = useMemo(
    () =>
      ready?.pixels && ready.size
        ? { key: ready.key, pixels: ready.pixels, size: ready.size }
        : null,
    [ready],
  );

  // Ask the worker for what is not known yet; leaving (or changing the choice) cancels it.
  useEffect(() => {
    if (!ready?.pixels || !ready.size || outcome) return;
    const controller = new AbortController();
    requestGradCam(
      client,
      {
        pixels: ready.pixels.slice(0), // the copy is transferred; the original stays here
        width: ready.size,
        height: ready.size,
        classIndex,
        layer,
      },
      { signal: controller.signal, onStage: (s) => setStage({ key, stage: s }) },
    ).then(
      (result) => {
        if (controller.signal.aborted) return; // stopped or superseded meanwhile
        setOutcomes((prev) => {
          const next = new Map(prev);
          next.set(key, { result });
          // Also file it under the layer's own name, so choosing it later costs nothing.
          next.set(`${inputKey}|${classIndex}|${result.layer}`, { result });
          return next;
        });
      },
      (error: unknown) => {
        if (error instanceof CancelledError || controller.signal.aborted) return;
        setOutcomes((prev) => new Map(prev).set(key, { error: messageOf(error) }));
      },
    );
    return () => controller.abort();
  }, [client, ready, outcome, key, classIndex, layer, inputKey]);

  const chosen = predictions.find((p) => p.index === classIndex);
  const result = outcome?.result;
  const busy = Boolean(ready && !outcome);
  const problem = otherModel
    ? 'This photo was classified by another model than the one loaded now. Classify it again to explain it.'
    : !model
      ? null
      : input?.key === inputKey && input.error
        ? `Could not read the photo again: ${input.error}`
        : (outcome?.error ?? null);

  return (
    <dialog
      ref={dialog}
      className="explain"
      aria-labelledby={titleId}
      data-testid="explain-dialog"
      onClose={onClose}
    >
      <div className="explain__head">
        <h2 id={titleId}>
          Why “{chosen?.label ?? 'this class'}”? <span className="muted">{card.name}</span>
        </h2>
        <button type="button" className="button--secondary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>

      <div className="explain__body">
        <div className="explain__picture">
          {pictureUrl && ready?.sourceWidth && ready.sourceHeight ? (
            <HeatmapView
              imageUrl={pictureUrl}
              alt={card.name}
              sourceWidth={ready.sourceWidth}
              sourceHeight={ready.sourceHeight}
              mode={resizeMode}
              result={result ?? null}
              opacity={opacity}
            />
          ) : (
            pictureUrl && <img src={pictureUrl} alt={card.name} />
          )}
          <div className="explain__legend" aria-hidden="true">
            <span>less</span>
            <span className="explain__ramp" />
            <span>more important for the class</span>
          </div>
        </div>

        <div className="explain__controls">
          <fieldset>
            <legend>Explain which class?</legend>
            {predictions.map((p) => (
              <label key={p.index} className="explain__class">
                <input
                  type="radio"
                  name={`${titleId}-class`}
                  value={p.index}
                  checked={p.index === classIndex}
                  onChange={() => setClassIndex(p.index)}
                />
                {p.label} <span className="muted">{(p.probability * 100).toFixed(1)}%</span>
              </label>
            ))}
          </fieldset>

          <label className="explain__field">
            Layer
            <select
              data-testid="explain-layer"
              value={layer ?? known?.layer ?? ''}
              disabled={!known}
              onChange={(e) => setLayer(e.target.value)}
            >
              {!known && <option value="">the last block (default)</option>}
              {known && known.blocks.length > 0 && (
                <optgroup
                  label={known.blocks[0]?.startsWith('mixed') ? 'Inception blocks' : 'Blocks'}
                >
                  {known.blocks.map((b) => (
                    <option key={`block-${b}`} value={b}>
                      {b}
                      {b === known.defaultLayer ? ' (default)' : ''}
                    </option>
                  ))}
                </optgroup>
              )}
              {known && (
                <optgroup label="All layers with a spatial output">
                  {known.layers
                    .filter((l) => !known.blocks.includes(l.name))
                    .map((l) => (
                      <option key={l.name} value={l.name}>
                        {l.name} ({l.shape.join('×')})
                        {l.name === known.defaultLayer ? ' (default)' : ''}
                      </option>
                    ))}
                </optgroup>
              )}
            </select>
          </label>

          <label className="explain__field">
            Heatmap opacity
            <input
              type="range"
              min={0}
              max={100}
              step={5}
              value={Math.round(opacity * 100)}
              data-testid="explain-opacity"
              aria-valuetext={`${Math.round(opacity * 100)}%`}
              onChange={(e) => setOpacity(Number(e.target.value) / 100)}
            />
          </label>

          <div role="status" aria-live="polite" className="explain__status">
            {!model && 'Waiting for the model to be ready…'}
            {model && !otherModel && !ready && !problem && 'Reading the photo…'}
            {busy && (
              <>
                <progress aria-label="Computing the heatmap" />{' '}
                {stage?.key === key ? STAGE_TEXT[stage.stage] : 'Waiting for the worker…'}
              </>
            )}
            {result && <Explanation result={result} label={chosen?.label ?? ''} />}
          </div>
          {problem && (
            <p role="alert" className="explain__error">
              {problem}{' '}
              {outcome?.error && (
                <button
                  type="button"
                  className="button--secondary"
                  onClick={() => setOutcomes((prev) => withoutKey(prev, key))}
                >
                  Try again
                </button>
              )}
            </p>
          )}
          {busy && (
            <button
              type="button"
              className="button--secondary"
              data-testid="explain-stop"
              // Settling the outcome ends the request's effect, which cancels it in the worker.
              onClick={() => setOutcomes((prev) => new Map(prev).set(key, { error: 'Stopped.' }))}
            >
              Stop
            </button>
          )}
        </div>
      </div>
      <FeatureMapsView client={client} input={mapsInput} start={!busy} />
    </dialog>
  );
}

/** The result in words: where the evidence is, how strong, how long it took. */
function Explanation({ result, label }: { result: GradCamResult; label: string }) {
  if (result.rawMax <= 0) {
    return (
      <p>
        Nothing at {result.layer} speaks for “{label}” in this photo (the heatmap is empty).
      </p>
    );
  }
  return (
    <p>
      Red marks the places whose features at <span className="mono">{result.layer}</span> (
      {result.width}×{result.height} positions) raise the score of “{label}” (probability{' '}
      {(result.probability * 100).toFixed(1)}%) the most. Computed in {Math.round(result.ms)} ms.
    </p>
  );
}
