/**
 * One way for the bench scripts to serve a build: `vite preview` on 127.0.0.1:`port` with
 * `--strictPort`, run by Node directly (no npx or shell in between, so killing the child stops the
 * server), resolved once the page answers; an error with the server's output if it never does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Starts `vite preview` of `dir` (from the checkout at `root`) and waits until it answers. */
export async function servePreview(root: string, dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'preview',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
      '--outDir',
      dir,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill();
  throw new Error(`vite preview did not start on port ${port}:\n${output}`);
}
