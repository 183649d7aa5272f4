/**
 * Which backends to try, in which order. Pure, so the fallback rules are unit-tested without a
 * browser; the probing itself lives in select-backend.ts.
 */
import { BACKENDS, type BackendChoice, type BackendName } from '../protocol';

/** What a cheap capability probe found, before TensorFlow.js initialises anything. */
export interface Capability {
  backend: BackendName;
  present: boolean;
  /** a software rasteriser pretending to be a GPU */
  software: boolean;
  detail: string;
}

function rank(c: Capability, softwareAsGpu: boolean): number {
  const gpu = c.backend === 'webgpu' || c.backend === 'webgl';
  if (gpu && (!c.software || softwareAsGpu)) return 0;
  if (c.backend === 'wasm') return 1;
  if (gpu) return 2;
  return 3;
}

/**
 * The backends to attempt for a choice. A forced backend is attempted alone. `auto` tries real
 * GPUs first (WebGPU, then WebGL), then WASM, then software GPUs, then the plain CPU backend:
 * a software "GPU" is many times slower than WASM, so it only serves when WASM fails — unless
 * `softwareAsGpu` (`?measure=all`) ranks software GPUs as real ones, which lets a machine without
 * a GPU run the whole WebGPU → WebGL → WASM chain.
 */
export function backendAttemptOrder(
  choice: BackendChoice,
  capabilities: Capability[],
  options: { softwareAsGpu?: boolean } = {},
): BackendName[] {
  if (choice !== 'auto') return [choice];
  const soft = options.softwareAsGpu === true;
  return capabilities
    .filter((c) => c.present)
    .sort(
      (a, b) =>
        rank(a, soft) - rank(b, soft) || BACKENDS.indexOf(a.backend) - BACKENDS.indexOf(b.backend),
    )
    .map((c) => c.backend);
}
