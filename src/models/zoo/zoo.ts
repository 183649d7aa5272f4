/**
 * The model zoo with its builders: the facts of `catalog.ts` (plain data the page may read) plus,
 * per model, the layers ending its blocks and a `build()` that makes the architecture in
 * TensorFlow.js with random weights (Keras' `weights=None`).
 */
import type * as tf from '@tensorflow/tfjs';
import { ZOO_FACTS, ZOO_MODEL_NAMES, type ZooFacts, type ZooModelName } from './catalog';
import type { ApplicationOptions } from './common';
import { efficientNetB0, EFFICIENTNET_B0_BLOCKS } from './efficientnet';
import { inceptionV3, INCEPTION_V3_BLOCKS } from './inception-v3';
import { mobileNet, MOBILENET_BLOCKS } from './mobilenet';
import { mobileNetV2, MOBILENET_V2_BLOCKS } from './mobilenet-v2';
import { resNet50, RESNET50_BLOCKS } from './resnet50';
import { vgg16, VGG16_BLOCKS } from './vgg16';
import { xception, XCEPTION_BLOCKS } from './xception';

export {
  isZooModelName,
  preprocessInput,
  ZOO_FACTS,
  ZOO_MODEL_NAMES,
  zooFacts,
  type PreprocessMode,
  type WeightFile,
  type ZooFacts,
  type ZooModelName,
} from './catalog';

/** One model of the zoo: its facts, its blocks and its builder. */
export interface ZooEntry extends ZooFacts {
  /** Layers ending each block, input side first (fine-tuning "the top N blocks"). */
  blocks: readonly string[];
  /** Builds the architecture with random weights (Keras' `weights=None`). */
  build: (options?: ApplicationOptions) => tf.LayersModel;
}

/** A MobileNet v1 builder for one alpha (the caller's alpha is overridden). */
const mobileNetAt =
  (alpha: number) =>
  (options: ApplicationOptions = {}): tf.LayersModel =>
    mobileNet({ ...options, alpha });

/** Blocks and builder per zoo name. */
const BUILDERS: Record<ZooModelName, Pick<ZooEntry, 'blocks' | 'build'>> = {
  inceptionv3: { blocks: INCEPTION_V3_BLOCKS, build: (options) => inceptionV3(options) },
  mobilenet: { blocks: MOBILENET_BLOCKS, build: mobileNetAt(1.0) },
  'mobilenet-0.75': { blocks: MOBILENET_BLOCKS, build: mobileNetAt(0.75) },
  'mobilenet-0.5': { blocks: MOBILENET_BLOCKS, build: mobileNetAt(0.5) },
  'mobilenet-0.25': { blocks: MOBILENET_BLOCKS, build: mobileNetAt(0.25) },
  mobilenetv2: { blocks: MOBILENET_V2_BLOCKS, build: (options) => mobileNetV2(options) },
  resnet50: { blocks: RESNET50_BLOCKS, build: (options) => resNet50(options) },
  xception: { blocks: XCEPTION_BLOCKS, build: (options) => xception(options) },
  efficientnetb0: { blocks: EFFICIENTNET_B0_BLOCKS, build: (options) => efficientNetB0(options) },
  vgg16: { blocks: VGG16_BLOCKS, build: (options) => vgg16(options) },
};

/** The zoo, in the order the Models tab lists it. */
export const ZOO: readonly ZooEntry[] = Object.freeze(
  ZOO_FACTS.map((facts) => ({ ...facts, ...BUILDERS[facts.name] })),
);

/** The zoo entry called `name`; throws a clear error for an unknown name. */
export function zooEntry(name: string): ZooEntry {
  const entry = ZOO.find((e) => e.name === name);
  if (entry === undefined) {
    throw new Error(`unknown model '${name}'; the zoo has ${ZOO_MODEL_NAMES.join(', ')}`);
  }
  return entry;
}
