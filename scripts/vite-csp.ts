/**
 * The built app's Content-Security-Policy, added to index.html as a <meta> at build time (a meta
 * works on every static host; the dev server's inline React refresh preamble would break under it,
 * so dev pages go without).
 */
import type { Plugin } from 'vite';

/**
 * No remote scripts at all; WebAssembly compilation allowed (TensorFlow.js' WASM backend); workers
 * from our origin or blob: (the threaded WASM backend spawns blob workers); models may be fetched
 * from any HTTPS host (`?model=` and "Open model… URL") or a local server; photos and thumbnails
 * are blob: URLs; inline style attributes only (probability bars, heatmap opacity).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:* blob: data:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "manifest-src 'self'",
].join('; ');

/** Vite plugin: puts the policy into the built index.html. */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'inception-lens-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}
