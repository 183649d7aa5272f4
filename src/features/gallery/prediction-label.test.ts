import { describe, expect, test } from 'vitest';
import { shortLabel } from './prediction-label';

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
