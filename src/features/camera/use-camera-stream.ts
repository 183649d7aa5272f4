import { useEffect, useState, type RefObject } from 'react';
import {
  cameraError,
  cameraSupported,
  UNSUPPORTED,
  type CameraError,
} from '../../lib/camera-errors';

/** Where the camera stream is. */
export type StreamState = 'starting' | 'live' | 'paused' | 'error';

/** How one attempt to start the camera ended, tagged with the attempt it belongs to. */
interface Outcome {
  attempt: string;
  state: 'live' | 'error';
  error: CameraError | null;
}

/**
 * Plays the camera into `video` while `on` is true and the tab is visible. The stream's tracks
 * are stopped (the camera light goes off) when `on` turns false, when the component goes away and
 * while the tab is hidden; it starts again when the tab shows.
 */
export function useCameraStream(
  video: RefObject<HTMLVideoElement | null>,
  on: boolean,
  /** bump to ask again after an error (the user allowed the camera, plugged one in) */
  retry = 0,
): { state: StreamState; error: CameraError | null } {
  const [hidden, setHidden] = useState(() => document.hidden);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const supported = cameraSupported();
  // Each start of the stream is its own attempt; an answer for an older one is ignored.
  const attempt = `${retry}:${hidden}:${on}`;

  useEffect(() => {
    const onVisibility = () => setHidden(document.hidden);
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  useEffect(() => {
    if (!on || !supported || hidden) return;
    let stream: MediaStream | null = null;
    let current = true;
    const el = video.current;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        if (!current) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        if (!el) return;
        el.srcObject = s;
        await el.play();
        if (current) setOutcome({ attempt, state: 'live', error: null });
      })
      .catch((e: unknown) => {
        if (current) setOutcome({ attempt, state: 'error', error: cameraError(e) });
      });
    return () => {
      current = false;
      stream?.getTracks().forEach((t) => t.stop());
      if (el) el.srcObject = null;
      // The next start is a new attempt, even when its key repeats an older one (hidden, shown).
      setOutcome(null);
    };
  }, [on, supported, hidden, video, attempt]);

  if (!on) return { state: 'paused', error: null };
  if (!supported) return { state: 'error', error: UNSUPPORTED };
  if (hidden) return { state: 'paused', error: null };
  if (outcome?.attempt !== attempt) return { state: 'starting', error: null };
  return { state: outcome.state, error: outcome.error };
}
