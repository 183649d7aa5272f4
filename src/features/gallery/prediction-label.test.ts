import { describe, expect, test } from 'vitest';
import { browse, DEFAULT_BROWSE, type Browsable } from './library/browse';
import { NOT_SURE_BELOW, shortLabel, unsureHint } from './prediction-label';

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
    expect(unsureHint(NOT_SURE_BELOW)).toBeNull();
    expect(unsureHint(undefined)).toBeNull();
    expect(unsureHint(0.12)).toMatch(/Not sure: no class reaches 50%\..*does not know/);
  });

  test("a card says 'Not sure' exactly when the library's not-sure view lists it", () => {
    const photo = (name: string, probability: number): Browsable => ({
      name,
      path: name,
      status: 'done',
      lastModified: 0,
      predictions: [{ index: 0, label: 'tabby', probability }],
    });
    const all = [0.12, 0.3, 0.4, 0.49, NOT_SURE_BELOW, 0.51, 0.9].map((p) => photo(`${p}.jpg`, p));
    const inView = browse(all, { ...DEFAULT_BROWSE, notSure: true }).map((p) => p.name);
    const hinted = all
      .filter((p) => unsureHint(p.predictions?.[0]?.probability) !== null)
      .map((p) => p.name);
    expect(inView.sort()).toEqual(hinted.sort());
    expect(hinted.sort()).toEqual(['0.12.jpg', '0.3.jpg', '0.4.jpg', '0.49.jpg']);
  });
});
