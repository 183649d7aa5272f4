/**
 * Applying a waiting service worker when the user accepts "Update available", in an order that
 * cannot leave the page on the old build:
 * 1. listen for the new worker taking over *before* asking it to (no missed event);
 * 2. ask the waiting worker to skip waiting;
 * 3. while it has not taken over, nudge Chromium to retire the old worker (see src/sw/swap.ts:
 *    a request reaching the old worker as it stops otherwise stalls the swap for minutes);
 * 4. reload only once the new worker controls the page — a reload before that would be answered
 *    by the old worker, i.e. the old build again.
 */
import { SKIP_WAITING, SWAP_NUDGE_PATH } from '../../sw/swap';

/** How long the swap may take before the first nudge, and between nudges. */
export const NUDGE_EVERY_MS = 1500;

/** Resolves once `next` controls this page (or can no longer: it became redundant). */
function takenOver(next: ServiceWorker): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const controller = navigator.serviceWorker.controller;
      if (controller === next || next.state === 'activated' || next.state === 'redundant') {
        navigator.serviceWorker.removeEventListener('controllerchange', check);
        next.removeEventListener('statechange', check);
        resolve();
      }
    };
    navigator.serviceWorker.addEventListener('controllerchange', check);
    next.addEventListener('statechange', check);
    check();
  });
}

/** Loads the nudge page in a hidden frame: a navigation in scope makes Chromium retry the swap. */
function nudge(frame: HTMLIFrameElement, scope: string, attempt: number): void {
  const url = new URL(SWAP_NUDGE_PATH, scope);
  url.searchParams.set('attempt', String(attempt));
  frame.src = url.href;
}

/**
 * Makes the waiting worker of `registration` take over, then reloads the page into the new build.
 * `reload` is injectable for tests; `nudgeEveryMs` likewise.
 */
export async function applyUpdate(
  registration: ServiceWorkerRegistration,
  { reload = () => location.reload(), nudgeEveryMs = NUDGE_EVERY_MS } = {},
): Promise<void> {
  const next = registration.waiting ?? registration.installing;
  if (!next) {
    // Nothing waits any more: another tab applied the update, so a reload gets the new build.
    reload();
    return;
  }
  const done = takenOver(next);
  next.postMessage({ type: SKIP_WAITING });

  let frame: HTMLIFrameElement | null = null;
  let attempt = 0;
  const timer = setInterval(() => {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.hidden = true;
      frame.setAttribute('aria-hidden', 'true');
      frame.tabIndex = -1;
      // No scripts: if an older service worker answers with the app shell, it must not boot.
      frame.sandbox.add('allow-same-origin');
      document.body.append(frame);
    }
    attempt += 1;
    nudge(frame, registration.scope, attempt);
  }, nudgeEveryMs);
  try {
    await done;
  } finally {
    clearInterval(timer);
    (frame as HTMLIFrameElement | null)?.remove();
  }
  reload();
}
