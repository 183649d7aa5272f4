/**
 * Runs npm scripts side by side and fails if any fails: `npm test` starts with the static checks
 * (ESLint, Prettier, tsc), which are independent and mostly single-threaded, so on the 2-core
 * machines running them together instead of one after another saves most of the shorter ones'
 * time (issue 16 item 9, suite time).
 *
 *   tsx scripts/run-parallel.ts lint format:check typecheck
 *
 * Each script's output is held back and printed whole when it ends (never interleaved), under
 * its name, with its exit code and time. The exit code is the first failing script's, else 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** One command to run: a name for the report, the program and its arguments. */
export interface Job {
  name: string;
  command: string;
  args: string[];
}

/** What a job did: its exit code (1 when it could not start or was killed) and output. */
export interface JobResult {
  name: string;
  code: number;
  output: string;
  ms: number;
}

/** Runs `jobs` at once; `report` gets each as it ends. Resolves with all results, in job order. */
export function runParallel(
  jobs: Job[],
  report: (result: JobResult) => void = () => undefined,
): Promise<JobResult[]> {
  return Promise.all(
    jobs.map(
      (job) =>
        new Promise<JobResult>((done) => {
          const start = Date.now();
          let output = '';
          const finish = (code: number): void => {
            const result = { name: job.name, code, output, ms: Date.now() - start };
            report(result);
            done(result);
          };
          const child = spawn(job.command, job.args, { stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.on('data', (d: Buffer) => (output += d.toString()));
          child.stderr.on('data', (d: Buffer) => (output += d.toString()));
          child.on('error', (error) => {
            output += `${error.message}\n`;
          });
          child.on('close', (code) => finish(code ?? 1));
        }),
    ),
  );
}

/** The exit code for a set of results: the first failing job's (in job order), else 0. */
export function exitCodeOf(results: JobResult[]): number {
  return results.find((r) => r.code !== 0)?.code ?? 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const jobs = names.map((name) => ({ name, command: npm, args: ['run', '--silent', name] }));
  void runParallel(jobs, (r) => {
    const verdict = r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`;
    process.stdout.write(`${r.output}${r.output.endsWith('\n') || !r.output ? '' : '\n'}`);
    console.log(`npm run ${r.name}: ${verdict} in ${(r.ms / 1000).toFixed(1)} s`);
  }).then((results) => process.exit(exitCodeOf(results)));
}
