/**
 * Test helpers for the training modules (Node only): a tiny InceptionV3-like model that trains in
 * milliseconds, generated warm- and cool-coloured photos, and the shared ImageNet MobileNet.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath, skipWithoutShared } from '../../test/shared-fixtures';
import { seededRandom, type Random, type StoredPixels } from './data';

/**
 * A small functional CNN shaped like InceptionV3 where it matters: blocks named `mixed0..2`, a
 * BatchNormalization without `scale`, `avg_pool` then a softmax `predictions` layer.
 */
export function tinyInceptionLike(size = 16, classes = 5): tf.LayersModel {
  let seed = 1;
  // Seeded, so the tests see the same network every run.
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(),
      name: 'conv2d_1',
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ scale: false, name: 'batch_normalization_1' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .activation({ activation: 'relu', name: 'activation_1' })
    .apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < 3; i++) {
    const a = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 1,
        activation: 'relu',
        kernelInitializer: init(),
        name: `conv2d_a${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
    const b = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
        name: `conv2d_b${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ name: `mixed${i}` }).apply([a, b]) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: init(),
      name: 'predictions',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'tiny_inception' });
}

/**
 * A noisy photo in warm colours (reds, oranges, yellows) or cool ones (blues, cyans, greens),
 * with a random lighter disc, so no two photos are alike.
 */
export function colourPhoto(warm: boolean, size: number, random: Random): StoredPixels {
  const pixels = new Uint8Array(size * size * 4);
  const hue = warm ? random() * 0.15 : 0.45 + random() * 0.2;
  const [r, g, b] = hslToRgb(hue, 0.6 + random() * 0.4, 0.35 + random() * 0.3);
  const cx = random() * size;
  const cy = random() * size;
  const radius = size * (0.15 + random() * 0.25);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2;
      const lift = inDisc ? 50 : 0;
      const noise = () => (random() - 0.5) * 40;
      pixels.set(
        [clamp(r + lift + noise()), clamp(g + lift + noise()), clamp(b + lift + noise()), 255],
        (y * size + x) * 4,
      );
    }
  }
  return { pixels, width: size, height: size };
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

/** `count` warm and `count` cool photos, ids `warm-i` / `cool-i`, labels 0 and 1. */
export function colourSet(
  count: number,
  size: number,
  seed: number,
): { photos: Map<string, StoredPixels>; examples: { id: string; label: number }[] } {
  const random = seededRandom(seed);
  const photos = new Map<string, StoredPixels>();
  const examples: { id: string; label: number }[] = [];
  for (let i = 0; i < count; i++) {
    for (const [label, name] of ['warm', 'cool'].entries()) {
      const id = `${name}-${seed}-${i}`;
      photos.set(id, colourPhoto(label === 0, size, random));
      examples.push({ id, label });
    }
  }
  return { photos, examples };
}

/** Where the shared ImageNet MobileNet lives (or would). */
export const SHARED_MOBILENET_DIR = sharedPath('models/mobilenet_v1_0.75_224');

/** False when the shared MobileNet is present; true (reason printed) to skip; throws under LENS_REQUIRE_SHARED=1. */
export function skipWithoutSharedMobilenet(what: string): boolean {
  return skipWithoutShared([join(SHARED_MOBILENET_DIR, 'model.json')], what);
}

/** Loads the shared ImageNet MobileNet v1 0.75 (224 × 224, range [-1, 1]) from disk. */
export async function loadSharedMobilenet(): Promise<tf.LayersModel> {
  const json = JSON.parse(
    readFileSync(join(SHARED_MOBILENET_DIR, 'model.json'), 'utf8'),
  ) as tf.io.ModelJSON;
  const buffers = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => readFileSync(join(SHARED_MOBILENET_DIR, p))),
  );
  const all = Buffer.concat(buffers);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: new Uint8Array(all).buffer,
    }),
  );
}
