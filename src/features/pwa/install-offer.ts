/**
 * The browser's offer to install the app (`beforeinstallprompt`), caught from the page's first
 * moments: the browser may make it before the app's own chunk has loaded and drawn (the entry
 * script loads it afterwards), and an offer nobody listened for is gone for that visit. `main.tsx`
 * starts watching; `usePwa` reads the offer and follows it.
 */

/** The event Chromium sends (not in TypeScript's DOM types). */
export interface InstallPrompt extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let offer: InstallPrompt | null = null;
let watching = false;
const listeners = new Set<(offer: InstallPrompt | null) => void>();

function set(next: InstallPrompt | null): void {
  offer = next;
  for (const listener of listeners) listener(next);
}

/** Starts catching the offer (once; later calls do nothing). */
export function watchInstallOffer(target: Window = window): void {
  if (watching) return;
  watching = true;
  target.addEventListener('beforeinstallprompt', (event) => {
    // The app shows its own "Install app" button instead of the browser's mini bar.
    event.preventDefault();
    set(event as InstallPrompt);
  });
  target.addEventListener('appinstalled', () => set(null));
}

/** The offer made so far on this visit, if any (and not used or installed since). */
export function installOffer(): InstallPrompt | null {
  return offer;
}

/** Calls `listener` with each new offer (or null once installed); returns the unsubscribe. */
export function onInstallOffer(listener: (offer: InstallPrompt | null) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The offer was used (its prompt shown): it cannot be shown again. */
export function forgetInstallOffer(): void {
  set(null);
}
