import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { zooModelEntry } from '../../models/registry';
import { ZOO_FACTS, preprocessInput } from '../../models/zoo/catalog';
import { useWasmBackend } from '../../test/tf-node';
import { fetchModelArtifacts, loadClassifier } from './load-model';
import { modelInputPixels } from './model-input';

describe('a zoo model with random weights', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  test.each(['mobilenet-0.25', 'efficientnetb0'] as const)(
    '%s is built in the worker with Keras’ counts, classifies, and leaves no tensors',
    async (name) => {
      const entry = zooModelEntry(name, true);
      const facts = ZOO_FACTS.find((f) => f.name === name)!;
      // Nothing is downloaded: fetch would fail here (no server), so any attempt shows.
      expect(await fetchModelArtifacts(entry, () => undefined)).toBeNull();
      const before = tf.memory().numTensors;
      const fractions: number[] = [];
      const classifier = await loadClassifier(entry, (f) => fractions.push(f), {
        foldBatchNorm: 'off',
      });
      try {
        expect(fractions).toContain(1);
        const model = await classifier.original!();
        const trainable = model.trainableWeights.reduce(
          (n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1),
          0,
        );
        const frozen = model.nonTrainableWeights.reduce(
          (n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1),
          0,
        );
        expect({ total: trainable + frozen, trainable, nonTrainable: frozen }).toEqual(
          facts.params,
        );
        expect(classifier.info.inputSize).toBe(facts.inputSize);
        expect(classifier.info.labelSource).toBe('imagenet');
        const size = facts.inputSize;
        const rgba = new Uint8Array(size * size * 4).fill(128);
        const top = await classifier.classify(rgba, size, size, 3);
        expect(top).toHaveLength(3);
        expect(top[0]!.label).not.toBe('');
      } finally {
        classifier.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    },
    120_000,
  );
});

describe('modelInputPixels: Keras preprocess_input per model', () => {
  const rgba = new Uint8Array([10, 20, 30, 255, 200, 100, 0, 255]);
  const rgb = [10, 20, 30, 200, 100, 0];

  test("'caffe' (ResNet50, VGG16): BGR order minus Keras' mean pixel", () => {
    const out = modelInputPixels(rgba, zooModelEntry('resnet50'));
    const f = Math.fround;
    expect(Array.from(out)).toEqual([
      f(30 - f(103.939)),
      f(20 - f(116.779)),
      f(10 - f(123.68)),
      f(0 - f(103.939)),
      f(100 - f(116.779)),
      f(200 - f(123.68)),
    ]);
    expect(zooModelEntry('vgg16').preprocess).toBe('caffe');
  });

  test("'tf' (MobileNet, Xception, InceptionV3): x / 127.5 − 1", () => {
    const out = modelInputPixels(rgba, zooModelEntry('xception'));
    out.forEach((v, i) => expect(v).toBeCloseTo(rgb[i]! / 127.5 - 1, 6));
  });

  test("'none' (EfficientNetB0): raw 0..255, the model rescales itself", () => {
    expect(Array.from(modelInputPixels(rgba, zooModelEntry('efficientnetb0')))).toEqual(rgb);
  });

  test("'torch' follows Keras' formula (x/255 − mean) / std", () => {
    const out = modelInputPixels(rgba, { inputRange: [0, 1], preprocess: 'torch' });
    expect(Array.from(out)).toEqual(Array.from(preprocessInput('torch', rgb)));
    expect(out[0]).toBeCloseTo((10 / 255 - 0.485) / 0.229, 5);
  });

  test('an entry without a mode maps 0..255 linearly onto its range', () => {
    const out = modelInputPixels(rgba, { inputRange: [0, 1] });
    out.forEach((v, i) => expect(v).toBeCloseTo(rgb[i]! / 255, 6));
  });
});
