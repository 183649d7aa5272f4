import { describe, expect, test } from 'vitest';
import { preloadDependencies } from './vite-entry-preload';

describe('module preloads', () => {
  test("the entry's dynamic import of the app preloads no JavaScript; other imports keep theirs", () => {
    const deps = ['assets/app-a1.js', 'assets/message-of-b2.js'];
    expect(
      preloadDependencies('assets/app-a1.js', deps, {
        hostId: 'assets/index-D2H--lRA.js',
        hostType: 'js',
      }),
    ).toEqual([]);
    expect(
      preloadDependencies('assets/inspect-c3.js', deps, {
        hostId: 'assets/app-a1.js',
        hostType: 'js',
      }),
    ).toEqual(deps);
    expect(
      preloadDependencies('assets/index-D2H--lRA.js', deps, {
        hostId: 'index.html',
        hostType: 'html',
      }),
    ).toEqual(deps);
    // a chunk whose name merely contains "index-" is not the entry
    expect(
      preloadDependencies('assets/x.js', deps, {
        hostId: 'assets/photo-index-e4.js',
        hostType: 'js',
      }),
    ).toEqual(deps);
  });
});
