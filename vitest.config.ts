import { defineConfig } from 'vitest/config';

// Unit tests run in Node; TensorFlow.js uses its WASM backend there (see src/test/tf-node.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
