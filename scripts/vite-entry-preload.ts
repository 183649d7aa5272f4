/**
 * Which JavaScript a dynamic import preloads (Vite's `build.modulePreload.resolveDependencies`).
 *
 * The entry script (`src/main.tsx`, React and React DOM) imports the app's own chunk dynamically.
 * Vite's preload helper would add a `<link rel=modulepreload>` for each of that chunk's JavaScript
 * dependencies, and it does so inside the entry's evaluation — the first visit's longest
 * main-thread task (issue 18: no task over 50 ms). Measured on the 2-core machines, 8 interleaved
 * cold visits a build: the entry's evaluation 136 → 96 ms (medians), the first top-3 unchanged.
 * Without the links the app's chunk names its own imports when it arrives (one more request on
 * the same origin, answered from the service worker's cache after the first visit). The entry's
 * CSS is still preloaded (Vite keeps CSS out of this list), and every other dynamic import (the
 * tabs, the Keras-exact decoder) keeps its preloads.
 */

/** The entry chunk as Vite names it: `assets/index-<hash>.js`. */
const ENTRY_CHUNK = /(^|\/)index-[\w-]+\.js$/;

export function preloadDependencies(
  _filename: string,
  deps: string[],
  context: { hostId: string; hostType: 'html' | 'js' },
): string[] {
  return context.hostType === 'js' && ENTRY_CHUNK.test(context.hostId) ? [] : deps;
}
