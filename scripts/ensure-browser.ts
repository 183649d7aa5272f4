/**
 * Makes sure a Chromium for the end-to-end tests exists before they run. Playwright cannot
 * download its own browser here, so we use Debian's: when it is missing and we are root on a
 * Debian-like system, install it with apt; otherwise say exactly what to do.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command: string): boolean {
  try {
    execSync(command, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(path)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get') && !process.env.CHROMIUM_PATH) {
    console.log("Chromium is missing: installing Debian's chromium package with apt-get…");
    // apt can be locked for a few seconds right after boot: retry the update.
    const updated = [0, 5, 10].some((wait) => run(`sleep ${wait} && apt-get update`));
    if (!updated || !run('apt-get install -y chromium')) {
      console.error('Could not install chromium with apt-get.');
      process.exit(1);
    }
  } else {
    console.error(
      `No Chromium at ${path}. Install one (Debian/Ubuntu: sudo apt-get install -y chromium) ` +
        'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    );
    process.exit(1);
  }
}
console.log(`end-to-end tests use ${path}`);
