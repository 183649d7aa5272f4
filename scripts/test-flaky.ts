/**
 * Flake hunt: runs the end-to-end suite (or the specs / Playwright options given) several times in
 * a row and summarises every test: passes, failures, durations, and the first line of each
 * distinct error. A test that fails even once is a race to find, not a timeout to raise.
 *
 *   npm run test:flaky -- --runs 5 e2e/pwa.spec.ts
 *   npm run test:flaky -- --runs 3 --load 2 e2e/robustness.spec.ts -g "worker dies"
 *
 * Options (everything else goes to `playwright test`):
 *   --runs N      how many times to run (default 5)
 *   --load K      keep K CPU hogs (`yes > /dev/null`) running beside the tests, killed afterwards
 *   --no-build    do not run `npm run build` first (the e2e tests serve the built app)
 *   --out FILE    where the JSON summary goes (default flaky-summary.json; not under test-results/,
 *                 which Playwright empties at the start of every run)
 * Environment: CI=1 is set (never reuse another checkout's server); LENS_PREVIEW_PORT and
 * LENS_FIXTURE_PORT pick the ports, INCEPTION_LENS_SHARED the shared fixtures, as for the suite.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

interface Options {
  runs: number;
  load: number;
  build: boolean;
  out: string;
  playwrightArgs: string[];
}

/** Reads this script's options; the rest is passed to Playwright untouched. */
export function parseArgs(argv: string[]): Options {
  const options: Options = {
    runs: 5,
    load: 0,
    build: true,
    out: 'flaky-summary.json',
    playwrightArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--load') options.load = Number(value());
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--out') options.out = value();
    else options.playwrightArgs.push(arg);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs must be ≥ 1');
  if (!Number.isInteger(options.load) || options.load < 0) throw new Error('--load must be ≥ 0');
  return options;
}

/** The parts of Playwright's JSON report this script reads. */
interface JsonSuite {
  title: string;
  file?: string;
  specs?: {
    title: string;
    file: string;
    line: number;
    tests: {
      results: { status: string; duration: number; error?: { message?: string } }[];
    }[];
  }[];
  suites?: JsonSuite[];
}

/** Terminal colour codes in Playwright's error messages (built, to keep the escape out of a literal). */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** One execution of one test. */
export interface Outcome {
  test: string;
  status: string;
  durationMs: number;
  error?: string;
}

/** Flattens a Playwright JSON report into one outcome per test execution (retries included). */
export function outcomesOf(report: { suites?: JsonSuite[] }): Outcome[] {
  const found: Outcome[] = [];
  const walk = (suite: JsonSuite, path: string[]): void => {
    // The top-level suite is the file; its title repeats the file name.
    const here = suite.file && path.length === 0 ? [] : [...path, suite.title];
    for (const spec of suite.specs ?? []) {
      const name = `${spec.file} › ${[...here, spec.title].filter(Boolean).join(' › ')}`;
      for (const test of spec.tests) {
        for (const result of test.results) {
          const message = result.error?.message
            ?.replace(ANSI_COLOUR, '')
            .split('\n')
            .find((line) => line.trim() !== '');
          found.push({
            test: name,
            status: result.status,
            durationMs: result.duration,
            ...(message ? { error: message.trim() } : {}),
          });
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  return found;
}

/** Per test: how often it passed, failed, was skipped; durations; distinct first error lines. */
export interface TestSummary {
  test: string;
  passed: number;
  failed: number;
  skipped: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  errors: string[];
}

/** Groups outcomes by test. Anything not passed or skipped (failed, timedOut, interrupted) fails. */
export function summarise(outcomes: Outcome[]): TestSummary[] {
  const byTest = new Map<string, Outcome[]>();
  for (const o of outcomes) byTest.set(o.test, [...(byTest.get(o.test) ?? []), o]);
  return [...byTest.entries()].map(([test, runs]) => {
    const ran = runs.filter((r) => r.status !== 'skipped');
    const durations = ran.map((r) => r.durationMs).sort((a, b) => a - b);
    const failures = ran.filter((r) => r.status !== 'passed');
    return {
      test,
      passed: ran.length - failures.length,
      failed: failures.length,
      skipped: runs.length - ran.length,
      minMs: durations[0] ?? 0,
      medianMs: durations[Math.floor(durations.length / 2)] ?? 0,
      maxMs: durations[durations.length - 1] ?? 0,
      errors: [...new Set(failures.map((f) => `${f.status}: ${f.error ?? '(no message)'}`))],
    };
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The summary as a text table, failing tests first. */
export function formatSummary(summaries: TestSummary[], runs: number): string {
  const rows = [...summaries].sort((a, b) => b.failed - a.failed || a.test.localeCompare(b.test));
  const lines = [
    `${'pass/fail/skip'.padEnd(16)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}  test`,
  ];
  for (const s of rows) {
    lines.push(
      `${`${s.passed}/${s.failed}/${s.skipped}`.padEnd(16)}${seconds(s.minMs).padStart(8)}${seconds(s.medianMs).padStart(8)}${seconds(s.maxMs).padStart(8)}  ${s.test}`,
    );
    for (const error of s.errors) lines.push(`${''.padEnd(16)}  ↳ ${error.slice(0, 200)}`);
  }
  const flaky = rows.filter((s) => s.failed > 0 && s.passed > 0).length;
  const broken = rows.filter((s) => s.failed > 0 && s.passed === 0).length;
  lines.push(
    `${rows.length} tests over ${runs} run(s): ${rows.length - flaky - broken} always passed or skipped, ${flaky} flaky, ${broken} failed every time`,
  );
  return lines.join('\n');
}

function startHogs(count: number): ChildProcess[] {
  // `yes > /dev/null`, as the issue describes: one busy core each.
  return Array.from({ length: count }, () =>
    spawn('sh', ['-c', 'exec yes > /dev/null'], { stdio: 'ignore' }),
  );
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const env = { ...process.env, CI: '1' };
  if (options.build) {
    const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', env });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const hogs = startHogs(options.load);
  const stopHogs = (): void => {
    for (const hog of hogs) hog.kill('SIGTERM');
  };
  process.on('SIGINT', () => {
    stopHogs();
    process.exit(130);
  });
  const conditions = {
    started: new Date().toISOString(),
    cores: cpus().length,
    loadBefore: loadavg().map((l) => l.toFixed(2)),
    cpuHogs: options.load,
    playwrightArgs: options.playwrightArgs,
  };
  console.log(
    `flake hunt: ${options.runs} run(s) of playwright test ${options.playwrightArgs.join(' ') || '(whole suite)'}; ${conditions.cores} cores, load ${conditions.loadBefore.join(' ')}, ${options.load} CPU hog(s)`,
  );
  const outcomes: Outcome[] = [];
  const runTimes: {
    run: number;
    exitCode: number | null;
    wallMs: number;
    loadAfter: string[];
  }[] = [];
  const out = resolve(options.out);
  // Written after every run, so a hunt stopped early (Ctrl-C, a deadline) keeps what it found.
  const save = (): TestSummary[] => {
    const summaries = summarise(outcomes);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify({ conditions: { ...conditions, loadAfter: loadavg().map((l) => l.toFixed(2)) }, runsDone: runTimes.length, runs: runTimes, tests: summaries }, null, 2)}\n`,
    );
    return summaries;
  };
  try {
    for (let run = 1; run <= options.runs; run++) {
      const report = join(tmpdir(), `lens-flaky-${process.pid}-${run}.json`);
      const started = Date.now();
      const result = spawnSync(
        'npx',
        ['playwright', 'test', ...options.playwrightArgs, '--reporter=line,json'],
        { stdio: 'inherit', env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report } },
      );
      const wallMs = Date.now() - started;
      runTimes.push({
        run,
        exitCode: result.status,
        wallMs,
        loadAfter: loadavg().map((l) => l.toFixed(2)),
      });
      try {
        const found = outcomesOf(
          JSON.parse(readFileSync(report, 'utf8')) as { suites?: JsonSuite[] },
        );
        // A run that failed without failing a test (a server that would not start, a crash) still
        // counts: it is recorded as a failure of the run itself.
        if (
          result.status !== 0 &&
          !found.some((o) => o.status !== 'passed' && o.status !== 'skipped')
        )
          found.push({
            test: `(run ${run})`,
            status: 'failed',
            durationMs: wallMs,
            error: `playwright exited with ${String(result.status)}`,
          });
        outcomes.push(...found);
        console.log(
          `run ${run}/${options.runs}: exit ${String(result.status)}, ${seconds(wallMs)}, ${found.filter((o) => o.status !== 'passed' && o.status !== 'skipped').length} failure(s)`,
        );
      } catch (error) {
        console.log(`run ${run}/${options.runs}: no JSON report (${String(error)})`);
        outcomes.push({
          test: `(run ${run})`,
          status: 'failed',
          durationMs: wallMs,
          error: 'no JSON report',
        });
      }
      save();
      // Ctrl-C (or a kill) reaches Playwright as well; this process cannot act on its own SIGINT
      // while it waits in spawnSync, so an interrupted run ends the hunt here.
      if (result.signal !== null || result.status === 130) {
        console.log(`run ${run}/${options.runs} was interrupted: the hunt stops here`);
        break;
      }
    }
  } finally {
    stopHogs();
  }
  const summaries = save();
  console.log(`\n${formatSummary(summaries, runTimes.length)}`);
  console.log(`summary written to ${out}`);
  process.exit(summaries.some((s) => s.failed > 0) ? 1 : 0);
}

// Run only as a script (tests import the pure helpers).
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname))
  main();
