import { describe, expect, it } from 'vitest';
import { classScores, mostConfused } from './metrics';

describe('classScores', () => {
  it('computes precision, recall and F1 from the confusion matrix', () => {
    // actual cats: 8 right, 2 taken for dogs; actual dogs: 1 taken for cat, 4 right; birds: none.
    const scores = classScores([
      [8, 2, 0],
      [1, 4, 0],
      [0, 0, 0],
    ]);
    expect(scores[0]!.precision).toBeCloseTo(8 / 9);
    expect(scores[0]!.recall).toBeCloseTo(0.8);
    expect(scores[0]!.f1).toBeCloseTo((2 * (8 / 9) * 0.8) / (8 / 9 + 0.8));
    expect(scores[1]!.precision).toBeCloseTo(4 / 6);
    expect(scores[1]!.recall).toBeCloseTo(0.8);
    expect(scores[1]!.support).toBe(5);
    expect(scores[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
});

describe('mostConfused', () => {
  it('adds both directions and sorts the pairs, most confused first', () => {
    const pairs = mostConfused(
      [
        [5, 1, 3],
        [2, 5, 0],
        [4, 0, 5],
      ],
      2,
    );
    expect(pairs).toEqual([
      { a: 0, b: 2, count: 7 },
      { a: 0, b: 1, count: 3 },
    ]);
    expect(
      mostConfused([
        [3, 0],
        [0, 3],
      ]),
    ).toEqual([]);
  });
});
