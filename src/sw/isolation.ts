/**
 * Cross-origin isolation from the service worker, for static hosts that cannot send headers.
 * TensorFlow.js' multi-threaded WebAssembly needs SharedArrayBuffer, which needs the page (and its
 * workers) served with COOP `same-origin` + COEP `require-corp`. Hosts that can should send them
 * (vite preview does; see vite.config.ts, and public/_headers for Netlify / Cloudflare Pages);
 * elsewhere the service worker adds them to what it serves, so from the second visit on — once it
 * controls the page — the app runs isolated, with threads.
 */
import type { WorkboxPlugin } from 'workbox-core/types';

/** The two headers that make a document cross-origin isolated. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * `response` with the isolation headers added where missing. Opaque responses (no-cors,
 * cross-origin) cannot be rewritten and do not need them; neither do ones that already say.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) {
    return response;
  }
  const missing = Object.keys(ISOLATION_HEADERS).filter((name) => !response.headers.has(name));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const name of missing) headers.set(name, ISOLATION_HEADERS[name] as string);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** A Workbox plugin that applies {@link withIsolationHeaders} to every response it hands out. */
export const isolationPlugin: WorkboxPlugin = {
  handlerWillRespond: ({ response }) => Promise.resolve(withIsolationHeaders(response)),
};
