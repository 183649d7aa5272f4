import { describe, expect, test, vi } from 'vitest';

/** A fresh copy of the module (its watch is once per page) and a window of its own. */
async function fresh() {
  vi.resetModules();
  const offer = await import('./install-offer');
  const target = new EventTarget();
  offer.watchInstallOffer(target as unknown as Window);
  return { ...offer, target };
}

function browserOffer(): Event {
  return new Event('beforeinstallprompt', { cancelable: true });
}

describe("the browser's install offer", () => {
  test('an offer made before anyone listens is kept (and the mini bar declined) for the app', async () => {
    const { target, installOffer, onInstallOffer } = await fresh();
    const early = browserOffer();
    target.dispatchEvent(early);
    expect(early.defaultPrevented).toBe(true);
    // the app draws later and finds it
    expect(installOffer()).toBe(early);
    const seen: (Event | null)[] = [];
    const stop = onInstallOffer((offer) => seen.push(offer));
    const later = browserOffer();
    target.dispatchEvent(later);
    expect(seen).toEqual([later]);
    expect(installOffer()).toBe(later);
    stop();
    target.dispatchEvent(browserOffer());
    expect(seen).toHaveLength(1);
  });

  test('installed or used, the offer is gone', async () => {
    const { target, installOffer, forgetInstallOffer } = await fresh();
    target.dispatchEvent(browserOffer());
    target.dispatchEvent(new Event('appinstalled'));
    expect(installOffer()).toBeNull();
    target.dispatchEvent(browserOffer());
    forgetInstallOffer();
    expect(installOffer()).toBeNull();
  });

  test('watching twice catches each offer once', async () => {
    const { target, watchInstallOffer, onInstallOffer } = await fresh();
    watchInstallOffer(target as unknown as Window);
    const seen: unknown[] = [];
    onInstallOffer((offer) => seen.push(offer));
    target.dispatchEvent(browserOffer());
    expect(seen).toHaveLength(1);
  });
});
