/**
 * A Vite plugin for the inference worker's bundle: `@tensorflow/tfjs` resolves to
 * `src/inference/backends/tfjs-gpu-on-demand.ts`, the umbrella package without its WebGL backend,
 * so neither GPU backend is in the worker's main script; `gpu-backends.ts` loads them when a load
 * tries one. Only the bare specifier is redirected (the shim's own imports of tfjs' sub-packages
 * and files pass through).
 */
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/** The module that stands in for `@tensorflow/tfjs` in the worker. */
export const TFJS_SHIM = resolve(
  import.meta.dirname,
  '../src/inference/backends/tfjs-gpu-on-demand.ts',
);

/** The plugin (see the file comment). */
export function tfjsGpuOnDemand(shim: string = TFJS_SHIM): Plugin {
  return {
    name: 'inception-lens:tfjs-gpu-on-demand',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== '@tensorflow/tfjs' || importer === shim) return null;
      return shim;
    },
  };
}
