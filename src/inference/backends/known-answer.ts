/**
 * The known-answer check every backend passes before it is used: a tiny matmul and convolution
 * whose exact results are known, so a driver that starts but computes garbage is refused.
 */
import * as tf from '@tensorflow/tfjs';

/** What the check computes: [[1,2],[3,4]]·[5,6], then a 2×2 box sum over 1..9, ReLU'd. */
export const KNOWN_ANSWER = [17, 39, 12, 16, 24, 28] as const;

/** Options of {@link knownAnswerCheck}. */
export interface KnownAnswerOptions {
  /**
   * Test switch (`?debug=1&fail=<backend>`): perturb the computed numbers on the backend before
   * they are compared, so the real comparison rejects it, as it would a broken driver.
   */
  corrupt?: boolean;
}

/**
 * Runs the check on the current backend; returns null when the numbers are right, else a reason
 * that shows what came back. Leaves no tensors behind.
 */
export async function knownAnswerCheck(options: KnownAnswerOptions = {}): Promise<string | null> {
  const out = tf.tidy(() => {
    const mm = tf
      .matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1]))
      .reshape([2]);
    const image = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const conv = tf
      .conv2d(image, tf.ones([2, 2, 1, 1]), 1, 'valid')
      .relu()
      .reshape([4]);
    const all = tf.concat([mm, conv]);
    // The perturbation runs on the backend under test, like a wrong kernel would.
    return options.corrupt ? all.add(tf.scalar(0.5)) : all;
  });
  const got = Array.from(await out.data());
  out.dispose();
  const want = KNOWN_ANSWER;
  const ok =
    got.length === want.length && got.every((v, i) => Math.abs(v - (want[i] as number)) < 1e-2);
  if (ok) return null;
  const forced = options.corrupt ? ' (made to fail on purpose by ?fail=)' : '';
  return `known-answer check failed${forced}: got [${got.join(', ')}], want [${want.join(', ')}]`;
}
