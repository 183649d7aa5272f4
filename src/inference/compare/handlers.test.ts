import { describe, expect, test } from 'vitest';
import { zooModelEntry } from '../../models/registry';
import type { Classifier } from '../classify/classifier';
import type { HandlerContext } from '../seam/handlers';
import { createCompareHandlers } from './handlers';
import type { CompareProgress, ComparePhoto } from './protocol';

/** A fake classifier that ranks the class named by the photo's first byte first. */
function fakeClassifier(name: string, size: number, log: string[]): Classifier {
  return {
    info: {
      id: name,
      name,
      url: '',
      inputSize: size,
      inputRange: [-1, 1],
      numClasses: 10,
      labelSource: 'imagenet',
      params: 1,
    },
    classify: (rgba, width) => {
      log.push(`${name} classify ${width}`);
      const top = rgba[0]!;
      return Promise.resolve(
        [top, 1, 2].map((index, i) => ({ index, label: `c${index}`, probability: 0.5 / (i + 1) })),
      );
    },
    warmUp: () => Promise.resolve(1),
    dispose: () => log.push(`${name} dispose`),
  };
}

function context(cancelAfter = Infinity) {
  const progress: CompareProgress[] = [];
  const ctx = {
    classifier: null,
    backend: null,
    progress: (p: CompareProgress) => progress.push(p),
    isCancelled: () => progress.length > cancelAfter,
    transfer: () => undefined,
    activate: () => undefined,
  } satisfies HandlerContext<'compare'>;
  return { ctx, progress };
}

const photo = (name: string, first: number): ComparePhoto => ({
  name,
  images: [224, 299].map((size) => {
    const pixels = new Uint8Array(size * size * 4);
    pixels[0] = first;
    return { size, pixels: pixels.buffer, width: size, height: size };
  }),
});

describe('compare', () => {
  test('models run one after another, each freed before the next loads; a failed one is reported', async () => {
    const log: string[] = [];
    let clock = 0;
    const { compare } = createCompareHandlers({
      load: (entry) => {
        log.push(`load ${entry.id}`);
        clock += 100;
        if (entry.zoo?.name === 'vgg16') return Promise.reject(new Error('out of memory'));
        return Promise.resolve(fakeClassifier(entry.id, entry.inputSize ?? 224, log));
      },
      now: () => (clock += 1),
    });
    const models = [
      zooModelEntry('mobilenet', true),
      zooModelEntry('xception', true),
      zooModelEntry('vgg16', true),
    ];
    const { ctx, progress } = context();
    const { results } = await compare(
      { models, photos: [photo('a', 5), photo('b', 7)], topK: 3 },
      ctx,
    );
    expect(log).toEqual([
      'load zoo:mobilenet:random',
      'zoo:mobilenet:random classify 224',
      'zoo:mobilenet:random classify 224',
      'zoo:mobilenet:random dispose',
      'load zoo:xception:random',
      'zoo:xception:random classify 299',
      'zoo:xception:random classify 299',
      'zoo:xception:random dispose',
      'load zoo:vgg16:random',
    ]);
    expect(results.map((r) => r.predictions.map((p) => p?.[0]?.index ?? null))).toEqual([
      [5, 7],
      [5, 7],
      [null, null],
    ]);
    expect(results[2]!.error).toBe('out of memory');
    expect(results[0]!.loadMs).toBeGreaterThan(0);
    expect(results[0]!.msPerPhoto).toBe(1);
    expect(progress.filter((p) => p.stage === 'loading').map((p) => p.model)).toEqual([0, 1, 2]);
  });

  test('bad requests are refused clearly', async () => {
    const { compare } = createCompareHandlers({
      load: () => Promise.reject(new Error('not reached')),
      now: () => 0,
    });
    const one = [zooModelEntry('mobilenet', true)];
    const { ctx } = context();
    await expect(compare({ models: one, photos: [photo('a', 1)], topK: 3 }, ctx)).rejects.toThrow(
      /2 to 4 models/,
    );
    await expect(
      compare({ models: [...one, ...one], photos: [photo('a', 1)], topK: 3 }, ctx),
    ).rejects.toThrow(/twice/);
    await expect(
      compare({ models: [...one, zooModelEntry('vgg16', true)], photos: [], topK: 3 }, ctx),
    ).rejects.toThrow(/at least one photo/);
  });

  test('a cancelled comparison stops between steps and still frees its model', async () => {
    const log: string[] = [];
    const { compare } = createCompareHandlers({
      load: (entry) => Promise.resolve(fakeClassifier(entry.id, 224, log)),
      now: () => 0,
    });
    const { ctx } = context(1);
    const models = [zooModelEntry('mobilenet', true), zooModelEntry('resnet50', true)];
    await compare({ models, photos: [photo('a', 1), photo('b', 2)], topK: 3 }, ctx);
    expect(log).toEqual(['zoo:mobilenet:random classify 224', 'zoo:mobilenet:random dispose']);
  });
});
