import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../inference/protocol';
import { backendName } from './backend-names';

describe('backendName', () => {
  it('gives every backend a name for people, never the code name', () => {
    for (const b of BACKENDS) expect(backendName(b)).not.toBe(b);
    expect(backendName('wasm')).toBe('WebAssembly');
    expect(backendName('something-new')).toBe('something-new');
  });
});
