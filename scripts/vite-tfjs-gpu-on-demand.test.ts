import { describe, expect, test } from 'vitest';
import { TFJS_SHIM, tfjsGpuOnDemand } from './vite-tfjs-gpu-on-demand';

type ResolveId = (source: string, importer: string | undefined) => string | null;

describe("the inference worker's @tensorflow/tfjs without the GPU backends", () => {
  test('only the bare umbrella specifier is redirected, never from the stand-in itself', () => {
    const resolveId = tfjsGpuOnDemand().resolveId as unknown as ResolveId;
    expect(resolveId('@tensorflow/tfjs', '/app/src/inference/classify/classifier.ts')).toBe(
      TFJS_SHIM,
    );
    expect(resolveId('@tensorflow/tfjs-core', '/app/src/x.ts')).toBeNull();
    expect(resolveId('@tensorflow/tfjs/dist/version', TFJS_SHIM)).toBeNull();
    expect(resolveId('@tensorflow/tfjs', TFJS_SHIM)).toBeNull();
  });

  test("the stand-in exports all of the umbrella's names but the WebGL backend's own", async () => {
    const umbrella = (await import('@tensorflow/tfjs')) as Record<string, unknown>;
    const shim = (await import('../src/inference/backends/tfjs-gpu-on-demand')) as Record<
      string,
      unknown
    >;
    const webgl = (await import('@tensorflow/tfjs-backend-webgl')) as Record<string, unknown>;
    const missing = Object.keys(umbrella).filter((name) => !(name in shim));
    // what our code uses is there, the same objects
    for (const name of ['tensor', 'loadLayersModel', 'loadGraphModel', 'setBackend', 'grad'])
      expect(shim[name], name).toBe(umbrella[name]);
    for (const [space, name] of [
      ['data', 'array'],
      ['io', 'fromMemory'],
      ['layers', 'conv2d'],
    ] as const)
      expect((shim[space] as Record<string, unknown>)[name], `${space}.${name}`).toBe(
        (umbrella[space] as Record<string, unknown>)[name],
      );
    expect(missing.filter((name) => !(name in webgl))).toEqual([]);
    expect(missing).toContain('MathBackendWebGL');
    expect(shim.version).toEqual({
      ...(umbrella.version as Record<string, string>),
      'tfjs-backend-webgl': undefined,
    });
  });
});
