/** Reproducible "random" numbers for tests: a linear congruential generator, nothing cryptographic. */

/** `size` values in [−scale, scale), the same for the same seed. */
export function seeded(size: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return ((state / 0x1_0000_0000) * 2 - 1) * scale;
  });
}

/**
 * Runs `build` with `Math.random` replaced by a seeded generator, so that whatever draws its
 * randomness from it (TensorFlow.js' unseeded initialisers seed themselves from `Math.random`)
 * gives the same result on every run; `Math.random` is restored afterwards, also on a throw.
 */
export function withSeededRandom<T>(seed: number, build: () => T): T {
  const original = Math.random;
  let state = seed >>> 0;
  Math.random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
  try {
    return build();
  } finally {
    Math.random = original;
  }
}
