import { cameraError } from '../../lib/camera-errors';
import { useEffect, useRef, useState } from 'react';

/**
 * A live camera preview with a "Capture" button (getUserMedia); each capture becomes a JPEG
 * photo for the class. The camera is released when the panel closes.
 */
export function CameraCapture({
  className,
  locked,
  onCapture,
  onClose,
}: {
  className: string;
  /** why photos cannot be added now (training, no model), or null */
  locked: string | null;
  /** adds the photo; resolves with how many were added (0 when it was refused) */
  onCapture: (photo: File) => Promise<number>;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(() =>
    'getUserMedia' in (navigator.mediaDevices ?? {})
      ? null
      : 'This browser offers no camera here (it needs HTTPS, or localhost).',
  );
  const [ready, setReady] = useState(false);
  const [count, setCount] = useState(0);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let live = true;
    if (!('getUserMedia' in (navigator.mediaDevices ?? {}))) return;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        if (!live) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          await video.current.play();
          setReady(true);
        }
      })
      .catch((e: unknown) => {
        setError(cameraError(e).message);
      });
    return () => {
      live = false;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  const capture = (): void => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    canvas.toBlob(
      (blob) => {
        if (!blob) return;
        void onCapture(new File([blob], `camera-${Date.now()}.jpg`, { type: 'image/jpeg' })).then(
          (added) => setCount((n) => n + added),
        );
      },
      'image/jpeg',
      0.9,
    );
  };

  // Focus goes to the panel when it opens, and back to what opened it when it closes.
  useEffect(() => {
    const opener = document.activeElement;
    panel.current?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <div
      ref={panel}
      className="teach-camera"
      role="dialog"
      aria-label={`Camera for ${className}`}
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      {error ? (
        <p className="teach-error" role="alert">
          {error}
        </p>
      ) : (
        <video ref={video} muted playsInline aria-label="Camera preview" />
      )}
      <div className="teach-row">
        <button
          type="button"
          onClick={capture}
          disabled={!ready || !!locked}
          title={locked ?? undefined}
        >
          Capture for “{className}”
        </button>
        <button type="button" className="button--secondary" onClick={onClose}>
          Close camera
        </button>
        {count > 0 && <span className="muted">{count} added</span>}
        {locked && <span className="muted">{locked}</span>}
      </div>
    </div>
  );
}
