import { describe, expect, test } from 'vitest';
import { withoutKey } from './without-key';

describe('withoutKey', () => {
  test('drops only that key and leaves the original map alone', () => {
    const before = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const after = withoutKey(before, 'a');
    expect([...after]).toEqual([['b', 2]]);
    expect([...before]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(after).not.toBe(before);
  });
});
