/**
 * The page ↔ service worker contract for applying an update (see src/features/pwa/apply-update.ts).
 *
 * Why a "nudge" exists: after the waiting worker calls skipWaiting(), Chromium activates it only
 * once the old worker is idle, and asks the old worker to stop as soon as it is. A request that
 * reaches the old worker while it is stopping restarts it, and the restart forgets that request
 * to stop: the swap then waits for the old worker to idle out (≈30 s; never while DevTools is
 * attached, until a 5-minute limit). A navigation inside the scope makes Chromium ask again, so
 * the page loads this path in a hidden frame, and the service worker answers it with an empty
 * page without touching the network.
 */

/** Message the page posts to the waiting worker when the user accepts the update. */
export const SKIP_WAITING = 'SKIP_WAITING';
/** Path (relative to the scope) of the empty page a hidden frame loads to nudge the swap. */
export const SWAP_NUDGE_PATH = 'sw-swap-nudge';

/** True for a request to the nudge page. */
export function isSwapNudge(url: URL): boolean {
  return url.pathname.endsWith(`/${SWAP_NUDGE_PATH}`);
}
