/** Where end-to-end tests find their fixtures. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = resolve(here, '..');
/** `../shared` beside the checkout (or $INCEPTION_LENS_SHARED). */
export const SHARED_DIR = resolve(
  process.env.INCEPTION_LENS_SHARED ?? resolve(ROOT, '..', 'shared'),
);
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

/** True when the shared MobileNet and photos are present. */
export function hasSharedFixtures(): boolean {
  return (
    existsSync(resolve(SHARED_DIR, 'models/mobilenet_v1_0.75_224/model.json')) &&
    existsSync(resolve(SHARED_DIR, 'photos/dog.jpg'))
  );
}

/** The reason printed when shared fixtures are missing. */
export const NO_SHARED_REASON = `../shared (models and photos) not found at ${SHARED_DIR}: skipping tests that need real ImageNet weights`;
