/**
 * The suite mechanism of `npm run bench -- --suite=<name>[,<name>…]` and the pure logic the suites
 * share: each suite measures one thing and owns some top-level keys of `bench-results.json`;
 * running a suite replaces exactly its own keys and leaves the other suites' keys as they were, so
 * `core`, `library`, `dataset`, … can be run separately and still land in one file.
 *
 * Adding a suite: write `scripts/bench-<name>.ts` exporting a {@link Suite}, and list it in
 * `SUITES` in scripts/bench.ts. Unit-tested in scripts/bench-suites.test.ts; no timing lives here.
 */
import type { Browser, Page } from '@playwright/test';

/** What a suite gets from the runner (built app, served origin, browser launcher, photos). */
export interface SuiteContext {
  root: string;
  /** the production build being served (dist-bench/) */
  dist: string;
  origin: string;
  quick: boolean;
  log: (line: string) => void;
  /** a headless Chromium with the project's flags (`webgpu`: with --enable-unsafe-webgpu) */
  launch: (webgpu?: boolean) => Promise<Browser>;
  /** the app's production worker file, as served */
  workerFile: () => string;
  /** photos as files for the benchmark page's input */
  photos: (count: number) => { name: string; mimeType: string; buffer: Buffer }[];
  /** URLs (under origin) of the same photos, served from dist for in-page drops */
  photoUrls: (count: number) => string[];
  /** a fresh benchmark page (its own browser context) with `photos` picked */
  benchPage: (
    browser: Browser,
    photos: { name: string; mimeType: string; buffer: Buffer }[],
  ) => Promise<{ page: Page; close: () => Promise<void> }>;
  /** bytes of the model the app downloads by default (float16) */
  modelBytes: number;
  /** URL of nsfwjs' own InceptionV3 as its README hosts it */
  nsfwjsModelUrl: string;
}

/** What a suite hands back: its keys of bench-results.json and what it prints. */
export interface SuiteOutput {
  results: Record<string, unknown>;
  report: string;
}

/** One suite of the bench. */
export interface Suite {
  name: string;
  /** the top-level keys of bench-results.json this suite writes (and alone may replace) */
  keys: string[];
  /** one line for `--help` */
  describe: string;
  run: (context: SuiteContext) => Promise<SuiteOutput>;
}

/** When and under what load a suite ran (kept per suite in `suites.<name>`). */
export interface SuiteMeta {
  date: string;
  durationS: number;
  quick: boolean;
  /** `os.loadavg()` before and after: the machine is shared, numbers depend on it */
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  machine: Record<string, unknown>;
}

/**
 * Merges one suite's results into the existing file's object: the suite's own keys are replaced
 * (a key it owns but no longer wrote is removed), everything else is kept, and `suites.<name>`
 * records when and under what load it ran. A suite writing a key it does not own is refused.
 */
export function mergeSuiteResults(
  existing: Record<string, unknown>,
  suite: Pick<Suite, 'name' | 'keys'>,
  results: Record<string, unknown>,
  meta: SuiteMeta,
): Record<string, unknown> {
  for (const key of Object.keys(results)) {
    if (!suite.keys.includes(key)) {
      throw new Error(
        `suite ${suite.name} wrote "${key}", which it does not own (${suite.keys.join(', ')})`,
      );
    }
  }
  if (suite.keys.includes('suites')) throw new Error('"suites" belongs to the runner');
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(existing)) {
    if (!suite.keys.includes(key)) merged[key] = value;
  }
  Object.assign(merged, results);
  const suites =
    typeof existing.suites === 'object' && existing.suites !== null
      ? (existing.suites as Record<string, unknown>)
      : {};
  merged.suites = { ...suites, [suite.name]: meta };
  return merged;
}

/** Parses `--suite=a,b` (default: core); unknown names are an error listing the known ones. */
export function parseSuites(argv: readonly string[], known: readonly string[]): string[] {
  const arg = argv.filter((a) => a.startsWith('--suite=')).pop();
  const names = (arg ? arg.slice('--suite='.length) : 'core')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const wanted = names.includes('all') ? [...known] : names;
  const unknown = wanted.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new Error(`unknown suite ${unknown.join(', ')}; known: ${known.join(', ')}, all`);
  }
  return [...new Set(wanted)];
}

/** Median, fastest and slowest of a sample (nulls when empty). */
export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
  n: number;
}

/** Median/min/max of a list. */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { median: null, min: null, max: null, n: 0 };
  const s = [...finite].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median =
    s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}

/**
 * Issue 18's pipeline efficiency: photos per second delivered end to end × the steady
 * one-photo latency in seconds (1.0: the pipeline adds nothing to the engine's own time).
 */
export function pipelineEfficiency(
  photosPerSec: number | null,
  steadyMs: number | null,
): number | null {
  if (photosPerSec === null || steadyMs === null) return null;
  if (!Number.isFinite(photosPerSec) || !Number.isFinite(steadyMs)) return null;
  return (photosPerSec * steadyMs) / 1000;
}

/** Per-round samples of several engines → each engine's list (rounds an engine missed are skipped). */
export function collectRounds<K extends string>(
  rounds: readonly Partial<Record<K, number>>[],
): Partial<Record<K, number[]>> {
  const out: Partial<Record<K, number[]>> = {};
  for (const round of rounds) {
    for (const [name, ms] of Object.entries(round) as [K, number | undefined][]) {
      if (ms === undefined) continue;
      (out[name] ??= []).push(ms);
    }
  }
  return out;
}
