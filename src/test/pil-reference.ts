/**
 * Test helper: Python's PIL (Debian's python3-pil + python3-numpy under /usr/bin/python3) as the
 * reference for "As Keras' load_img". Used by unit tests and the end-to-end spec.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedRequired } from './shared-fixtures';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), 'pil_reference.py');
/** The Python the reference runs under (Debian's, where apt installs python3-pil). */
export const PYTHON = process.env.LENS_PYTHON ?? '/usr/bin/python3';

let available: string | null | undefined;

/** Null when PIL and numpy can be imported; otherwise why not (printed when tests skip). */
export function pilMissingReason(): string | null {
  if (available === undefined) {
    try {
      execFileSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'pipe' });
      available = null;
    } catch (error) {
      available =
        `${PYTHON} cannot import PIL and numpy (apt-get install python3-pil python3-numpy): ` +
        String((error as Error).message).split('\n')[0];
    }
  }
  return available;
}

/**
 * True when the PIL-based tests should run. Without PIL they skip with a printed reason, except
 * with LENS_REQUIRE_SHARED=1 (CI), where a missing reference is an error, not a skip.
 */
export function pilTestsRun(what: string): boolean {
  const reason = pilMissingReason();
  if (!reason) return true;
  if (sharedRequired()) {
    throw new Error(`${what}: LENS_REQUIRE_SHARED=1 but ${reason}`);
  }
  console.log(`skipping ${what}: ${reason}`);
  return false;
}

type Job =
  | { op: 'load_img'; src: string; h: number; w: number; out: string; pre?: string }
  | { op: 'decode'; src: string; out: string }
  | { op: 'indices'; src: number; dst: number }
  | { op: 'fixtures'; dir: string };

/** Runs jobs in one Python process (it starts slowly) and returns its JSON answers. */
export function runPil<T = Record<string, unknown>>(jobs: Job[]): T[] {
  const dir = mkdtempSync(join(tmpdir(), 'lens-pil-'));
  const file = join(dir, 'jobs.json');
  writeFileSync(file, JSON.stringify(jobs));
  try {
    const stdout = execFileSync(PYTHON, [SCRIPT, file], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(stdout) as T[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the PIL-made test images (JPEG, PNG of every colour type) into `dir`; their names. */
export function makePilFixtures(dir: string): string[] {
  const [result] = runPil<{ names: string[] }>([{ op: 'fixtures', dir }]);
  return result?.names ?? [];
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'lens-keras-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Reads a raw float32 file written by numpy's `tofile` (little-endian on every machine here). */
export function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** The RGB bytes of each pixel of an RGBA buffer, as floats (what img_to_array holds). */
export function rgbaAsFloats(rgba: Uint8Array | Uint8ClampedArray): Float32Array {
  const out = new Float32Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i] as number;
    out[j + 1] = rgba[i + 1] as number;
    out[j + 2] = rgba[i + 2] as number;
  }
  return out;
}

/** Number of positions where two equally long arrays differ, and the largest difference. */
export function compareArrays(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { differing: number; maxDiff: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!Object.is(a[i], b[i])) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { differing, maxDiff };
}
