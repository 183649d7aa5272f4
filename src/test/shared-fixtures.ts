/**
 * Where tests find `../shared` (the real ImageNet MobileNet and photos, never committed) and the
 * one rule for what a test that needs it does when it is missing: skip with a printed reason, or,
 * under `LENS_REQUIRE_SHARED=1` (what `.ci/run` sets), fail. Used by unit and end-to-end tests.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `../shared` beside the checkout, or $INCEPTION_LENS_SHARED. */
export const SHARED_DIR = resolve(
  process.env.INCEPTION_LENS_SHARED ?? resolve(ROOT, '..', 'shared'),
);

/** A path inside the shared folder. */
export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

/** True when missing shared fixtures must fail the run instead of skipping (LENS_REQUIRE_SHARED=1). */
export function sharedRequired(): boolean {
  const flag = process.env.LENS_REQUIRE_SHARED ?? '';
  return flag !== '' && flag !== '0' && flag !== 'false';
}

/** What a test needing shared files should do: run, skip (with `reason`) or fail (with `reason`). */
export interface SharedDecision {
  action: 'run' | 'skip' | 'fail';
  /** Why it does not run; empty when it runs. */
  reason: string;
}

/**
 * Decides for a test needing `paths` (absolute, usually from {@link sharedPath}); `what` names
 * the checks that would be lost. Pure apart from reading the file system and the environment.
 */
export function sharedDecision(paths: readonly string[], what: string): SharedDecision {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length === 0) return { action: 'run', reason: '' };
  const where = `${missing.join(', ')} not found (../shared or $INCEPTION_LENS_SHARED=${SHARED_DIR})`;
  if (sharedRequired()) {
    return {
      action: 'fail',
      reason: `LENS_REQUIRE_SHARED=1 and ${where}: ${what} cannot run (unset LENS_REQUIRE_SHARED to skip instead)`,
    };
  }
  return { action: 'skip', reason: `skipping ${what}: ${where}` };
}

/**
 * For unit tests: true (after printing why) when the test should be skipped; throws when the
 * files are missing under LENS_REQUIRE_SHARED=1 — called while collecting, that fails the file.
 */
export function skipWithoutShared(paths: readonly string[], what: string): boolean {
  const decision = sharedDecision(paths, what);
  if (decision.action === 'fail') throw new Error(decision.reason);
  if (decision.action === 'skip') console.log(decision.reason);
  return decision.action === 'skip';
}

/** The shared files most tests need: the ImageNet MobileNet and the dog photo. */
export const SHARED_BASICS = [
  sharedPath('models/mobilenet_v1_0.75_224/model.json'),
  sharedPath('photos/dog.jpg'),
] as const;
