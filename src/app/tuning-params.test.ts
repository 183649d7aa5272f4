import { describe, expect, test } from 'vitest';
import { tuningFromSearch } from './tuning-params';

describe('tuningFromSearch', () => {
  test('nothing asked: no tuning', () => {
    expect(tuningFromSearch('')).toEqual({});
    expect(tuningFromSearch('?backend=wasm&model=x')).toEqual({});
  });

  test('each switch', () => {
    expect(tuningFromSearch('?threads=off')).toEqual({ wasmThreads: 'off' });
    expect(tuningFromSearch('?threads=all')).toEqual({ wasmThreads: 'all' });
    expect(tuningFromSearch('?fold=off')).toEqual({ foldBatchNorm: 'off' });
    expect(tuningFromSearch('?foldcache=off')).toEqual({ foldCache: 'off' });
    expect(tuningFromSearch('?measure=all')).toEqual({ measureAll: true });
    expect(tuningFromSearch('?engine=litert')).toEqual({ engine: 'litert' });
    expect(tuningFromSearch('?engine=tfjs')).toEqual({ engine: 'tfjs' });
    expect(tuningFromSearch('?engine=auto')).toEqual({});
    expect(tuningFromSearch('?threads=off&fold=off&measure=all')).toEqual({
      wasmThreads: 'off',
      foldBatchNorm: 'off',
      measureAll: true,
    });
  });

  test('?debug=1&fail= names backends whose known-answer check fails; ignored without debug', () => {
    expect(tuningFromSearch('?debug=1&fail=webgpu')).toEqual({ failKnownAnswer: ['webgpu'] });
    expect(tuningFromSearch('?debug&fail=webgl,webgpu,nonsense')).toEqual({
      failKnownAnswer: ['webgpu', 'webgl'],
    });
    expect(tuningFromSearch('?fail=webgpu')).toEqual({});
    expect(tuningFromSearch('?debug=1&fail=')).toEqual({});
  });

  test('unknown values change nothing', () => {
    expect(tuningFromSearch('?threads=2&fold=yes&measure=some&engine=onnx')).toEqual({});
  });
});
