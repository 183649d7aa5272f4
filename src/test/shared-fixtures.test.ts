import { afterEach, describe, expect, test, vi } from 'vitest';
import { sharedDecision, sharedRequired, skipWithoutShared } from './shared-fixtures';

const here = new URL(import.meta.url).pathname;
const absent = '/nonexistent/inception-lens/shared/model.json';

describe('what a test needing ../shared does', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  test('runs when every file is there', () => {
    vi.stubEnv('LENS_REQUIRE_SHARED', '1');
    expect(sharedDecision([here], 'x')).toEqual({ action: 'run', reason: '' });
    expect(skipWithoutShared([here], 'x')).toBe(false);
  });

  test('skips with a printed reason naming the missing file when not required', () => {
    vi.stubEnv('LENS_REQUIRE_SHARED', '');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(skipWithoutShared([here, absent], 'the checks')).toBe(true);
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`skipping the checks: ${absent}`));
    expect(sharedDecision([absent], 'the checks').action).toBe('skip');
  });

  test('fails under LENS_REQUIRE_SHARED=1 instead of skipping', () => {
    vi.stubEnv('LENS_REQUIRE_SHARED', '1');
    expect(sharedRequired()).toBe(true);
    expect(sharedDecision([absent], 'the checks').action).toBe('fail');
    expect(() => skipWithoutShared([absent], 'the checks')).toThrow(
      /LENS_REQUIRE_SHARED=1 and .*not found.*the checks cannot run/,
    );
  });

  test('"0" and "false" do not require', () => {
    for (const value of ['0', 'false', '']) {
      vi.stubEnv('LENS_REQUIRE_SHARED', value);
      expect(sharedRequired()).toBe(false);
    }
  });
});
