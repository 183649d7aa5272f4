import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../../test/tf-node';
import { KNOWN_ANSWER, knownAnswerCheck } from './known-answer';

describe('knownAnswerCheck', () => {
  afterAll(async () => {
    await useWasmBackend();
  });

  test.each(['wasm', 'cpu'] as const)(
    'passes on a working backend (%s), leaving no tensors',
    async (name) => {
      if (name === 'wasm') await useWasmBackend();
      else await tf.setBackend('cpu');
      const before = tf.memory().numTensors;
      await expect(knownAnswerCheck()).resolves.toBeNull();
      expect(tf.getBackend()).toBe(name);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  test('a backend whose numbers are off is refused, with what it computed', async () => {
    await useWasmBackend();
    const before = tf.memory().numTensors;
    const reason = await knownAnswerCheck({ corrupt: true });
    expect(reason).toMatch(/^known-answer check failed \(made to fail on purpose by \?fail=\)/);
    // The comparison itself rejected the numbers: they are the right ones, each off by 0.5.
    expect(reason).toContain(`got [${KNOWN_ANSWER.map((v) => v + 0.5).join(', ')}]`);
    expect(reason).toContain(`want [${KNOWN_ANSWER.join(', ')}]`);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a backend with a broken kernel is refused', async () => {
    // A copy of the CPU backend under another name, whose Relu is wrong (it negates).
    const name = 'broken-relu';
    const cpuKernels = tf.getKernelsForBackend('cpu');
    tf.registerBackend(
      name,
      () => new (tf.findBackendFactory('cpu') as unknown as new () => tf.KernelBackend)(),
    );
    for (const kernel of cpuKernels) {
      if (kernel.kernelName === 'Relu') continue;
      tf.registerKernel({ ...kernel, backendName: name });
    }
    tf.registerKernel({
      kernelName: 'Relu',
      backendName: name,
      kernelFunc: ({ inputs, backend }) => {
        const x = (inputs as { x: tf.TensorInfo }).x;
        const b = backend as unknown as {
          makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
          readSync(id: object): Float32Array;
        };
        const values = Float32Array.from(b.readSync(x.dataId), (v) => -v);
        return b.makeTensorInfo(x.shape, x.dtype, values);
      },
    });
    try {
      await tf.setBackend(name);
      const reason = await knownAnswerCheck();
      expect(reason).toBe(
        'known-answer check failed: got [17, 39, -12, -16, -24, -28], want [17, 39, 12, 16, 24, 28]',
      );
    } finally {
      await useWasmBackend();
      tf.removeBackend(name);
    }
  });
});
