/** Builds generated fixtures once per run: our InceptionV3 with nsfwjs' real Keras weights. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GENERATED_DIR, NO_SHARED_REASON, ROOT, hasSharedFixtures } from './paths';

export default function globalSetup(): void {
  if (!hasSharedFixtures()) console.log(`NOTE: ${NO_SHARED_REASON}`);
  const out = resolve(GENERATED_DIR, 'inception-v3-nsfwjs');
  if (existsSync(resolve(out, 'model.json'))) return;
  execFileSync('npx', ['tsx', 'scripts/make-inception-fixture.ts', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
