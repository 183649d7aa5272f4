import { describe, expect, test } from 'vitest';
import {
  appTable,
  checkTargets,
  headline,
  markdownTable,
  median,
  peerTable,
  steadyTable,
  type AppRun,
  type RawResults,
} from './bench-report';

function app(
  label: string,
  backend: string,
  photosPerSec: number,
  extra: Partial<AppRun> = {},
): AppRun {
  return {
    label,
    backend,
    slow: false,
    ablation: false,
    stages: { backendMs: 100, modelMs: 2000, warmupMs: 900, readyMs: 3200 },
    coldStartMs: 4500,
    firstVisitLongestTaskMs: 120,
    batch: { photos: 16, totalMs: 16000 / photosPerSec, photosPerSec, longestTaskMs: 30 },
    cardMs: [300, 310, 290],
    cachedReadyMs: 2500,
    errors: [],
    ...extra,
  };
}

function raw(): RawResults {
  return {
    app: [
      app('wasm', 'wasm', 4),
      app('wasm, 1 thread', 'wasm', 4.5, { ablation: true }),
      app('webgl', 'webgl', 0.1, { slow: true, cardMs: [9000, 9500] }),
      app('auto', 'wasm', 3.8, { coldStartMs: 5100 }),
    ],
    page: [
      {
        label: 'wasm',
        backend: 'wasm',
        coldLoadMs: 3000,
        cachedLoadMs: 2000,
        steadyMs: [250, 240, 260, 255],
        soak: {
          photos: 200,
          tensorsBefore: 568,
          tensorsAfter: 568,
          heapBefore: 1e8,
          heapAfter: 1.01e8,
        },
      },
    ],
    nsfwjs: {
      label: 'nsfwjs',
      backend: 'wasm, 1 thread',
      loadMs: 4000,
      steadyMs: [500, 520],
      batch: { photos: 16, totalMs: 8000, photosPerSec: 2, longestTaskMs: 520 },
      note: 'main thread',
    },
    naive: null,
    modelBytes: { float32: 95_600_000, float16: 47_900_000 },
    float32ColdLoadMs: 2800,
  };
}

describe('median', () => {
  test('odd, even, empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('headline', () => {
  test('best = highest throughput among forced, non-ablation configurations', () => {
    const h = headline(raw());
    // "wasm, 1 thread" is faster here but an ablation; auto is not "forced"
    expect(h.bestBackend).toBe('wasm');
    expect(h.steadyMs).toBe(252.5);
    expect(h.throughputPhotosPerSec).toBe(4);
    expect(h.throughputRatioVsNsfwjs).toBe(2);
    expect(h.longestMainThreadTaskMs).toBe(30);
    expect(h.tensorLeakAfter200).toBe(0);
    expect(h.coldStartMs).toBe(5100);
    expect(h.modelBytes).toBe(47_900_000);
    expect(h.autoBackend).toBe('wasm');
    expect(h.autoVsBestThroughput).toBeCloseTo(0.95);
  });

  test('a configuration that failed cannot be best; missing measurements are null', () => {
    const r = raw();
    r.app[0]!.errors.push('crashed');
    r.nsfwjs = null;
    r.page = [];
    const h = headline(r);
    expect(h.bestBackend).toBe('webgl');
    expect(h.steadyMs).toBe(9250); // from the cards, since the page did not measure it
    expect(h.throughputRatioVsNsfwjs).toBeNull();
    expect(h.tensorLeakAfter200).toBeNull();
  });
});

describe('checkTargets', () => {
  test('each target met or missed by the numbers', () => {
    const checks = checkTargets(headline(raw()), 200);
    expect(checks.map((c) => c.met)).toEqual([true, true, true, true, true, true]);
    const missed = checkTargets(
      {
        ...headline(raw()),
        steadyMs: 351,
        throughputRatioVsNsfwjs: 1.49,
        autoVsBestThroughput: 0.89,
        longestMainThreadTaskMs: 51,
        tensorLeakAfter200: 3,
        coldStartMs: 6001,
      },
      200,
    );
    expect(missed.map((c) => c.met)).toEqual([false, false, false, false, false, false]);
    expect(missed[4]?.measured).toBe('3');
  });

  test('not measured is neither met nor missed', () => {
    const checks = checkTargets({ ...headline(raw()), steadyMs: null }, null);
    expect(checks[0]).toMatchObject({ met: null, measured: 'n/a' });
  });
});

describe('tables', () => {
  test('a Markdown table with aligned columns', () => {
    expect(markdownTable(['a', 'bb'], [['xxx', 1]])).toBe(
      ['| a   | bb |', '| --- | -- |', '| xxx | 1  |'].join('\n'),
    );
  });

  test('the app and peer tables name every configuration and mark the slow ones', () => {
    const r = raw();
    const text = appTable(r);
    expect(text).toContain('wasm, 1 thread');
    expect(text).toContain('webgl (software/plain JS: 16 photos)');
    expect(text).toContain('253 ms (median of 4)');
    const peers = peerTable(r, headline(r));
    expect(peers).toContain('Inception Lens (wasm, pipelined)');
    expect(peers).toContain('nsfwjs');
    expect(steadyTable(r)).toContain('| wasm');
    expect(steadyTable(r)).toContain('240 ms');
  });

  test('nsfwjs measured in interleaved rounds shows its median and spread, at both thread counts', () => {
    const r = raw();
    const rounds = { median: 2, min: 1.8, max: 2.3, n: 7 };
    r.nsfwjs = { ...r.nsfwjs!, throughput: rounds };
    r.nsfwjsSameThreads = {
      ...r.nsfwjs,
      label: 'nsfwjs, our thread count',
      backend: 'wasm, 2 threads',
      batch: { ...r.nsfwjs.batch, photosPerSec: 2.6 },
      throughput: { median: 2.6, min: 2.5, max: 2.9, n: 7 },
    };
    const peers = peerTable(r, headline(r));
    expect(peers).toContain('2.00 (1.80–2.30, 7 rounds)');
    expect(peers).toMatch(/\| nsfwjs, our thread count +\| wasm, 2 threads/);
    expect(peers).toContain('2.60 (2.50–2.90, 7 rounds)');
    // the headline ratio is against nsfwjs as documented (its median)
    expect(headline(r).throughputRatioVsNsfwjs).toBeCloseTo(
      headline(r).throughputPhotosPerSec! / 2,
    );
  });
});
