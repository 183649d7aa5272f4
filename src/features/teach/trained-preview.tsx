import { useEffect, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import { messageOf } from '../../lib/message-of';
import { ImageInputError, preprocessImage } from '../../preprocess/preprocess-image';

/** Props of {@link TrainedPreview}. */
export interface TrainedPreviewProps {
  client: InferenceClient;
  /** the trained model's input side */
  inputSize: number;
}

/** "Try it": a photo dropped or chosen here goes through the model just trained, before saving. */
/** Give it a `key` that changes with each trained model, so an old answer is not shown. */
export function TrainedPreview({ client, inputSize }: TrainedPreviewProps) {
  const [result, setResult] = useState<{
    url: string;
    name: string;
    scores: [string, number][];
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);

  useEffect(
    () => () => {
      if (result) URL.revokeObjectURL(result.url);
    },
    [result],
  );

  const tryFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const image = await preprocessImage(file, {
        size: inputSize,
        mode: 'squash',
        thumbnailSize: 96,
      });
      const answer = await client.call(
        'train-preview',
        { pixels: image.pixels, width: image.width, height: image.height },
        { transfer: [image.pixels] },
      );
      const scores = answer.classNames
        .map((name, i) => [name, answer.probabilities[i] ?? 0] as [string, number])
        .sort((a, b) => b[1] - a[1]);
      setResult({ url: URL.createObjectURL(image.thumbnail), name: file.name, scores });
    } catch (e) {
      setResult(null);
      setError(
        e instanceof ImageInputError ? e.message : `The photo could not be tried: ${messageOf(e)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      aria-label="Try the trained model"
      className={`teach-preview${over ? ' teach-preview--over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        void tryFile(event.dataTransfer.files[0]);
      }}
    >
      <h4>Try it before saving</h4>
      <label className="teach-row">
        <span>Drop a photo here or choose one:</span>
        <input
          type="file"
          accept="image/*"
          data-testid="preview-input"
          disabled={busy}
          onChange={(event) => {
            void tryFile(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
      </label>
      {error && (
        <p className="teach-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div
          className="teach-row"
          data-testid="preview-result"
          data-label={result.scores[0]?.[0] ?? ''}
          data-probability={result.scores[0]?.[1] ?? 0}
        >
          <img src={result.url} alt={result.name} className="teach-preview__photo" />
          <ol className="teach-preview__scores">
            {result.scores.slice(0, 5).map(([name, p]) => (
              <li key={name}>
                {name}: {(p * 100).toFixed(1)} %
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
