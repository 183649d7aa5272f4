import { useEffect, useRef, useState } from 'react';
import { CancelledError, WorkerCrashedError, type InferenceClient } from '../../inference/client';
import type { LoadedModelInfo, Prediction } from '../../inference/protocol';
import { sourceRect, type ResizeMode } from '../../preprocess/geometry';
import { messageOf } from '../../lib/message-of';
import { runFrameLoop } from './frame-loop';
import { useCameraStream } from './use-camera-stream';
import './camera.css';

/** Props of {@link LiveCamera}. */
export interface LiveCameraProps {
  client: InferenceClient;
  /** the model that classifies the frames; null while none is ready */
  model: LoadedModelInfo | null;
  /** how frames are fitted to the model's input (Keras' exact mode needs a file: squashed here) */
  resizeMode: ResizeMode;
  /** adds captured frames to the photos, as files (Classify's normal entry point) */
  onCapture: (files: File[]) => void;
}

/**
 * "Live camera" in Classify: a button that opens the camera; while open, the stream is
 * classified continuously (one frame at a time, the rest dropped) with the top-3 over the video
 * and the frame rate; "Capture" adds the frame to the photos. Closing it stops the camera.
 */
export function LiveCamera(props: LiveCameraProps) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  if (!open) {
    return (
      <p className="live-camera__open">
        <button
          ref={opener}
          type="button"
          className="button--secondary"
          data-testid="camera-open"
          onClick={() => setOpen(true)}
        >
          Live camera
        </button>{' '}
        <span className="muted">names what your camera sees, as it sees it</span>
      </p>
    );
  }
  return (
    <CameraPanel
      {...props}
      onClose={() => {
        setOpen(false);
        // Back to the button that opened it (it renders again on the next frame).
        requestAnimationFrame(() => opener.current?.focus());
      }}
    />
  );
}

/** A frame at the model's input size, ready to transfer. */
interface Frame {
  pixels: ArrayBuffer;
  size: number;
}

/** The first of a WordNet label's synonyms ("bald eagle, American eagle" → "bald eagle"). */
function shortLabel(label: string): string {
  return label.split(',')[0]?.trim() || label;
}

/** A name like camera-2026-11-30-06-12-05.jpg for a captured frame. */
function captureName(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `camera-${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}.jpg`;
}

function CameraPanel({
  client,
  model,
  resizeMode,
  onCapture,
  onClose,
}: LiveCameraProps & { onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [retry, setRetry] = useState(0);
  const { state, error } = useCameraStream(video, true, retry);
  const [predictions, setPredictions] = useState<Prediction[]>([]);
  const [fps, setFps] = useState(0);
  const [ms, setMs] = useState<number | null>(null);
  // A failure belongs to the run (model, fit, stream) it happened in; a new run starts clean.
  const [failure, setFailure] = useState<{ run: string; message: string } | null>(null);
  const [captured, setCaptured] = useState(0);

  // Classify while the stream is live and a model is ready; stop (and cancel the frame in
  // flight) when either changes or the panel closes.
  const live = state === 'live';
  const run = `${model?.id ?? ''}:${resizeMode}:${live}`;
  const loopError = failure?.run === run ? failure.message : null;
  useEffect(() => {
    if (!live || !model) return;
    const controller = new AbortController();
    const canvas = document.createElement('canvas');
    const size = model.inputSize;
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const mode: ResizeMode = resizeMode === 'center-crop' ? 'center-crop' : 'squash';
    void runFrameLoop<Frame, { predictions: Prediction[]; ms: number }>(
      {
        nextFrame: () => new Promise((resolve) => requestAnimationFrame(() => resolve())),
        grab: () => {
          const v = video.current;
          if (!ctx || !v || v.readyState < 2 || !v.videoWidth) return null;
          const r = sourceRect(v.videoWidth, v.videoHeight, size, size, mode);
          ctx.drawImage(v, r.sx, r.sy, r.sw, r.sh, 0, 0, size, size);
          return { pixels: ctx.getImageData(0, 0, size, size).data.buffer, size };
        },
        classify: (frame, signal) =>
          client.classify(frame.pixels, frame.size, frame.size, { topK: 3, signal }),
        onResult: (result, rate) => {
          setPredictions(result.predictions);
          setMs(result.ms);
          setFps(rate);
        },
        onError: (e) => {
          // A restarted worker or a cancelled frame: carry on with the next frame.
          if (e instanceof CancelledError || e instanceof WorkerCrashedError) return true;
          setFailure({
            run,
            message: `The camera frames could not be classified: ${messageOf(e)}`,
          });
          return false;
        },
        now: () => performance.now(),
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [live, model, resizeMode, client, run]);

  const capture = (): void => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    const name = captureName(new Date());
    canvas.toBlob(
      (blob) => {
        if (!blob) return;
        onCapture([new File([blob], name, { type: 'image/jpeg', lastModified: Date.now() })]);
        setCaptured((n) => n + 1);
      },
      'image/jpeg',
      0.92,
    );
  };

  const status = error
    ? null
    : state === 'starting'
      ? 'Starting the camera… (your browser may ask for permission)'
      : state === 'paused'
        ? 'Paused while this tab is hidden.'
        : !model
          ? 'Waiting for a model: the camera is classified as soon as one is ready.'
          : predictions.length === 0 && !loopError
            ? 'Classifying the first frame…'
            : null;

  return (
    <section
      className="live-camera"
      data-testid="live-camera"
      data-state={error ? 'error' : state}
      aria-label="Live camera"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      {error ? (
        <div className="live-camera__error" role="alert" data-testid="camera-error">
          <p data-kind={error.kind}>{error.message}</p>
        </div>
      ) : (
        <div className="live-camera__view">
          <video ref={video} muted playsInline aria-label="Camera preview" />
          {live && model && predictions.length > 0 && (
            <ol className="live-camera__overlay" data-testid="camera-predictions">
              {predictions.map((p) => (
                <li key={p.index} data-testid="camera-prediction" data-label={p.label}>
                  <span className="live-camera__label" title={p.label}>
                    {shortLabel(p.label)}
                  </span>
                  <span className="live-camera__pct">{(p.probability * 100).toFixed(1)}%</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {status && (
        <p className="muted" data-testid="camera-status">
          {status}
        </p>
      )}
      {loopError && (
        <p className="live-camera__problem" role="alert">
          {loopError}
        </p>
      )}
      <div className="live-camera__bar">
        <button type="button" data-testid="camera-capture" onClick={capture} disabled={!live}>
          Capture to photos
        </button>
        {error && (
          <button type="button" onClick={() => setRetry((n) => n + 1)}>
            Try again
          </button>
        )}
        <button type="button" className="button--secondary" onClick={onClose}>
          Close camera
        </button>
        {live && model && (
          <span
            className="muted live-camera__fps"
            data-testid="camera-fps"
            data-fps={fps.toFixed(1)}
          >
            {fps > 0 ? `${fps.toFixed(1)} frames/s` : '– frames/s'}
            {ms !== null && ` · ${Math.round(ms)} ms each`}
          </span>
        )}
        {captured > 0 && (
          <span className="muted" data-testid="camera-captured" aria-live="polite">
            {captured} captured: see them below
          </span>
        )}
      </div>
    </section>
  );
}
