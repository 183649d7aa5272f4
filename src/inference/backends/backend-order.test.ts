import { describe, expect, test } from 'vitest';
import { backendAttemptOrder, type Capability } from './backend-order';
import type { BackendName } from '../protocol';

function cap(backend: BackendName, present = true, software = false): Capability {
  return { backend, present, software, detail: `${backend} probe` };
}

const allReal = [cap('webgpu'), cap('webgl'), cap('wasm'), cap('cpu')];

describe('backendAttemptOrder', () => {
  test.each(['webgpu', 'webgl', 'wasm', 'cpu'] as const)(
    'a forced choice (%s) is attempted alone, whatever the probes say',
    (choice) => {
      expect(backendAttemptOrder(choice, allReal)).toEqual([choice]);
      expect(backendAttemptOrder(choice, [])).toEqual([choice]);
      expect(backendAttemptOrder(choice, [cap(choice, false)])).toEqual([choice]);
    },
  );

  test('auto with real GPUs: webgpu, webgl, wasm, cpu', () => {
    expect(backendAttemptOrder('auto', allReal)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  test('the order does not depend on the order of the probes', () => {
    const shuffled = [cap('cpu'), cap('wasm'), cap('webgl'), cap('webgpu')];
    expect(backendAttemptOrder('auto', shuffled)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  test('does not reorder the array it was given', () => {
    const caps = [cap('cpu'), cap('wasm'), cap('webgl', true, true), cap('webgpu')];
    const copy = caps.map((c) => c.backend);
    backendAttemptOrder('auto', caps);
    expect(caps.map((c) => c.backend)).toEqual(copy);
  });

  test("?measure=all (softwareAsGpu): software GPUs take a real GPU's place", () => {
    const caps = [cap('webgpu', true, true), cap('webgl', true, true), cap('wasm'), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(backendAttemptOrder('auto', caps, { softwareAsGpu: true })).toEqual([
      'webgpu',
      'webgl',
      'wasm',
      'cpu',
    ]);
    expect(backendAttemptOrder('webgl', caps, { softwareAsGpu: true })).toEqual(['webgl']);
  });

  test('software WebGL is tried after wasm, before cpu', () => {
    const caps = [cap('webgpu', false), cap('webgl', true, true), cap('wasm'), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['wasm', 'webgl', 'cpu']);
  });

  test('software WebGPU and WebGL both come after wasm, in their usual order', () => {
    const caps = [cap('webgpu', true, true), cap('webgl', true, true), cap('wasm'), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
  });

  test('a real WebGL goes first when WebGPU is only a software adapter', () => {
    const caps = [cap('webgpu', true, true), cap('webgl'), cap('wasm'), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['webgl', 'wasm', 'webgpu', 'cpu']);
  });

  test('absent backends are skipped', () => {
    const caps = [cap('webgpu', false), cap('webgl'), cap('wasm', false), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['webgl', 'cpu']);
  });

  test('everything absent except cpu → cpu only', () => {
    const caps = [cap('webgpu', false), cap('webgl', false, true), cap('wasm', false), cap('cpu')];
    expect(backendAttemptOrder('auto', caps)).toEqual(['cpu']);
  });

  test('no probes at all → nothing to try', () => {
    expect(backendAttemptOrder('auto', [])).toEqual([]);
  });
});
