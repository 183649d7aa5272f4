import { describe, expect, test } from 'vitest';
import {
  collectRounds,
  mergeSuiteResults,
  parseSuites,
  pipelineEfficiency,
  spread,
  type SuiteMeta,
} from './bench-suites';
import { interleave } from './bench-core';

const meta = (date: string): SuiteMeta => ({
  date,
  durationS: 1,
  quick: false,
  loadAverageBefore: [1, 2, 3],
  loadAverageAfter: [1, 2, 3],
  machine: {},
});

describe('bench suites', () => {
  test('a suite replaces only its own keys and records its run', () => {
    const existing = {
      inceptionV3: { steadyMs: 1 },
      inceptionV3Details: { old: true },
      library: { photos: 5000 },
      suites: { library: meta('L') },
    };
    const merged = mergeSuiteResults(
      existing,
      { name: 'core', keys: ['inceptionV3', 'inceptionV3Details'] },
      { inceptionV3: { steadyMs: 2 } },
      meta('C'),
    );
    expect(merged.inceptionV3).toEqual({ steadyMs: 2 });
    // owned but not written this time: removed, not left stale
    expect(merged).not.toHaveProperty('inceptionV3Details');
    expect(merged.library).toEqual({ photos: 5000 });
    expect(merged.suites).toEqual({ library: meta('L'), core: meta('C') });
  });

  test('a suite may not write another suite’s key', () => {
    expect(() =>
      mergeSuiteResults({}, { name: 'dataset', keys: ['dataset'] }, { library: {} }, meta('D')),
    ).toThrow(/does not own/);
  });

  test('--suite= parsing: default core, lists, all, unknown names refused', () => {
    const known = ['core', 'backends', 'library'];
    expect(parseSuites([], known)).toEqual(['core']);
    expect(parseSuites(['--quick', '--suite=library,core'], known)).toEqual(['library', 'core']);
    expect(parseSuites(['--suite=all'], known)).toEqual(known);
    expect(() => parseSuites(['--suite=dataset'], known)).toThrow(/unknown suite dataset/);
  });

  test('spread: median of odd and even samples, min and max, non-finite values dropped', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, 3, 2, NaN])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(spread([])).toEqual({ median: null, min: null, max: null, n: 0 });
  });

  test('pipeline efficiency = photos/s × steady ms / 1000', () => {
    expect(pipelineEfficiency(5, 180)).toBeCloseTo(0.9, 10);
    expect(pipelineEfficiency(4.65, 162)).toBeCloseTo(0.7533, 4);
    expect(pipelineEfficiency(null, 100)).toBeNull();
    expect(pipelineEfficiency(3, NaN)).toBeNull();
  });

  test('interleaved rounds are collected per engine', () => {
    expect(
      collectRounds([
        { ours: 1, ort: 3 },
        { ours: 2, litert: 5 },
      ]),
    ).toEqual({
      ours: [1, 2],
      ort: [3],
      litert: [5],
    });
  });
});

describe('interleave (the core and backends suites take turns with it)', () => {
  test('every step runs once a round, and the first step rotates', async () => {
    const order: string[] = [];
    const rounds: number[] = [];
    const step = (name: string) => async () => {
      await Promise.resolve();
      order.push(name);
    };
    await interleave(4, [step('ours'), step('nsfwjs'), step('same')], (r) => rounds.push(r));
    expect(order).toEqual([
      ...['ours', 'nsfwjs', 'same'],
      ...['nsfwjs', 'same', 'ours'],
      ...['same', 'ours', 'nsfwjs'],
      ...['ours', 'nsfwjs', 'same'],
    ]);
    expect(rounds).toEqual([0, 1, 2, 3]);
  });
});
