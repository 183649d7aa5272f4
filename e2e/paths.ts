/** Where end-to-end tests find their fixtures. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED_BASICS, SHARED_DIR, sharedDecision } from '../src/test/shared-fixtures';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = resolve(here, '..');
/** `../shared` beside the checkout (or $INCEPTION_LENS_SHARED). */
export { SHARED_DIR };
/** Fixtures the test set-up generates (git-ignored). */
export const GENERATED_DIR = resolve(here, '.fixtures');
/** Port of the fixture server (a second origin, like a model host elsewhere). */
export const FIXTURE_PORT = Number(process.env.LENS_FIXTURE_PORT ?? 4174);
/** Port of `vite preview` serving the production build. */
export const PREVIEW_PORT = Number(process.env.LENS_PREVIEW_PORT ?? 4173);
/** Base URL of the app under test. */
export const PREVIEW_ORIGIN = `http://127.0.0.1:${PREVIEW_PORT}`;
/** The build folder under test (several checkouts may test side by side with their own). */
export const DIST_DIR = process.env.LENS_DIST ?? 'dist';
/** Base URL of the fixture server. */
export const FIXTURE_ORIGIN = `http://127.0.0.1:${FIXTURE_PORT}`;

/** What e2e tests lose without ../shared. */
const NEEDS_SHARED = 'the e2e tests that need real ImageNet weights and photos';

/** Run, skip or fail (LENS_REQUIRE_SHARED=1) the e2e tests that need the shared MobileNet and photos. */
export function sharedFixturesDecision(): ReturnType<typeof sharedDecision> {
  return sharedDecision(SHARED_BASICS, NEEDS_SHARED);
}
