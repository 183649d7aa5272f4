import { describe, expect, test } from 'vitest';
import type { ModelSummary, SummaryRow } from '../../inference/protocol';
import {
  defaultWeightsLayer,
  formatCount,
  formatDims,
  formatShape,
  formatStat,
  searchRows,
} from './summary-view';

function row(
  name: string,
  type: string,
  connectedTo: string[] = [],
  hasWeights = false,
): SummaryRow {
  return {
    name,
    type,
    outputShape: [null, 4],
    params: hasWeights ? 10 : 0,
    trainableParams: hasWeights ? 10 : 0,
    nonTrainableParams: 0,
    connectedTo,
    trainable: true,
    hasWeights,
    spatial: false,
  };
}

const summary: ModelSummary = {
  modelName: 'm',
  rows: [
    row('input_1', 'InputLayer'),
    row('conv2d_1', 'Conv2D', ['input_1[0][0]'], true),
    row('batch_normalization_1', 'BatchNormalization', ['conv2d_1[0][0]'], true),
    row('mixed0', 'Concatenate', ['conv2d_1[0][0]', 'batch_normalization_1[0][0]']),
  ],
  groups: [],
  totals: { total: 20, trainable: 20, nonTrainable: 0 },
  freezeBoundary: null,
  frozenLayers: 0,
};

describe('summary view helpers', () => {
  test('shapes print like Keras', () => {
    expect(formatShape([null, 149, 149, 32])).toBe('(None, 149, 149, 32)');
    expect(formatShape([null])).toBe('(None,)');
    expect(
      formatShape([
        [null, 2],
        [null, 3],
      ]),
    ).toBe('[(None, 2), (None, 3)]');
    expect(formatShape(null)).toBe('multiple');
  });

  test('counts and statistics', () => {
    expect(formatCount(23_851_784)).toBe('23,851,784');
    expect(formatCount(0)).toBe('0');
    expect(formatStat(0.123456)).toBe('0.1235');
    expect(formatStat(-2)).toBe('-2');
    expect(formatStat(0)).toBe('0');
    expect(formatStat(1.5e-6)).toBe('1.500e-6');
    expect(formatStat(NaN)).toBe('—');
    expect(formatDims([3, 3, 3, 32])).toBe('3×3×3×32');
    expect(formatDims([])).toBe('scalar');
  });

  test('search matches names, types and connections; all words must match', () => {
    expect(searchRows(summary, '  ')).toBeNull();
    expect([...searchRows(summary, 'CONV2D')!]).toEqual([1, 2, 3]);
    expect([...searchRows(summary, 'batchnorm')!]).toEqual([2]);
    expect([...searchRows(summary, 'mixed concat')!]).toEqual([3]);
    expect([...searchRows(summary, 'nothing-like-this')!]).toEqual([]);
  });

  test('the weights explorer opens on the first convolution', () => {
    expect(defaultWeightsLayer(summary)).toBe('conv2d_1');
    expect(defaultWeightsLayer({ ...summary, rows: [row('d', 'Dense', [], true)] })).toBe('d');
    expect(defaultWeightsLayer({ ...summary, rows: [row('x', 'Flatten')] })).toBeNull();
  });
});
