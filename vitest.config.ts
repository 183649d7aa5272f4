import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit tests run in Node; TensorFlow.js uses its WASM backend there (see src/test/tf-node.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: one on the 2-core CI machines, which left
    // a core idle, since TF.js' WASM backend runs single-threaded in Node. Two forks there halve the
    // unit tests' wall time on a quiet machine (issue 16 item 9: npm test under 35 minutes).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
