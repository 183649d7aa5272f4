/// <reference lib="webworker" />
/**
 * The service worker (built by vite-plugin-pwa's injectManifest): precaches the app shell, the
 * inference worker chunk and the WASM binaries; caches model files at runtime; receives photos
 * shared to the installed app.
 */
import { clientsClaim } from 'workbox-core';
import {
  addPlugins,
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { ISOLATION_HEADERS, isolationPlugin } from './isolation';
import { folderOf, isModelFile, MODEL_CACHE, SHARE_ACTION, SHARE_CACHE } from './model-files';
import { isSwapNudge, SKIP_WAITING } from './swap';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
};

// What the precache serves (the shell, the worker) gets COOP/COEP, for hosts that send none:
// cross-origin isolation lets WebAssembly use threads (see isolation.ts).
addPlugins([isolationPlugin]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The page's nudge while an update is being applied (see swap.ts): an empty page at once, never the
// app shell (which would boot a second copy of the app in the hidden frame). Before the
// navigation route, which would otherwise answer it.
registerRoute(
  ({ url, request }) => request.mode === 'navigate' && isSwapNudge(url),
  () =>
    Promise.resolve(
      new Response('<!doctype html><title>updating</title>', {
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          ...ISOLATION_HEADERS,
        },
      }),
    ),
);
// Any navigation inside the scope gets the cached app shell, so the app opens offline.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// A new version waits until the user accepts the "Update available" prompt.
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === SKIP_WAITING) void self.skipWaiting();
});
// The first install takes control at once, so the model loaded on the first visit is cached.
clientsClaim();

function isHtml(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/html');
}

async function tell(message: { type: 'cache-error'; message: string }): Promise<void> {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
}

/** Stores a response; a full disk is reported to the pages, never fatal. */
async function store(cache: Cache, request: Request, response: Response): Promise<void> {
  try {
    await cache.put(request, response);
  } catch (error) {
    const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
    await tell({
      type: 'cache-error',
      message: quota
        ? 'Storage is full: the model is not kept for offline use (it still works online).'
        : `The model could not be kept for offline use: ${String(error)}`,
    });
  }
}

/** Drops every cached file of a model folder (its version changed). */
async function purgeFolder(cache: Cache, folder: string, keep: string): Promise<void> {
  for (const key of await cache.keys()) {
    if (key.url.startsWith(folder) && key.url !== keep) await cache.delete(key);
  }
}

/**
 * model.json: network first, so a new model version is noticed; when it differs from the cached
 * one, the folder's old shards are dropped and refetched. Everything else: cache first.
 */
async function modelFile(request: Request): Promise<Response> {
  const cache = await caches.open(MODEL_CACHE);
  if (/(^|\/)model\.json$/.test(new URL(request.url).pathname)) {
    let fresh: Response;
    try {
      fresh = await fetch(request);
    } catch (error) {
      const cached = await cache.match(request);
      if (cached) return cached;
      throw error;
    }
    if (fresh.ok && !isHtml(fresh)) {
      const cached = await cache.match(request);
      if (cached && (await cached.text()) !== (await fresh.clone().text())) {
        await purgeFolder(cache, folderOf(request.url), request.url);
      }
      await store(cache, request, fresh.clone());
    }
    return fresh;
  }
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && !isHtml(response)) await store(cache, request, response.clone());
  return response;
}

registerRoute(
  ({ request, url }) => request.method === 'GET' && isModelFile(url.pathname),
  ({ request }) => modelFile(request),
);

/** Photos shared to the installed app: park them, then open the app, which picks them up. */
async function receiveShare(request: Request): Promise<Response> {
  const form = await request.formData();
  const files = form.getAll('photos').filter((f): f is File => typeof f !== 'string');
  const batch = Date.now().toString(36);
  const cache = await caches.open(SHARE_CACHE);
  await Promise.all(
    files.map((file, i) =>
      cache.put(
        new Request(new URL(`shared/${batch}/${i}`, self.registration.scope).href),
        new Response(file, {
          headers: {
            'content-type': file.type,
            'x-filename': encodeURIComponent(file.name || `shared-${i}`),
          },
        }),
      ),
    ),
  );
  return Response.redirect(new URL(`./?shared=${batch}`, self.registration.scope).href, 303);
}

registerRoute(
  ({ url }) => url.pathname.endsWith(`/${SHARE_ACTION}`),
  ({ request }) => receiveShare(request),
  'POST',
);
