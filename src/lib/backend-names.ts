import type { BackendName } from '../inference/protocol';

/** What people call each TensorFlow.js backend: the words the page shows, never `wasm`. */
export const BACKEND_NAMES: Readonly<Record<BackendName, string>> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU',
};

/** The human name of a backend; an unknown string is returned as it is. */
export function backendName(backend: string): string {
  return (BACKEND_NAMES as Record<string, string>)[backend] ?? backend;
}
