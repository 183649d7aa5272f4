/**
 * Plain words for why the camera could not start, from the DOMException names getUserMedia
 * rejects with (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia), each
 * saying what to do next.
 */
import { messageOf } from './message-of';

/** Why the live camera is not showing: the kind decides the wording and the tests read it. */
export type CameraProblem = 'unsupported' | 'denied' | 'missing' | 'busy' | 'failed';

/** A camera problem and the sentence shown for it. */
export interface CameraError {
  kind: CameraProblem;
  message: string;
}

/** True when this page may ask for a camera at all (a secure context with mediaDevices). */
export function cameraSupported(): boolean {
  return typeof navigator !== 'undefined' && 'getUserMedia' in (navigator.mediaDevices ?? {});
}

/** The error shown when the page cannot ask for a camera at all. */
export const UNSUPPORTED: CameraError = {
  kind: 'unsupported',
  message:
    'This browser offers no camera to this page (it needs HTTPS or localhost). Add photos from files instead.',
};

/** Maps what getUserMedia threw to a {@link CameraError}. */
export function cameraError(error: unknown): CameraError {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        kind: 'denied',
        message:
          'The camera was not allowed. Allow it for this site (the camera icon in the address bar), then open the camera again.',
      };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return {
        kind: 'missing',
        message:
          'No camera was found. Connect one and open the camera again, or add photos from files.',
      };
    case 'NotReadableError':
    case 'AbortError':
      return {
        kind: 'busy',
        message:
          'The camera is in use by another app or tab. Close it there, then open the camera again.',
      };
    default:
      return { kind: 'failed', message: `The camera could not start: ${messageOf(error)}` };
  }
}
