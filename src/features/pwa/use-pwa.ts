import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { messageOf } from '../../lib/message-of';
import { registerSW } from 'virtual:pwa-register';
import { applyUpdate } from './apply-update';
import {
  forgetInstallOffer,
  installOffer,
  onInstallOffer,
  watchInstallOffer,
} from './install-offer';
import { ensureModelCached, takeSharedPhotos } from './offline-cache';
import { registrationDue, useRegisterSWLater } from './register-later';

/** Whether the app (shell and current model) works without a network. */
export type OfflineState =
  | { state: 'caching'; fraction: number | null }
  | { state: 'ready' }
  | { state: 'unavailable'; reason: string };

/** Storage used by this origin and the quota, in bytes. */
export interface StorageUse {
  usage: number;
  quota: number;
  persisted: boolean;
}

const PERSIST_ASKED = 'inception-lens:persist-asked';
const LOADED_ONCE = 'inception-lens:model-loaded-once';

/** A remembered yes/no in localStorage (false where storage is blocked). */
function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

function writeFlag(key: string): void {
  try {
    localStorage.setItem(key, '1');
  } catch {
    // private mode or storage blocked: offered again once a model loads on the next visit
  }
}
const supported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator;

async function controller(): Promise<void> {
  if (navigator.serviceWorker.controller) return;
  await new Promise<void>((resolve) =>
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
  );
}

/**
 * Everything PWA for the app shell: service worker registration and update prompt, "ready offline"
 * (shell precached and the model cached), install prompt, persistent storage, and photos shared
 * to the installed app.
 */
export function usePwa({
  modelUrl,
  modelState,
  onSharedFiles,
}: {
  modelUrl: string;
  modelState: 'loading' | 'warming' | 'ready' | 'error';
  onSharedFiles: (files: File[]) => void;
}) {
  const [registerError, setRegisterError] = useState<string | null>(null);
  const registrationRef = useRef<ServiceWorkerRegistration | null>(null);
  // The offline-caching job in progress: stopped when an update is applied, so that it sends no
  // more requests to the old service worker while it is being swapped out.
  const cachingRef = useRef<AbortController | null>(null);
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSWLater(registrationDue(modelState), registerSW, {
    onRegisterError: (error: unknown) => setRegisterError(String(error)),
    onRegisteredSW: (_url, registration) => {
      // Look for a new version now and then, and whenever the tab comes back.
      if (!registration) return;
      registrationRef.current = registration;
      // workbox-window prompts only for an install it saw start; the browser's own update check
      // (on navigation) can start one before the page registers. Prompt for those too.
      const offer = (sw: ServiceWorker | null): void => {
        if (!sw || !navigator.serviceWorker.controller) return; // a first install: no prompt
        if (sw.state === 'installed') setNeedRefresh(true);
        else if (sw.state === 'installing' || sw.state === 'parsed')
          sw.addEventListener('statechange', () => offer(sw), { once: true });
      };
      offer(registration.waiting ?? registration.installing);
      // An install that fails (storage full, blocked) leaves a redundant worker: say so.
      const watch = (sw: ServiceWorker | null): void =>
        sw?.addEventListener('statechange', () => {
          if (sw.state === 'redundant' && !navigator.serviceWorker.controller) {
            setRegisterError(
              'the browser could not store the app for offline use (storage may be full); it keeps working online',
            );
          }
        });
      watch(registration.installing);
      registration.addEventListener('updatefound', () => {
        watch(registration.installing);
        offer(registration.installing);
      });
      const check = (): void => void registration.update().catch(() => undefined);
      setInterval(check, 60 * 60 * 1000);
      document.addEventListener(
        'visibilitychange',
        () => document.visibilityState === 'visible' && check(),
      );
    },
  });
  const [cached, setCached] = useState<{ url: string; result: OfflineState } | null>(null);
  const [cacheError, setCacheError] = useState<string | null>(null);
  // The browser's install offer: one made before the app drew (install-offer.ts caught it from
  // the entry script), and any later one.
  const installPrompt = useSyncExternalStore(onInstallOffer, installOffer, () => null);
  // "Install app" is offered only once a model has loaded here (this visit or an earlier one):
  // an app that cannot classify anything yet is no app worth installing.
  const [everReady, setEverReady] = useState(() => readFlag(LOADED_ONCE));
  if (modelState === 'ready' && !everReady) setEverReady(true);
  useEffect(() => {
    if (everReady) writeFlag(LOADED_ONCE);
  }, [everReady]);
  const [storage, setStorage] = useState<StorageUse | null>(null);

  // Cache the current model's files once it has loaded (through the service worker).
  const modelReady = modelState === 'ready';
  useEffect(() => {
    if (!supported || !modelReady) return;
    let current = true;
    const abort = new AbortController();
    cachingRef.current = abort;
    const report = (result: OfflineState): void => {
      if (current && !abort.signal.aborted) setCached({ url: modelUrl, result });
    };
    const job = /^https?:/.test(modelUrl)
      ? controller().then(() =>
          ensureModelCached(
            modelUrl,
            (fraction) => report({ state: 'caching', fraction }),
            abort.signal,
          ),
        )
      : controller(); // models kept in IndexedDB are offline already
    job.then(
      async () => {
        report({ state: 'ready' });
        if (navigator.storage?.persist && !localStorage.getItem(PERSIST_ASKED)) {
          localStorage.setItem(PERSIST_ASKED, '1');
          await navigator.storage.persist().catch(() => false);
        }
      },
      (error: unknown) =>
        report({
          state: 'unavailable',
          reason: messageOf(error),
        }),
    );
    return () => {
      current = false;
      abort.abort();
    };
  }, [modelUrl, modelReady]);

  // Messages from the service worker (a full disk while caching the model).
  useEffect(() => {
    if (!supported) return;
    const onMessage = (event: MessageEvent<{ type?: string; message?: string }>): void => {
      if (event.data?.type === 'cache-error') setCacheError(event.data.message ?? 'caching failed');
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);

  // main.tsx watches from the start; this covers the hook used without it (once either way).
  useEffect(() => watchInstallOffer(), []);

  // Photos shared to the installed app arrive as ?shared=<batch>.
  useEffect(() => {
    const batch = new URLSearchParams(location.search).get('shared');
    if (!supported || !batch) return;
    const url = new URL(location.href);
    url.searchParams.delete('shared');
    history.replaceState(null, '', url.href);
    void takeSharedPhotos(batch).then((files) => files.length > 0 && onSharedFiles(files));
  }, [onSharedFiles]);

  const refreshStorage = useCallback(async () => {
    if (!navigator.storage?.estimate) return;
    const [estimate, persisted] = await Promise.all([
      navigator.storage.estimate(),
      navigator.storage.persisted?.() ?? Promise.resolve(false),
    ]);
    setStorage({ usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted });
  }, []);

  const install = useCallback(async () => {
    if (!installPrompt) return;
    await installPrompt.prompt();
    await installPrompt.userChoice;
    forgetInstallOffer();
  }, [installPrompt]);

  let offline: OfflineState;
  if (!supported) offline = { state: 'unavailable', reason: 'this browser has no service workers' };
  else if (registerError) offline = { state: 'unavailable', reason: registerError };
  else if (cacheError) offline = { state: 'unavailable', reason: cacheError };
  else if (modelState === 'error')
    offline = { state: 'unavailable', reason: 'it works offline once a model has loaded' };
  else if (cached && cached.url === modelUrl) offline = cached.result;
  else offline = { state: 'caching', fraction: null };

  return {
    offline,
    needRefresh,
    update: async () => {
      cachingRef.current?.abort();
      const registration = registrationRef.current;
      // Not registered yet (or no service workers): the plugin's own path is all there is.
      if (!registration) return updateServiceWorker(true);
      return applyUpdate(registration);
    },
    canInstall: installPrompt !== null && everReady,
    install,
    storage,
    refreshStorage,
  };
}
