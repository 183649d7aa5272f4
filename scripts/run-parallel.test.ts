import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exitCodeOf, runParallel, type Job } from './run-parallel';

/** A job running a line of JavaScript in Node. */
const node = (name: string, code: string): Job => ({
  name,
  command: process.execPath,
  args: ['-e', code],
});

describe('runParallel', () => {
  test('runs the jobs at the same time, keeps each output whole, and fails with the first failure', async () => {
    // Each job waits until the other has started (a file each), which only works side by side.
    const dir = mkdtempSync(join(tmpdir(), 'lens-par-'));
    const waitFor = (mine: string, other: string, exit: number) =>
      `const fs=require('fs');fs.writeFileSync('${dir}/${mine}','');` +
      `console.log('${mine} one');const t=Date.now();` +
      `(function w(){if(fs.existsSync('${dir}/${other}')){console.log('${mine} two');` +
      `process.exit(${exit})}if(Date.now()-t>20000){console.log('alone');process.exit(9)}` +
      `setTimeout(w,20)})()`;
    const seen: string[] = [];
    const results = await runParallel(
      [node('a', waitFor('a', 'b', 0)), node('b', waitFor('b', 'a', 3)), node('c', '')],
      (r) => seen.push(r.name),
    );
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['a', 0],
      ['b', 3],
      ['c', 0],
    ]);
    expect(results[0]!.output).toBe('a one\na two\n');
    expect(results[1]!.output).toBe('b one\nb two\n');
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(exitCodeOf(results)).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a command that cannot start counts as failed', async () => {
    const results = await runParallel([
      { name: 'missing', command: '/nonexistent/command', args: [] },
    ]);
    expect(results[0]!.code).not.toBe(0);
    expect(results[0]!.output).toContain('ENOENT');
    expect(exitCodeOf([{ name: 'ok', code: 0, output: '', ms: 1 }])).toBe(0);
  });
});
