import { useEffect, useId, useRef, useState } from 'react';
import { CancelledError, type InferenceClient } from '../../inference/client';
import type { FeatureMapsResult } from '../../inference/protocol';
import { messageOf } from '../../lib/message-of';
import { requestFeatureMaps } from './explain-client';
import { withoutKey } from './without-key';

interface Outcome {
  result?: FeatureMapsResult;
  error?: string;
}

/**
 * The "Why?" dialog's feature maps: one layer's most active channels for the photo, as a grid of
 * small grey images (white = that channel's strongest response), with a layer picker. It asks the
 * worker only once `start` is true (after the heatmap, which the user came for).
 */
export function FeatureMapsView({
  client,
  input,
  start,
}: {
  client: InferenceClient;
  /** the photo as the model sees it; `key` changes with the model and the resize mode */
  input: { key: string; pixels: ArrayBuffer; size: number } | null;
  start: boolean;
}) {
  const headingId = useId();
  const [layer, setLayer] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, Outcome>>(new Map());
  const key = input ? `${input.key}|${layer ?? ''}` : '';
  const outcome = outcomes.get(key);
  const known = [...outcomes.values()].find((o) => o.result)?.result;

  useEffect(() => {
    if (!start || !input || outcome) return;
    const controller = new AbortController();
    requestFeatureMaps(
      client,
      { pixels: input.pixels.slice(0), width: input.size, height: input.size, layer },
      { signal: controller.signal },
    ).then(
      (result) => {
        if (controller.signal.aborted) return;
        setOutcomes((prev) => {
          const next = new Map(prev);
          next.set(key, { result });
          next.set(`${input.key}|${result.layer}`, { result });
          return next;
        });
      },
      (error: unknown) => {
        if (error instanceof CancelledError || controller.signal.aborted) return;
        setOutcomes((prev) => new Map(prev).set(key, { error: messageOf(error) }));
      },
    );
    return () => controller.abort();
  }, [client, input, start, outcome, key, layer]);

  const result = outcome?.result;
  const busy = Boolean(start && input && !outcome);
  return (
    <section
      className="feature-maps"
      aria-labelledby={headingId}
      data-testid="feature-maps-section"
    >
      <div className="feature-maps__head">
        <h3 id={headingId}>Feature maps</h3>
        <label className="explain__field feature-maps__layer">
          Layer
          <select
            data-testid="feature-maps-layer"
            value={layer ?? known?.layer ?? ''}
            disabled={!known}
            onChange={(e) => setLayer(e.target.value)}
          >
            {!known && <option value="">a middle layer (default)</option>}
            {known?.layers.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name} ({l.shape.join('×')}){l.name === known.defaultLayer ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div role="status" aria-live="polite" className="explain__status">
        {!start && input && 'Feature maps follow the heatmap…'}
        {busy && (
          <>
            <progress aria-label="Computing the feature maps" /> Running the photo up to the layer…
          </>
        )}
        {result && (
          <p>
            What <span className="mono">{result.layer}</span> computes for this photo: its{' '}
            {result.channels.length} most active of {result.shape[2]} channels ({result.shape[0]}×
            {result.shape[1]} positions each), most active first. Brighter means a stronger
            response; each image is scaled on its own. Computed in {Math.round(result.ms)} ms.
          </p>
        )}
      </div>
      {outcome?.error && (
        <p role="alert" className="explain__error">
          Could not compute the feature maps: {outcome.error}{' '}
          <button
            type="button"
            className="button--secondary"
            onClick={() => setOutcomes((prev) => withoutKey(prev, key))}
          >
            Try again
          </button>
        </p>
      )}
      {result && (
        <ol
          className="feature-maps__grid"
          data-testid="feature-maps"
          data-layer={result.layer}
          data-count={result.channels.length}
        >
          {result.channels.map((channel, i) => (
            <li key={`${result.layer}-${channel}`}>
              <Tile result={result} index={i} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** One channel's image, drawn from the atlas. */
function Tile({ result, index }: { result: FeatureMapsResult; index: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { tileWidth: w, tileHeight: h } = result;
  const channel = result.channels[index] ?? 0;
  const mean = result.means[index] ?? 0;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const grey = new Uint8Array(result.atlas, index * w * h, w * h);
    const image = context.createImageData(w, h);
    for (let i = 0; i < grey.length; i++) {
      const v = grey[i] as number;
      image.data.set([v, v, v, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }, [result, index, w, h]);
  const label = `channel ${channel}, mean activation ${mean.toPrecision(3)}`;
  return (
    <canvas
      ref={canvas}
      className="feature-maps__tile"
      width={w}
      height={h}
      role="img"
      aria-label={label}
      title={label}
      data-testid="feature-map-tile"
      data-channel={channel}
      data-mean={mean}
    />
  );
}
