import { describe, expect, test } from 'vitest';
import type { CompareModelResult } from '../../inference/protocol';
import { agreementOn, agreementSummary, compareCsv, CSV_HEADER } from './compare-report';

const top = (...indices: number[]) =>
  indices.map((index, i) => ({ index, label: `class, ${index}`, probability: 0.5 / (i + 1) }));

const result = (
  name: string,
  predictions: CompareModelResult['predictions'],
): CompareModelResult => ({
  modelId: name,
  name,
  loadMs: 1234.4,
  msPerPhoto: 56.78,
  predictions,
});

describe('agreement', () => {
  const results = [
    result('A', [top(1, 2, 3), top(7, 8, 9)]),
    result('B', [top(1, 3, 4), top(8, 7, 1)]),
  ];

  test('same top-1 and the classes every top-3 shares', () => {
    expect(agreementOn(results, 0)).toEqual({ sameTop1: true, top3Overlap: 2, answered: 2 });
    expect(agreementOn(results, 1)).toEqual({ sameTop1: false, top3Overlap: 2, answered: 2 });
    expect(agreementSummary(results, 2)).toEqual({ sameTop1: 1, meanOverlap: 2 });
  });

  test('a model without an answer does not count; one answer is no agreement', () => {
    const failed = { ...result('C', [null, null]), error: 'out of memory' };
    expect(agreementOn([...results, failed], 0).answered).toBe(2);
    expect(agreementOn([results[0]!, failed], 0)).toEqual({
      sameTop1: false,
      top3Overlap: 0,
      answered: 1,
    });
  });
});

describe('compareCsv', () => {
  test('one line per photo, model and rank; quoted labels; errors on their own line', () => {
    const failed = { ...result('C, big', [null]), error: 'out of "memory"' };
    const csv = compareCsv(['cat.jpg'], [result('A', [top(1, 2, 3)]), failed]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines).toHaveLength(1 + 3 + 1);
    expect(lines[1]).toBe('cat.jpg,A,1,1,"class, 1",0.500000,false,0,56.8,1234,');
    expect(lines[4]).toBe('cat.jpg,"C, big",,,,,,,56.8,1234,"out of ""memory"""');
  });
});
