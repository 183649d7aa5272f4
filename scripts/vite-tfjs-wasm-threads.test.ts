import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { selfContainedFactory, tfjsWasmThreads } from './vite-tfjs-wasm-threads';

const require = createRequire(import.meta.url);
const FACTORY =
  require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

describe('the threaded-WASM factory fix', () => {
  const original = readFileSync(FACTORY, 'utf8');

  test("tfjs' factory reads _scriptDir from its enclosing scope (the bug's cause)", () => {
    const head = original.indexOf('function(WasmBackendModuleThreadedSimd) {');
    expect(head).toBeGreaterThan(0);
    expect(original.slice(0, head)).toContain('var _scriptDir');
    expect(original.slice(head)).toContain('_scriptDir');
  });

  test('after the fix the factory declares _scriptDir itself, and its source text parses alone', () => {
    const fixed = selfContainedFactory(original);
    const head = fixed.indexOf('function(WasmBackendModuleThreadedSimd) {');
    expect(fixed.slice(head).split('\n')[1]).toMatch(/^var _scriptDir = /);
    // A helper thread evaluates just this function's text (the end-to-end tests run it for real).
    const source = fixed.slice(head, fixed.indexOf('\n);\n})();', head));
    expect(() => new Script(`(${source}\n)`)).not.toThrow();
  });

  test('refuses a factory of another shape rather than building a broken app', () => {
    expect(() => selfContainedFactory('var x = 1;')).toThrow(/changed shape/);
  });

  test('the plugin only touches that one file', () => {
    const plugin = tfjsWasmThreads();
    const transform = plugin.transform as (code: string, id: string) => { code: string } | null;
    expect(transform('var a;', '/x/node_modules/other/index.js')).toBeNull();
    expect(transform(original, FACTORY)?.code).toBe(selfContainedFactory(original));
  });
});
