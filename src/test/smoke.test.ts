import { expect, test } from 'vitest';
import { useWasmBackend } from './tf-node';

test('wasm in node', async () => {
  const tf = await useWasmBackend();
  expect(tf.getBackend()).toBe('wasm');
  const y = tf.matMul(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
    tf.tensor2d([[5], [6]]),
  );
  expect(Array.from(await y.data())).toEqual([17, 39]);
});
