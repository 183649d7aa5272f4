import { describe, expect, test } from 'vitest';
import { shortLabel, unsureHint, UNSURE_BELOW } from './prediction-label';

describe('shortLabel', () => {
  test('keeps the first WordNet name', () => {
    expect(shortLabel('bald eagle, American eagle, Haliaeetus leucocephalus')).toBe('bald eagle');
    expect(shortLabel('malamute, malemute, Alaskan malamute')).toBe('malamute');
  });

  test('a single name, or an odd one, is shown whole', () => {
    expect(shortLabel('Class 1')).toBe('Class 1');
    expect(shortLabel(', odd')).toBe(', odd');
    expect(shortLabel('')).toBe('');
  });
});

describe('unsureHint', () => {
  test('speaks up only below the threshold, and says what may be wrong', () => {
    expect(unsureHint(0.74)).toBeNull();
    expect(unsureHint(UNSURE_BELOW)).toBeNull();
    expect(unsureHint(undefined)).toBeNull();
    expect(unsureHint(0.12)).toMatch(/Not sure: no class reaches 30%\..*does not know/);
  });
});
