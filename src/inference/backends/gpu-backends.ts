/**
 * The GPU backends' code, loaded when a load first tries one: their modules register the backend
 * with TensorFlow.js as they run. The worker's bundle leaves them out of its main script
 * (`tfjs-gpu-on-demand.ts`); they are chunks of their own, precached like the rest of the app, so
 * this works offline too. Outside that bundle (tests in Node) the import finds them registered
 * already and changes nothing.
 */
import type { BackendName } from '../protocol';

const code: Partial<Record<BackendName, () => Promise<unknown>>> = {
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

/** Resolves once `backend`'s code is loaded and registered (at once for WASM and CPU). */
export async function loadBackendCode(backend: BackendName): Promise<void> {
  await code[backend]?.();
}
