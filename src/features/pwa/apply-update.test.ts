import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyUpdate } from './apply-update';

/** A service worker as the page sees it: a state, statechange events, postMessage. */
class FakeWorker extends EventTarget {
  state: ServiceWorkerState = 'installed';
  readonly messages: unknown[] = [];
  onMessage: (data: unknown) => void = () => undefined;
  postMessage(data: unknown): void {
    this.messages.push(data);
    this.onMessage(data);
  }
  become(state: ServiceWorkerState): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }
}

class FakeContainer extends EventTarget {
  controller: unknown = { state: 'activated' };
  takeOver(worker: FakeWorker): void {
    this.controller = worker;
    this.dispatchEvent(new Event('controllerchange'));
  }
}

interface FakeFrame {
  src: string;
  hidden: boolean;
  tabIndex: number;
  sandbox: Set<string>;
  removed: boolean;
  setAttribute(): void;
  remove(): void;
}

let container: FakeContainer;
let frames: FakeFrame[];
let srcHistory: string[];

function registration(waiting: FakeWorker | null, installing: FakeWorker | null = null) {
  return {
    waiting,
    installing,
    scope: 'http://app.test/lens/',
  } as unknown as ServiceWorkerRegistration;
}

beforeEach(() => {
  container = new FakeContainer();
  frames = [];
  srcHistory = [];
  vi.stubGlobal('navigator', { serviceWorker: container });
  vi.stubGlobal('document', {
    createElement: () => {
      const frame: FakeFrame = {
        hidden: false,
        tabIndex: 0,
        sandbox: new Set(),
        removed: false,
        setAttribute: () => undefined,
        remove() {
          this.removed = true;
        },
        get src() {
          return srcHistory[srcHistory.length - 1] ?? '';
        },
        set src(url: string) {
          srcHistory.push(url);
        },
      };
      frames.push(frame);
      return frame;
    },
    body: { append: () => undefined },
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('applyUpdate', () => {
  it('a worker that takes over at once (inside postMessage) still gets the page reloaded', async () => {
    const next = new FakeWorker();
    next.onMessage = () => container.takeOver(next); // synchronous, inside postMessage
    const reload = vi.fn();
    await applyUpdate(registration(next), { reload });
    expect(next.messages).toEqual([{ type: 'SKIP_WAITING' }]);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(frames).toHaveLength(0); // no nudge needed
  });

  it('reloads only after the takeover, nudging with a script-less frame while the swap stalls', async () => {
    vi.useFakeTimers();
    const next = new FakeWorker();
    const reload = vi.fn();
    const done = applyUpdate(registration(next), { reload, nudgeEveryMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(reload).not.toHaveBeenCalled();
    expect(frames).toHaveLength(1);
    expect(frames[0]?.hidden).toBe(true);
    expect([...(frames[0]?.sandbox ?? [])]).toEqual(['allow-same-origin']);
    expect(srcHistory).toEqual(
      [1, 2, 3].map((n) => `http://app.test/lens/sw-swap-nudge?attempt=${n}`),
    );

    next.become('activating');
    container.takeOver(next);
    await done;
    expect(reload).toHaveBeenCalledTimes(1);
    expect(frames[0]?.removed).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(srcHistory).toHaveLength(3); // no nudges after the takeover
  });

  it('a worker still installing gets the message too (it activates once installed)', async () => {
    const next = new FakeWorker();
    next.state = 'installing';
    const reload = vi.fn();
    const done = applyUpdate(registration(null, next), { reload });
    expect(next.messages).toEqual([{ type: 'SKIP_WAITING' }]);
    next.become('installed');
    expect(reload).not.toHaveBeenCalled();
    next.become('activated');
    await done;
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('nothing waiting any more (another tab applied it): reloads at once', async () => {
    const reload = vi.fn();
    await applyUpdate(registration(null), { reload });
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
