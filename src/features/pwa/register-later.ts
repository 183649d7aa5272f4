/**
 * The service worker's registration, held back until the model has loaded. Registering starts
 * its install, which precaches the whole build (≈ 28 MB here, LiteRT.js' runtimes included): on a
 * first visit that download and its writes ran beside the model's download and the first photo's
 * inference, on the same network and the same cores. Measured with `scripts/startup-probe.ts`
 * on the 2-core machine (quiet, session 10, three cold visits per build, interleaved): the first
 * photo's own inference 711–872 ms with the install beside it, 373–437 ms with it held back; the
 * first top-3 4.6–5.0 s from navigation, 3.2–3.8 s held back. Nothing needs the worker before
 * then: the model is cached for offline use only once it has loaded (use-pwa.ts), and a worker
 * installed on an earlier visit controls the page from its navigation whatever happens here.
 */
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { RegisterSWOptions } from 'vite-plugin-pwa/types';

/** How long after the model is ready (or failed) the registration waits (ms). */
export const REGISTER_DELAY_MS = 3_000;

/** The plugin's `registerSW`: registers, and returns the function that applies a waiting update. */
export type RegisterSW = (options: RegisterSWOptions) => (reloadPage?: boolean) => Promise<void>;

/** Whether the registration may start, given the model's state. */
export function registrationDue(modelState: 'loading' | 'warming' | 'ready' | 'error'): boolean {
  return modelState === 'ready' || modelState === 'error';
}

/**
 * What `useRegisterSW` of vite-plugin-pwa gives (the update prompt's state and the update
 * function), registering only {@link REGISTER_DELAY_MS} after `due` first becomes true, once.
 * The callbacks are read when they fire, so they may change between renders.
 */
export function useRegisterSWLater(
  due: boolean,
  register: RegisterSW,
  options: Pick<RegisterSWOptions, 'onRegisteredSW' | 'onRegisterError'>,
): {
  needRefresh: [boolean, Dispatch<SetStateAction<boolean>>];
  updateServiceWorker: (reloadPage?: boolean) => Promise<void>;
} {
  const [needRefresh, setNeedRefresh] = useState(false);
  const update = useRef<((reloadPage?: boolean) => Promise<void>) | null>(null);
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });
  useEffect(() => {
    if (!due || update.current) return;
    const timer = setTimeout(() => {
      if (update.current) return;
      update.current = register({
        immediate: true,
        onNeedRefresh: () => setNeedRefresh(true),
        onRegisteredSW: (url, registration) =>
          callbacks.current.onRegisteredSW?.(url, registration),
        onRegisterError: (error: unknown) => callbacks.current.onRegisterError?.(error),
      });
    }, REGISTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [due, register]);
  const [updateServiceWorker] = useState(
    () =>
      (reloadPage?: boolean): Promise<void> =>
        update.current ? update.current(reloadPage) : Promise.resolve(),
  );
  return { needRefresh: [needRefresh, setNeedRefresh], updateServiceWorker };
}
