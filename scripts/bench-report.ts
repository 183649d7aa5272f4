/**
 * The pure half of `npm run bench`: turns raw measurements into the headline numbers, the targets
 * check and the printed tables. Unit-tested (scripts/bench-report.test.ts); no timing lives here.
 */

/** One configuration run through the real app UI (fresh browser profile). */
export interface AppRun {
  /** e.g. "wasm", "wasm, 1 thread", "auto" */
  label: string;
  /** the backend the app said it used */
  backend: string;
  /** software GPU or plain-JS backend: a few photos only */
  slow: boolean;
  /** a variant that turns one optimisation off, to show what it brings (never "best") */
  ablation: boolean;
  stages: { backendMs: number; modelMs: number; warmupMs: number; readyMs: number };
  /** navigation start → first photo's top-3 shown, with the photo given at once */
  coldStartMs: number;
  batch: { photos: number; totalMs: number; photosPerSec: number; longestTaskMs: number };
  /**
   * longest main-thread task from navigation to "Ready offline" (first visit: loading, the first
   * photo, and the page copying the model into the offline cache)
   */
  firstVisitLongestTaskMs: number;
  /** per-photo inference times the cards showed (worker side), ms */
  cardMs: number[];
  /** the same page reloaded: service worker and cached model */
  cachedReadyMs: number | null;
  errors: string[];
}

/** One configuration on the benchmark page (our worker, sequential, no UI). */
export interface PageRun {
  label: string;
  backend: string;
  coldLoadMs: number;
  cachedLoadMs: number | null;
  steadyMs: number[];
  soak: {
    photos: number;
    tensorsBefore: number;
    tensorsAfter: number;
    heapBefore: number | null;
    heapAfter: number | null;
  } | null;
}

/** A batch measured on the benchmark page (nsfwjs, or our naive baseline). */
export interface PeerRun {
  label: string;
  backend: string;
  loadMs: number;
  steadyMs: number[];
  batch: { photos: number; totalMs: number; photosPerSec: number; longestTaskMs: number };
  /** photos/s over interleaved rounds (batch.photosPerSec is its median), when measured so */
  throughput?: { median: number | null; min: number | null; max: number | null; n: number };
  note: string;
}

/** Everything one bench run measured. */
export interface RawResults {
  app: AppRun[];
  page: PageRun[];
  nsfwjs: PeerRun | null;
  /** nsfwjs with our WASM thread count (older bench-results.json files lack it) */
  nsfwjsSameThreads?: PeerRun | null;
  naive: PeerRun | null;
  /** float16: what the app downloads (model:fetch's default); float32: the fixture as made */
  modelBytes: { float32: number; float16: number };
  /** cold load of the float32 copy on the benchmark page, ms */
  float32ColdLoadMs: number | null;
}

/** The top-level keys of bench-results.json that the issue names. */
export interface Headline {
  bestBackend: string | null;
  steadyMs: number | null;
  throughputPhotosPerSec: number | null;
  throughputRatioVsNsfwjs: number | null;
  longestMainThreadTaskMs: number | null;
  tensorLeakAfter200: number | null;
  coldStartMs: number | null;
  modelBytes: number;
  autoBackend: string | null;
  autoVsBestThroughput: number | null;
}

/** Median of a list (null when empty). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The steady latency of a page run, or of an app run's cards when the page did not measure it. */
function steadyOf(raw: RawResults, label: string): number | null {
  const page = raw.page.find((p) => p.label === label);
  if (page) return median(page.steadyMs);
  const app = raw.app.find((a) => a.label === label);
  return app ? median(app.cardMs) : null;
}

/**
 * The headline: the best forced configuration is the one with the highest end-to-end throughput in
 * the app (ties: lower steady latency); its numbers are compared with nsfwjs on the same backend.
 */
export function headline(raw: RawResults): Headline {
  const forced = raw.app.filter((a) => a.label !== 'auto' && !a.ablation && a.errors.length === 0);
  const best = [...forced].sort(
    (a, b) =>
      b.batch.photosPerSec - a.batch.photosPerSec ||
      (steadyOf(raw, a.label) ?? Infinity) - (steadyOf(raw, b.label) ?? Infinity),
  )[0];
  const auto = raw.app.find((a) => a.label === 'auto' && a.errors.length === 0);
  const soak = raw.page.find((p) => p.soak !== null)?.soak ?? null;
  const nsfw = raw.nsfwjs?.batch.photosPerSec;
  return {
    bestBackend: best?.backend ?? null,
    steadyMs: best ? steadyOf(raw, best.label) : null,
    throughputPhotosPerSec: best?.batch.photosPerSec ?? null,
    throughputRatioVsNsfwjs: best && nsfw ? best.batch.photosPerSec / nsfw : null,
    longestMainThreadTaskMs: best?.batch.longestTaskMs ?? null,
    tensorLeakAfter200: soak ? soak.tensorsAfter - soak.tensorsBefore : null,
    coldStartMs: auto?.coldStartMs ?? null,
    modelBytes: raw.modelBytes.float16,
    autoBackend: auto?.backend ?? null,
    autoVsBestThroughput: auto && best ? auto.batch.photosPerSec / best.batch.photosPerSec : null,
  };
}

/** One target of the issue, checked. */
export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean | null;
}

const fmt = (v: number | null, digits = 0, unit = ''): string =>
  v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(digits)}${unit}`;

/** The targets against a headline (null `met`: not measured). */
export function checkTargets(h: Headline, soakPhotos: number | null): TargetCheck[] {
  const check = (v: number | null, ok: (x: number) => boolean): boolean | null =>
    v === null ? null : ok(v);
  return [
    {
      name: 'steady latency, best backend',
      target: '≤ 350 ms/photo',
      measured: fmt(h.steadyMs, 0, ' ms'),
      met: check(h.steadyMs, (x) => x <= 350),
    },
    {
      name: 'throughput vs nsfwjs, same backend',
      target: '≥ 1.5×',
      measured: fmt(h.throughputRatioVsNsfwjs, 2, '×'),
      met: check(h.throughputRatioVsNsfwjs, (x) => x >= 1.5),
    },
    {
      name: 'auto vs best forced backend (throughput)',
      target: 'within 10 %',
      measured:
        h.autoVsBestThroughput === null
          ? 'n/a'
          : `${h.autoBackend ?? '?'}: ${(h.autoVsBestThroughput * 100).toFixed(0)} % of best`,
      met: check(h.autoVsBestThroughput, (x) => x >= 0.9),
    },
    {
      name: 'longest main-thread task during a batch',
      target: '≤ 50 ms',
      measured: fmt(h.longestMainThreadTaskMs, 0, ' ms'),
      met: check(h.longestMainThreadTaskMs, (x) => x <= 50),
    },
    {
      name: `Δ numTensors after ${soakPhotos ?? 200} photos`,
      target: '0',
      measured: fmt(h.tensorLeakAfter200),
      met: check(h.tensorLeakAfter200, (x) => x === 0),
    },
    {
      name: 'cold start to first top-3 (model served locally)',
      target: '≤ 6 s',
      measured: fmt(h.coldStartMs === null ? null : h.coldStartMs / 1000, 2, ' s'),
      met: check(h.coldStartMs, (x) => x <= 6000),
    },
  ];
}

/** A Markdown table (also readable as plain text). */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(r.map(String))),
  ].join('\n');
}

/** The per-configuration table of our app. */
export function appTable(raw: RawResults): string {
  return markdownTable(
    [
      'configuration',
      'backend init',
      'model load (cold)',
      'warm-up',
      'ready (cached)',
      'steady/photo',
      'throughput',
      'longest task',
      'longest, 1st visit',
      'cold start → top-3',
    ],
    raw.app.map((a) => {
      const page = raw.page.find((p) => p.label === a.label);
      const steady = steadyOf(raw, a.label);
      const steadyNote = page
        ? `median of ${page.steadyMs.length}`
        : `cards, ${a.cardMs.length} photos`;
      return [
        a.slow ? `${a.label} (software/plain JS: ${a.batch.photos} photos)` : a.label,
        fmt(a.stages.backendMs, 0, ' ms'),
        fmt(a.stages.modelMs, 0, ' ms'),
        fmt(a.stages.warmupMs, 0, ' ms'),
        fmt(a.cachedReadyMs, 0, ' ms'),
        `${fmt(steady, 0, ' ms')} (${steadyNote})`,
        `${fmt(a.batch.photosPerSec, 2)} photos/s (${a.batch.photos})`,
        fmt(a.batch.longestTaskMs, 0, ' ms'),
        fmt(a.firstVisitLongestTaskMs, 0, ' ms'),
        a.errors.length ? `error: ${a.errors[0]}` : fmt(a.coldStartMs, 0, ' ms'),
      ];
    }),
  );
}

/** The side-by-side table: ours, nsfwjs, the naive baseline. */
export function peerTable(raw: RawResults, h: Headline): string {
  const best = raw.app.find(
    (a) => a.backend === h.bestBackend && a.label !== 'auto' && !a.ablation,
  );
  const rows: (string | number)[][] = [];
  if (best) {
    rows.push([
      `Inception Lens (${best.label}, pipelined)`,
      best.backend,
      fmt(best.stages.modelMs + best.stages.warmupMs, 0, ' ms'),
      fmt(h.steadyMs, 0, ' ms'),
      fmt(best.batch.photosPerSec, 2),
      fmt(best.batch.longestTaskMs, 0, ' ms'),
      'worker, BN folded, decode overlapped',
    ]);
  }
  for (const p of [raw.nsfwjs, raw.nsfwjsSameThreads ?? null, raw.naive]) {
    if (!p) continue;
    const t = p.throughput;
    rows.push([
      p.label,
      p.backend,
      fmt(p.loadMs, 0, ' ms'),
      fmt(median(p.steadyMs), 0, ' ms'),
      t && t.n > 1
        ? `${fmt(p.batch.photosPerSec, 2)} (${fmt(t.min, 2)}–${fmt(t.max, 2)}, ${t.n} rounds)`
        : fmt(p.batch.photosPerSec, 2),
      fmt(p.batch.longestTaskMs, 0, ' ms'),
      p.note,
    ]);
  }
  return markdownTable(
    ['', 'backend', 'load + warm-up', 'steady/photo', 'photos/s (16)', 'longest task', 'how'],
    rows,
  );
}

/** Steady latency per configuration on the benchmark page (measured in alternation). */
export function steadyTable(raw: RawResults): string {
  return markdownTable(
    ['benchmark page, one photo at a time', 'median', 'fastest', 'slowest', 'photos'],
    raw.page
      .filter((p) => p.steadyMs.length > 0)
      .map((p) => [
        p.label,
        fmt(median(p.steadyMs), 0, ' ms'),
        fmt(Math.min(...p.steadyMs), 0, ' ms'),
        fmt(Math.max(...p.steadyMs), 0, ' ms'),
        p.steadyMs.length,
      ]),
  );
}
