import { describe, expect, test } from 'vitest';
import { formatSummary, outcomesOf, parseArgs, summarise, type Outcome } from './test-flaky';

describe('parseArgs', () => {
  test('keeps its own options and hands everything else to Playwright, in order', () => {
    const options = parseArgs([
      '--runs',
      '3',
      'e2e/pwa.spec.ts',
      '--load',
      '2',
      '-g',
      'Update available',
      '--no-build',
      '--repeat-each=20',
    ]);
    expect(options).toMatchObject({ runs: 3, load: 2, build: false });
    expect(options.playwrightArgs).toEqual([
      'e2e/pwa.spec.ts',
      '-g',
      'Update available',
      '--repeat-each=20',
    ]);
  });

  test('refuses a run count or load that makes no sense, and an option without its value', () => {
    expect(() => parseArgs(['--runs', '0'])).toThrow(/--runs/);
    expect(() => parseArgs(['--load', '-1'])).toThrow(/--load/);
    expect(() => parseArgs(['--runs'])).toThrow(/needs a value/);
  });
});

describe('outcomesOf', () => {
  test('names each test by file and describe blocks, and keeps the first non-blank error line', () => {
    const escape = String.fromCharCode(27);
    const outcomes = outcomesOf({
      suites: [
        {
          title: 'pwa.spec.ts',
          file: 'pwa.spec.ts',
          suites: [
            {
              title: 'updates',
              specs: [
                {
                  title: 'accepting reloads into it',
                  file: 'pwa.spec.ts',
                  line: 196,
                  tests: [
                    {
                      results: [
                        {
                          status: 'failed',
                          duration: 61_000,
                          error: {
                            message: `\n${escape}[31mError: expect(locator).toContainText${escape}[39m\nmore`,
                          },
                        },
                        { status: 'passed', duration: 20_000 },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(outcomes).toEqual([
      {
        test: 'pwa.spec.ts › updates › accepting reloads into it',
        status: 'failed',
        durationMs: 61_000,
        error: 'Error: expect(locator).toContainText',
      },
      {
        test: 'pwa.spec.ts › updates › accepting reloads into it',
        status: 'passed',
        durationMs: 20_000,
      },
    ]);
  });
});

describe('summarise and formatSummary', () => {
  const runs: Outcome[] = [
    { test: 'a', status: 'passed', durationMs: 1000 },
    { test: 'a', status: 'timedOut', durationMs: 9000, error: 'Test timeout' },
    { test: 'a', status: 'passed', durationMs: 3000 },
    { test: 'b', status: 'skipped', durationMs: 0 },
    { test: 'c', status: 'failed', durationMs: 2000, error: 'boom' },
  ];

  test('counts anything but passed or skipped as a failure; durations leave skips out', () => {
    const byTest = Object.fromEntries(summarise(runs).map((s) => [s.test, s]));
    expect(byTest.a).toMatchObject({ passed: 2, failed: 1, skipped: 0, minMs: 1000, maxMs: 9000 });
    expect(byTest.a?.medianMs).toBe(3000);
    expect(byTest.a?.errors).toEqual(['timedOut: Test timeout']);
    expect(byTest.b).toMatchObject({ passed: 0, failed: 0, skipped: 1, maxMs: 0 });
    expect(byTest.c).toMatchObject({ passed: 0, failed: 1 });
  });

  test('lists failing tests first and tells flaky from always failing', () => {
    const text = formatSummary(summarise(runs), 3);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^2\/1\/0 .* a$/);
    expect(text).toContain('↳ timedOut: Test timeout');
    expect(lines.at(-1)).toBe(
      '3 tests over 3 run(s): 1 always passed or skipped, 1 flaky, 1 failed every time',
    );
  });
});
