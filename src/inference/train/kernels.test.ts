import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { useWasmBackend } from '../../test/tf-node';
import { ensureTrainingKernels, TRAINING_KERNELS } from './kernels';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

type Pad = 'same' | 'valid';

/** Deterministic values, so both backends see the same numbers. */
function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 0.37) * 0.8);
}

/** Gradients of sum(conv(x, w) * r) with respect to x and w, on a backend. */
async function gradients(
  backend: 'cpu' | 'wasm',
  depthwise: boolean,
  xShape: [number, number, number, number],
  wShape: [number, number, number, number],
  strides: number,
  pad: Pad,
): Promise<{ dx: number[]; dw: number[] }> {
  await tf.setBackend(backend);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(values(size(xShape), 1), xShape);
  const w = tf.tensor4d(values(size(wShape), 2), wShape);
  const conv = (a: tfTypes.Tensor4D, b: tfTypes.Tensor4D) =>
    depthwise ? tf.depthwiseConv2d(a, b, strides, pad) : tf.conv2d(a, b, strides, pad);
  const probe = conv(x, w);
  const outShape = probe.shape;
  probe.dispose();
  const r = tf.tensor(values(size(outShape), 3), outShape);
  const [dx, dw] = tf.grads((a: tfTypes.Tensor, b: tfTypes.Tensor) =>
    tf.sum(tf.mul(conv(a as tfTypes.Tensor4D, b as tfTypes.Tensor4D), r)),
  )([x, w]);
  const out = { dx: Array.from(await dx!.data()), dw: Array.from(await dw!.data()) };
  [x, w, r, dx!, dw!].forEach((t) => t.dispose());
  return out;
}

describe('training kernels for the WebAssembly backend', () => {
  it('registers exactly the missing gradient kernels, once', () => {
    expect(tf.getBackend()).toBe('wasm');
    const first = ensureTrainingKernels();
    expect(first.every((k) => TRAINING_KERNELS.includes(k))).toBe(true);
    expect(first).toContain('Conv2DBackpropFilter');
    expect(ensureTrainingKernels()).toEqual([]);
  });

  it.each([
    [false, [2, 7, 7, 3], [3, 3, 3, 4], 1, 'same'],
    [false, [2, 9, 8, 3], [3, 3, 3, 5], 2, 'valid'],
    [false, [1, 8, 8, 2], [1, 7, 2, 3], 1, 'same'],
    [false, [2, 9, 9, 4], [3, 3, 4, 2], 2, 'same'],
    [true, [2, 7, 7, 3], [3, 3, 3, 1], 1, 'same'],
    [true, [2, 8, 8, 3], [3, 3, 3, 2], 2, 'same'],
    [true, [1, 9, 7, 2], [3, 3, 2, 1], 2, 'valid'],
  ] as const)(
    'depthwise=%s x%j w%j stride %i %s: gradients match the CPU backend',
    async (depthwise, xShape, wShape, strides, pad) => {
      ensureTrainingKernels();
      const shapes = [
        [...xShape] as [number, number, number, number],
        [...wShape] as [number, number, number, number],
      ] as const;
      const reference = await gradients('cpu', depthwise, ...shapes, strides, pad);
      await tf.setBackend('wasm');
      const start = tf.memory().numTensors;
      const ours = await gradients('wasm', depthwise, ...shapes, strides, pad);
      expect(tf.memory().numTensors).toBe(start);
      expect(ours.dw).toHaveLength(reference.dw.length);
      ours.dw.forEach((v, i) => expect(v).toBeCloseTo(reference.dw[i]!, 4));
      ours.dx.forEach((v, i) => expect(v).toBeCloseTo(reference.dx[i]!, 4));
    },
  );
});
