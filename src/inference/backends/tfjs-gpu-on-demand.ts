/**
 * `@tensorflow/tfjs` as the inference worker's bundle sees it (scripts/vite-tfjs-gpu-on-demand.ts
 * puts this module in its place): the umbrella package without its WebGL backend, which, like
 * WebGPU's, is loaded only when a load tries it (`gpu-backends.ts`).
 *
 * Why: the two GPU backends were 37 % of the worker's script (≈ 950 KB of 2.5 MB), compiled and
 * run on every visit before the worker could take its first message, while a device without a
 * GPU (and every return visit that settled on WebAssembly) never uses them. Measured in
 * docs/performance.md ("Sessions 11–13", item 5).
 *
 * The rest is the umbrella's own `index.js` (tfjs 4.22.0), line for line: core with every
 * gradient and chained op, layers, converter, `data`, the CPU backend, and `version`.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as data from '@tensorflow/tfjs-data';
import { version_core } from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_data } from '@tensorflow/tfjs-data';
import { version_layers } from '@tensorflow/tfjs-layers';
import { version_converter } from '@tensorflow/tfjs-converter';
import { version as version_union } from '@tensorflow/tfjs/dist/version';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-converter';
export * from '@tensorflow/tfjs-backend-cpu';
export { data };

/** As the umbrella's, less the WebGL backend's entry (its version is the same, when loaded). */
export const version = {
  'tfjs-core': version_core,
  'tfjs-backend-cpu': version_cpu,
  'tfjs-data': version_data,
  'tfjs-layers': version_layers,
  'tfjs-converter': version_converter,
  tfjs: version_union,
};
