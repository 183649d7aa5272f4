/**
 * A React root for component tests (under `// @vitest-environment happy-dom`): a fresh container
 * and root before each test, unmounted and removed after it, with object URLs faked (happy-dom
 * has none) and every spy restored.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, vi } from 'vitest';

/** The current test's root and container. */
export interface TestRoot {
  readonly root: Root;
  readonly container: HTMLElement;
}

/**
 * Registers the set-up and tear-down in the calling `describe`; `objectUrl` names each URL that
 * `URL.createObjectURL` hands out (the n-th, from 1).
 */
export function useTestRoot(objectUrl: (n: number) => string): TestRoot {
  let root: Root | null = null;
  let container: HTMLElement | null = null;
  beforeEach(() => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    let n = 0;
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => objectUrl(++n));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    const mounted = root;
    if (mounted) act(() => mounted.unmount());
    container?.remove();
    root = null;
    container = null;
    vi.restoreAllMocks();
  });
  return {
    get root() {
      if (!root) throw new Error('no root outside a test');
      return root;
    },
    get container() {
      if (!container) throw new Error('no container outside a test');
      return container;
    },
  };
}
