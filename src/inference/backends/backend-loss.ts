/**
 * Notices when the GPU under a backend goes away (WebGL context lost, WebGPU device lost) so the
 * page can restart the worker on the next backend, and can simulate such a loss for tests.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../protocol';

interface WebGlBackendLike {
  gpgpu?: { gl?: WebGLRenderingContext & { canvas: OffscreenCanvas | HTMLCanvasElement } };
}
interface WebGpuBackendLike {
  device?: { lost?: Promise<{ message?: string }>; destroy?: () => void };
}

/** Calls `onLost` once if the active GPU backend loses its device; a no-op for WASM and CPU. */
export function watchBackendLoss(backend: BackendName, onLost: (reason: string) => void): void {
  if (backend === 'webgl') {
    const gl = (tf.backend() as unknown as WebGlBackendLike).gpgpu?.gl;
    gl?.canvas.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost'), {
      once: true,
    });
  } else if (backend === 'webgpu') {
    void (tf.backend() as unknown as WebGpuBackendLike).device?.lost?.then((info) =>
      onLost(`the WebGPU device was lost${info.message ? `: ${info.message}` : ''}`),
    );
  }
}

/** Makes the active GPU backend lose its device, as a driver reset would. */
export function simulateBackendLoss(): string {
  const backend = tf.getBackend();
  if (backend === 'webgl') {
    const gl = (tf.backend() as unknown as WebGlBackendLike).gpgpu?.gl;
    const ext = gl?.getExtension('WEBGL_lose_context');
    if (!ext) throw new Error('this WebGL context cannot be lost on purpose');
    ext.loseContext();
  } else if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as WebGpuBackendLike).device;
    if (!device?.destroy) throw new Error('this WebGPU device cannot be destroyed on purpose');
    device.destroy();
  } else {
    throw new Error(`the ${backend} backend has no GPU to lose`);
  }
  return backend;
}
