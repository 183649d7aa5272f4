import { describe, expect, test } from 'vitest';
import type { Classifier, EngineHost } from '../classify/classifier';
import { selectEngine } from './select-engine';

/** A classifier whose seam records what it was handed and fails if anything runs on it. */
function fakeClassifier(): { classifier: Classifier; used: unknown[] } {
  const used: unknown[] = [];
  const host = {
    get model(): never {
      throw new Error('the model was read: a conversion started');
    },
    featuresLayer: null,
    inputSize: 8,
    input: () => {
      throw new Error('an input was made: a measurement started');
    },
    infer: () => Promise.reject(new Error('TensorFlow.js was timed')),
    use: (engine: unknown) => used.push(engine),
  } as unknown as EngineHost;
  return { classifier: { engineHost: host } as unknown as Classifier, used };
}

describe('selectEngine', () => {
  test.each(['webgl', 'webgpu', 'cpu'] as const)(
    'on %s photos stay on TensorFlow.js and LiteRT.js is never started, even when asked for',
    async (backend) => {
      const { classifier, used } = fakeClassifier();
      const report = await selectEngine(classifier, backend, { engine: 'litert' });
      expect(report).toMatchObject({ engine: 'tfjs' });
      expect(report?.detail).toContain(backend);
      expect(used).toEqual([null]);
    },
  );
});
