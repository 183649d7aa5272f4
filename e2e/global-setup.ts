/**
 * Runs once per e2e run, after the web servers are up: checks that the server under test serves
 * this checkout's build, says what happens to the tests that need ../shared, and builds the
 * generated fixtures (our InceptionV3 with nsfwjs' real Keras weights).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DIST_DIR, GENERATED_DIR, PREVIEW_ORIGIN, ROOT, sharedFixturesDecision } from './paths';

/**
 * Throws unless `PREVIEW_ORIGIN/build-id.txt` equals this checkout's `DIST_DIR/build-id.txt`
 * (written by vite.config.ts): a preview server left running by another checkout, or an old
 * build, would otherwise be tested silently.
 */
export async function checkServedBuild(): Promise<string> {
  const local = resolve(ROOT, DIST_DIR, 'build-id.txt');
  if (!existsSync(local)) {
    throw new Error(`${local} not found: build first (npm run build), then run the e2e tests`);
  }
  const expected = readFileSync(local, 'utf8').trim();
  const response = await fetch(`${PREVIEW_ORIGIN}/build-id.txt`, { cache: 'no-store' });
  const served = response.ok ? (await response.text()).trim() : `HTTP ${response.status}`;
  if (served !== expected) {
    throw new Error(
      `The server on ${PREVIEW_ORIGIN} serves build "${served}", but this checkout's ` +
        `${DIST_DIR}/build-id.txt is "${expected}": another checkout's server (or an older ` +
        'build) holds the port. Stop it, or pick a free LENS_PREVIEW_PORT; CI=1 never reuses ' +
        'a running server.',
    );
  }
  return expected;
}

export default async function globalSetup(): Promise<void> {
  const build = await checkServedBuild();
  console.log(`e2e: ${PREVIEW_ORIGIN} serves this checkout's build (${build})`);
  const shared = sharedFixturesDecision();
  if (shared.action === 'skip') console.log(`NOTE: ${shared.reason}`);
  if (shared.action === 'fail') console.log(`ERROR: ${shared.reason}`);
  const out = resolve(GENERATED_DIR, 'inception-v3-nsfwjs');
  if (existsSync(resolve(out, 'model.json'))) return;
  execFileSync('npx', ['tsx', 'scripts/make-inception-fixture.ts', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
