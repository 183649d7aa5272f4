/**
 * A Playwright reporter printed after 'list': time per spec file (slowest first) with its slowest
 * test, the run's wall time against the e2e share of `npm test`'s 35-minute budget, and every
 * skip with its reason (a skip must never be silent).
 */
import type { FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { relative } from 'node:path';

/** Per spec file: total test time, counts, and its slowest test. */
interface SpecTime {
  ms: number;
  tests: number;
  failed: number;
  skipped: number;
  slowest: { title: string; ms: number };
}

/** Minutes the e2e run may take so that lint, types, unit tests, build and e2e stay under 35. */
export const E2E_BUDGET_MIN = Number(process.env.LENS_E2E_BUDGET_MIN ?? 25);

const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Collects durations per spec and prints them at the end of the run. */
export default class DurationsReporter implements Reporter {
  private readonly specs = new Map<string, SpecTime>();
  private readonly skips = new Map<string, string[]>();
  private root = process.cwd();

  onBegin(config: { rootDir: string }, _suite: Suite): void {
    this.root = config.rootDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = relative(this.root, test.location.file);
    const spec = this.specs.get(file) ?? {
      ms: 0,
      tests: 0,
      failed: 0,
      skipped: 0,
      slowest: { title: '', ms: -1 },
    };
    spec.ms += result.duration;
    // Retries report the same test again; count it once, on its first attempt.
    if (result.retry === 0) spec.tests += 1;
    if (result.status === 'failed' || result.status === 'timedOut') spec.failed += 1;
    if (result.status === 'skipped') {
      spec.skipped += 1;
      const reason =
        [...result.annotations, ...test.annotations].find((a) => a.type === 'skip')?.description ??
        '(no reason given)';
      const titles = this.skips.get(reason) ?? [];
      titles.push(`${file}: ${test.title}`);
      this.skips.set(reason, titles);
    }
    if (result.duration > spec.slowest.ms)
      spec.slowest = { title: test.title, ms: result.duration };
    this.specs.set(file, spec);
  }

  onEnd(result: FullResult): void {
    // Nothing ran (--list, or set-up failed): no table to print.
    if (this.specs.size === 0) return;
    const rows = [...this.specs.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const width = Math.max(4, ...rows.map(([file]) => file.length));
    const lines = [
      '',
      'e2e time per spec (slowest first):',
      ...rows.map(([file, s]) => {
        const counts = `${s.tests} tests${s.failed ? `, ${s.failed} failed` : ''}${s.skipped ? `, ${s.skipped} skipped` : ''}`;
        const slowest =
          s.slowest.ms > 0 ? `; slowest ${seconds(s.slowest.ms)} "${s.slowest.title}"` : '';
        return `  ${file.padEnd(width)}  ${minutes(s.ms).padStart(9)}  (${counts}${slowest})`;
      }),
      `  wall time ${minutes(result.duration)} (e2e budget ${E2E_BUDGET_MIN} min of npm test's 35)`,
    ];
    if (result.duration > E2E_BUDGET_MIN * 60_000) {
      lines.push(
        `  WARNING: over the e2e budget; move soaks and large sizes to the bench (npm run bench)`,
      );
    }
    for (const [reason, titles] of this.skips) {
      lines.push(`skipped ${titles.length}: ${reason}`);
      for (const title of titles) lines.push(`    ${title}`);
    }
    console.log(lines.join('\n'));
  }

  printsToStdio(): boolean {
    // 'list' owns the terminal; this one only adds its summary at the end.
    return false;
  }
}
