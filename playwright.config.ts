import { defineConfig } from '@playwright/test';
import { DIST_DIR, FIXTURE_ORIGIN, PREVIEW_ORIGIN, PREVIEW_PORT } from './e2e/paths';

/** Flags for Debian's Chromium on a machine with no GPU and no internet (see BROWSER-NOTES). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PREVIEW = PREVIEW_ORIGIN;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  // Two cores: one browser at a time keeps timings sane.
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // 'list' as it goes; then time per spec and every skip's reason (e2e/durations-reporter.ts).
  reporter: [['list'], ['./e2e/durations-reporter.ts']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: PREVIEW,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  webServer: [
    {
      // The production build, as users get it (`npm test` builds first).
      command: `npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort --outDir ${DIST_DIR}`,
      url: PREVIEW,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: 'npx tsx e2e/fixture-server.ts',
      url: `${FIXTURE_ORIGIN}/health`,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
