import react from '@vitejs/plugin-react';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { contentSecurityPolicy } from './scripts/vite-csp.ts';
import { preloadDependencies } from './scripts/vite-entry-preload.ts';
import { tfjsGpuOnDemand } from './scripts/vite-tfjs-gpu-on-demand.ts';
import { tfjsWasmThreads } from './scripts/vite-tfjs-wasm-threads.ts';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};
/**
 * Cross-origin isolation: SharedArrayBuffer, hence TensorFlow.js' multi-threaded WASM, needs it.
 * `require-corp` (not `credentialless`) because Safari knows only that one; model hosts on other
 * origins must send CORS headers, which a worker's fetch needs anyway. Static hosts that cannot
 * set headers get them from the service worker (src/sw/isolation.ts) from the second visit on.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Shown in the footer; LENS_BUILD_ID lets tests tell two builds apart. */
const buildId =
  process.env.LENS_BUILD_ID ?? new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

const appVersion = `${version}+${buildId}`;

/**
 * Writes dist/build-id.txt: the version plus a random id unique to this build, so the e2e set-up
 * can tell that the server on its port serves this checkout's build and not another's (the
 * footer's minute-stamped version can repeat across checkouts built in the same minute).
 */
function buildIdFile(): Plugin {
  const id = `${appVersion} ${randomUUID()}\n`;
  return {
    name: 'lens-build-id',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'build-id.txt', source: id });
    },
  };
}

export default defineConfig({
  // Relative asset URLs, so the build works from any sub-path of a static host.
  base: './',
  define: {
    __APP_VERSION__: JSON.stringify(appVersion),
  },
  plugins: [
    react(),
    buildIdFile(),
    contentSecurityPolicy(),
    VitePWA({
      // Our own service worker (src/sw/sw.ts): Workbox precaching plus model caching and the
      // share target, which generateSW cannot express.
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // A new build waits for the user's "reload", never swaps code under a running batch.
      registerType: 'prompt',
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}'],
        // Model files are tens of MB: cached at runtime on first use, never precached.
        globIgnores: ['models/**', '**/*.map'],
        // The inference worker chunk (TensorFlow.js, ≈2.4 MB) and LiteRT.js' two runtimes
        // (threaded and single-thread relaxed-SIMD .wasm, ≈9.4 MB each: the photo engine when it
        // measures faster, see docs/performance.md) must fit, so photos classify offline on either.
        maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
      },
      includeAssets: ['icons/favicon-32.png', 'icons/apple-touch-icon-180.png'],
      manifest: {
        name: 'Inception Lens',
        short_name: 'Lens',
        description:
          'Classify your photos with InceptionV3, entirely in your browser — offline too.',
        theme_color: '#1d4ed8',
        background_color: '#f7f7f9',
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: 'icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
        share_target: {
          action: 'share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { files: [{ name: 'photos', accept: ['image/*'] }] },
        },
      },
    }),
  ],
  worker: {
    format: 'es',
    // Worker bundles get their own plugin list: the threaded-WASM fix must apply there, and the
    // GPU backends leave the inference worker's main script (loaded when a load tries one).
    plugins: () => [tfjsWasmThreads(), tfjsGpuOnDemand()],
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // tfjs is large by nature; the worker chunk holds it, the page stays small.
    chunkSizeWarningLimit: 4096,
    // The entry's import of the app preloads no JavaScript (scripts/vite-entry-preload.ts).
    modulePreload: { resolveDependencies: preloadDependencies },
    // One stylesheet (≈ 21 KB), linked from index.html: no dynamic import waits on a CSS file, and
    // the entry's evaluation makes no <link> for the app's styles (its first visit's longest task).
    cssCodeSplit: false,
  },
  server: { headers: ISOLATION_HEADERS },
  preview: { port: 4173, strictPort: false, headers: ISOLATION_HEADERS },
});
