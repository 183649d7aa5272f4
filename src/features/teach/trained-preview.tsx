import { cameraError } from '../../lib/camera-errors';
import { useEffect, useRef, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import { messageOf } from '../../lib/message-of';
import { ImageInputError, preprocessImage } from '../../preprocess/preprocess-image';

/** Props of {@link TrainedPreview}. */
export interface TrainedPreviewProps {
  client: InferenceClient;
  /** the trained model's input side */
  inputSize: number;
}

/** Pause between two camera frames tried, so the worker is not kept busy all the time. */
const FRAME_GAP_MS = 250;

/**
 * The camera, live: one frame at a time goes to `onFrame` (the next only once it has answered),
 * until the panel closes; the camera is released then.
 */
function CameraTry({
  onFrame,
  onClose,
}: {
  onFrame: (frame: File) => Promise<void>;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(() =>
    'getUserMedia' in (navigator.mediaDevices ?? {})
      ? null
      : 'This browser offers no camera here (it needs HTTPS, or localhost).',
  );
  // The latest callback, read by the loop without restarting the camera.
  const frameRef = useRef(onFrame);
  useEffect(() => {
    frameRef.current = onFrame;
  }, [onFrame]);

  useEffect(() => {
    if (!('getUserMedia' in (navigator.mediaDevices ?? {}))) return;
    let stream: MediaStream | null = null;
    let live = true;
    const frame = (): Promise<Blob | null> => {
      const v = video.current;
      if (!v || !v.videoWidth) return Promise.resolve(null);
      const canvas = document.createElement('canvas');
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      canvas.getContext('2d')?.drawImage(v, 0, 0);
      return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    };
    const loop = async (): Promise<void> => {
      while (live) {
        const blob = await frame();
        if (!live) break;
        if (blob) await frameRef.current(new File([blob], 'camera.jpg', { type: 'image/jpeg' }));
        await new Promise((r) => setTimeout(r, FRAME_GAP_MS));
      }
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        stream = s;
        // Closed while the browser was still asking: release the camera at once.
        if (!live || !video.current) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        video.current.srcObject = s;
        await video.current.play();
        await loop();
      })
      .catch((e: unknown) => {
        if (!live) return;
        setError(cameraError(e).message);
      });
    return () => {
      live = false;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <div className="teach-camera" data-testid="preview-camera-view">
      {error ? (
        <p className="teach-error" role="alert">
          {error}
        </p>
      ) : (
        <video ref={video} muted playsInline aria-label="Camera preview" />
      )}
      <button type="button" className="button--secondary" onClick={onClose}>
        Stop the camera
      </button>
    </div>
  );
}

/**
 * "Try it": a photo dropped or chosen here, or the camera live, goes through the model just
 * trained, before saving. Give it a `key` that changes with each trained model, so an old answer
 * is not shown.
 */
export function TrainedPreview({ client, inputSize }: TrainedPreviewProps) {
  const [result, setResult] = useState<{
    url: string;
    name: string;
    source: 'photo' | 'camera';
    scores: [string, number][];
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [camera, setCamera] = useState(false);

  useEffect(
    () => () => {
      if (result) URL.revokeObjectURL(result.url);
    },
    [result],
  );

  const tryFile = async (file: File | undefined, fromCamera = false): Promise<void> => {
    if (!file) return;
    // Chosen photos show "busy"; camera frames follow each other without flicker.
    if (!fromCamera) setBusy(true);
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
      setResult({
        url: URL.createObjectURL(image.thumbnail),
        name: fromCamera ? 'A frame from the camera' : file.name,
        source: fromCamera ? 'camera' : 'photo',
        scores,
      });
    } catch (e) {
      if (!fromCamera) setResult(null);
      setError(
        e instanceof ImageInputError ? e.message : `The photo could not be tried: ${messageOf(e)}`,
      );
    } finally {
      if (!fromCamera) setBusy(false);
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
        if (!camera) void tryFile(event.dataTransfer.files[0]);
      }}
    >
      <h4>Try it before saving</h4>
      <div className="teach-row">
        <label className="teach-row">
          <span>Drop a photo here or choose one:</span>
          <input
            type="file"
            accept="image/*"
            data-testid="preview-input"
            disabled={busy || camera}
            onChange={(event) => {
              void tryFile(event.target.files?.[0]);
              event.target.value = '';
            }}
          />
        </label>
        {!camera && (
          <button
            type="button"
            className="button--secondary"
            data-testid="preview-camera"
            disabled={busy}
            onClick={() => setCamera(true)}
          >
            Or try it live with the camera
          </button>
        )}
      </div>
      {camera && (
        <CameraTry onFrame={(frame) => tryFile(frame, true)} onClose={() => setCamera(false)} />
      )}
      {error && (
        <p className="teach-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div
          className="teach-row"
          data-testid="preview-result"
          data-source={result.source}
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
