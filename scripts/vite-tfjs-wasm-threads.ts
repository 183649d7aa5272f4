/**
 * A Vite plugin that keeps TensorFlow.js' multi-threaded WASM backend working in a minified build.
 *
 * Why: `@tensorflow/tfjs-backend-wasm` starts its helper threads (Emscripten pthreads) by sending
 * them the *source text* of its module factory (`wasmFactoryThreadedSimd.toString()`), which each
 * thread evaluates on its own. In the package the factory is an inner function of an IIFE that
 * declares `_scriptDir`, and the factory reads that outer variable. Unminified, the read sits
 * behind `typeof _scriptDir !== "undefined"`, so a thread (where the outer scope does not exist)
 * survives. A minifier knows `_scriptDir` is a declared local, renames it (to `e`) and drops the
 * `typeof` guard, so every helper thread dies with "ReferenceError: e is not defined".
 *
 * Fix: declare `_scriptDir` inside the factory too, so its source text is self-contained and the
 * minifier may rename whatever it likes. In a browser `_scriptDir` is always undefined in a worker
 * (no `document`, no `__filename`), so the behaviour is unchanged.
 */
import type { Plugin } from 'vite';

/** The file whose factory is stringified (both the ESM and CJS layouts of the package). */
const TARGET = /tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
/** The factory's first line, as the package ships it. */
const FACTORY_HEAD = 'function(WasmBackendModuleThreadedSimd) {';
const SCRIPT_DIR =
  "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;";

/** Rewrites the threaded factory's source so it needs nothing from its enclosing scope. */
export function selfContainedFactory(code: string): string {
  const at = code.indexOf(FACTORY_HEAD);
  if (at < 0 || code.indexOf(FACTORY_HEAD, at + 1) >= 0) {
    throw new Error(
      'tfjs-wasm-threads: the threaded WASM factory changed shape (expected exactly one ' +
        `"${FACTORY_HEAD}"); review scripts/vite-tfjs-wasm-threads.ts for this tfjs version`,
    );
  }
  const end = at + FACTORY_HEAD.length;
  return `${code.slice(0, end)}\n${SCRIPT_DIR}\n${code.slice(end)}`;
}

/** The plugin: applies {@link selfContainedFactory} to tfjs' threaded factory module. */
export function tfjsWasmThreads(): Plugin {
  return {
    name: 'inception-lens:tfjs-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!TARGET.test(id.split('?')[0] ?? id)) return null;
      return { code: selfContainedFactory(code), map: null };
    },
  };
}
