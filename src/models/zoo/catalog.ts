/**
 * The model zoo as plain data: the Keras applications this app can build in code, with what Keras
 * says about each (input size, `preprocess_input` mode, weight files with their md5, reported
 * accuracy and parameter counts, the Grad-CAM layer), and Keras' `preprocess_input`. Facts come
 * from Keras' own source (`keras/src/applications/*.py`) and documentation; each field says where.
 * This file imports no TensorFlow.js, so the page can list the zoo; `zoo.ts` adds the builders.
 *
 * Every model here predicts the 1000 ImageNet classes in the order of Keras'
 * `imagenet_class_index.json` (what `decode_predictions` reads), the same for all of them.
 */
import type { ParamCounts } from './common';

/** The zoo's names: Keras' function names in lower case (the `?model=` test contract). */
export const ZOO_MODEL_NAMES = [
  'inceptionv3',
  'mobilenet',
  'mobilenet-0.75',
  'mobilenet-0.5',
  'mobilenet-0.25',
  'mobilenetv2',
  'resnet50',
  'xception',
  'efficientnetb0',
  'vgg16',
] as const;

/** One of {@link ZOO_MODEL_NAMES}. */
export type ZooModelName = (typeof ZOO_MODEL_NAMES)[number];

/**
 * Keras' `preprocess_input` modes (imagenet_utils.py): 'tf' scales to [-1, 1]; 'caffe' turns RGB
 * into BGR and subtracts the ImageNet mean pixel; 'torch' scales to [0, 1] and standardises per
 * channel; 'none' passes [0, 255] pixels through because the model rescales them itself.
 */
export type PreprocessMode = 'tf' | 'caffe' | 'torch' | 'none';

/** One Keras weight file. */
export interface WeightFile {
  /** File name as Keras caches it under ~/.keras/models. */
  fileName: string;
  /** Where Keras downloads it from. */
  url: string;
  /** The md5 Keras checks, or null where Keras' source gives none (MobileNet v1 and v2). */
  md5: string | null;
}

/** What is known about one model of the zoo, without building it (safe for the page). */
export interface ZooFacts {
  /** Test-contract name, e.g. 'mobilenet-0.75'. */
  name: ZooModelName;
  /** Name for people, e.g. 'MobileNet (α 0.75)'. */
  displayName: string;
  /** The Keras function that builds it, e.g. 'MobileNet'. */
  kerasFunction: string;
  /** Height = width of the input the ImageNet weights expect. */
  inputSize: number;
  /** Keras' `preprocess_input` mode for this model. */
  preprocess: PreprocessMode;
  /** Keras' weight files with and without the top. */
  weights: { top: WeightFile; noTop: WeightFile };
  /** Weight file size Keras' documentation gives, in MB (with the top); null where it gives none. */
  sizeMB: number | null;
  /** ImageNet validation accuracy Keras reports, as fractions. */
  accuracy: { top1: number; top5: number };
  /** Where {@link accuracy} comes from. */
  accuracySource: string;
  /** Keras' `model.summary()` counts for the default arguments with the top. */
  params: ParamCounts;
  /** Where {@link params} comes from. */
  paramsSource: string;
  /** The last layer with a spatial output (Grad-CAM's default). */
  lastSpatialLayer: string;
}

const GCS = 'https://storage.googleapis.com/tensorflow/keras-applications/';
const KERAS_IO = 'keras.io/api/applications (Available models table)';
const KERAS_APPS_README =
  'github.com/keras-team/keras-applications README (Performance: 100 − error)';

/** Weight files named `<stem>.h5` / `<stem>_notop.h5` as most applications use. */
const tfKernels = (folder: string, stem: string, md5Top: string, md5NoTop: string) => ({
  top: {
    fileName: `${stem}_weights_tf_dim_ordering_tf_kernels.h5`,
    url: `${GCS}${folder}/${stem}_weights_tf_dim_ordering_tf_kernels.h5`,
    md5: md5Top,
  },
  noTop: {
    fileName: `${stem}_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    url: `${GCS}${folder}/${stem}_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: md5NoTop,
  },
});

/** mobilenet.py: `mobilenet_<alpha_text>_<rows>_tf[_no_top].h5`, no hash given. */
const mobileNetWeights = (alphaText: string) => ({
  top: {
    fileName: `mobilenet_${alphaText}_224_tf.h5`,
    url: `${GCS}mobilenet/mobilenet_${alphaText}_224_tf.h5`,
    md5: null,
  },
  noTop: {
    fileName: `mobilenet_${alphaText}_224_tf_no_top.h5`,
    url: `${GCS}mobilenet/mobilenet_${alphaText}_224_tf_no_top.h5`,
    md5: null,
  },
});

/** A MobileNet v1 entry for one alpha. */
function mobileNetEntry(
  name: ZooModelName,
  alpha: number,
  alphaText: string,
  facts: Pick<ZooFacts, 'sizeMB' | 'accuracy' | 'accuracySource' | 'params' | 'paramsSource'>,
): ZooFacts {
  return {
    name,
    displayName: alpha === 1 ? 'MobileNet' : `MobileNet (α ${alpha})`,
    kerasFunction: 'MobileNet',
    inputSize: 224,
    preprocess: 'tf',
    weights: mobileNetWeights(alphaText),
    ...facts,
    lastSpatialLayer: 'conv_pw_13_relu',
  };
}

/** For MobileNet's smaller alphas only trainable counts are published; BN adds 2 × channels. */
const MOBILENET_ALPHA_SOURCE =
  'trainable: osmr/imgclsmob model table (MobileNet x0.25/x0.5/x0.75, same layers); ' +
  'non-trainable: the BatchNormalization moving mean + variance (2 per channel); ' +
  'alpha 0.75 also equals the Keras 2.1.4 export in ../shared/models/mobilenet_v1_0.75_224';

/** The zoo's facts, in the order the Models tab lists them. */
export const ZOO_FACTS: readonly ZooFacts[] = Object.freeze([
  {
    name: 'inceptionv3',
    displayName: 'InceptionV3',
    kerasFunction: 'InceptionV3',
    inputSize: 299,
    preprocess: 'tf',
    weights: tfKernels(
      'inception_v3',
      'inception_v3',
      '9a0d58056eeedaa3f26cb7ebd46da564',
      'bcbd6486424b2319ff4ef7d526e38f63',
    ),
    sizeMB: 92,
    accuracy: { top1: 0.779, top5: 0.937 },
    accuracySource: KERAS_IO,
    params: { total: 23_851_784, trainable: 23_817_352, nonTrainable: 34_432 },
    paramsSource: 'InceptionV3().summary() (tf.keras), as the Keras docs table lists 23,851,784',
    lastSpatialLayer: 'mixed10',
  },
  mobileNetEntry('mobilenet', 1.0, '1_0', {
    sizeMB: 16,
    accuracy: { top1: 0.704, top5: 0.895 },
    accuracySource: KERAS_IO,
    params: { total: 4_253_864, trainable: 4_231_976, nonTrainable: 21_888 },
    paramsSource: 'MobileNet().summary() (tf.keras), total as the old keras.io table lists',
  }),
  mobileNetEntry('mobilenet-0.75', 0.75, '7_5', {
    sizeMB: null,
    accuracy: { top1: 0.68412, top5: 0.88242 },
    accuracySource: KERAS_APPS_README,
    params: { total: 2_601_976, trainable: 2_585_560, nonTrainable: 16_416 },
    paramsSource: MOBILENET_ALPHA_SOURCE,
  }),
  mobileNetEntry('mobilenet-0.5', 0.5, '5_0', {
    sizeMB: null,
    accuracy: { top1: 0.64292, top5: 0.85624 },
    accuracySource: KERAS_APPS_README,
    params: { total: 1_342_536, trainable: 1_331_592, nonTrainable: 10_944 },
    paramsSource: MOBILENET_ALPHA_SOURCE,
  }),
  mobileNetEntry('mobilenet-0.25', 0.25, '2_5', {
    sizeMB: null,
    accuracy: { top1: 0.51582, top5: 0.75792 },
    accuracySource: KERAS_APPS_README,
    params: { total: 475_544, trainable: 470_072, nonTrainable: 5_472 },
    paramsSource: MOBILENET_ALPHA_SOURCE,
  }),
  {
    name: 'mobilenetv2',
    displayName: 'MobileNetV2',
    kerasFunction: 'MobileNetV2',
    inputSize: 224,
    preprocess: 'tf',
    weights: {
      top: {
        fileName: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5',
        url: `${GCS}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5`,
        md5: null,
      },
      noTop: {
        fileName: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5',
        url: `${GCS}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
        md5: null,
      },
    },
    sizeMB: 14,
    accuracy: { top1: 0.713, top5: 0.901 },
    accuracySource: KERAS_IO,
    params: { total: 3_538_984, trainable: 3_504_872, nonTrainable: 34_112 },
    paramsSource: 'MobileNetV2().summary() (tf.keras), total as the old keras.io table lists',
    lastSpatialLayer: 'out_relu',
  },
  {
    name: 'resnet50',
    displayName: 'ResNet50',
    kerasFunction: 'ResNet50',
    inputSize: 224,
    preprocess: 'caffe',
    weights: {
      top: {
        fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels.h5',
        url: `${GCS}resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5`,
        md5: '2cb95161c43110f7111970584f804107',
      },
      noTop: {
        fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
        url: `${GCS}resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
        md5: '4d473c1dd8becc155b73f8504c6f6626',
      },
    },
    sizeMB: 98,
    accuracy: { top1: 0.749, top5: 0.921 },
    accuracySource: KERAS_IO,
    params: { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 },
    paramsSource: 'ResNet50().summary() (tf.keras), total as the old keras.io table lists',
    lastSpatialLayer: 'conv5_block3_out',
  },
  {
    name: 'xception',
    displayName: 'Xception',
    kerasFunction: 'Xception',
    inputSize: 299,
    preprocess: 'tf',
    weights: tfKernels(
      'xception',
      'xception',
      '0a58e3b7378bc2990ea3b43d5981f1f6',
      'b0042744bf5b25fce3cb969f33bebb97',
    ),
    sizeMB: 88,
    accuracy: { top1: 0.79, top5: 0.945 },
    accuracySource: KERAS_IO,
    params: { total: 22_910_480, trainable: 22_855_952, nonTrainable: 54_528 },
    paramsSource: 'Xception().summary() (tf.keras), total as the old keras.io table lists',
    lastSpatialLayer: 'block14_sepconv2_act',
  },
  {
    name: 'efficientnetb0',
    displayName: 'EfficientNetB0',
    kerasFunction: 'EfficientNetB0',
    inputSize: 224,
    preprocess: 'none',
    weights: {
      top: {
        fileName: 'efficientnetb0.h5',
        url: 'https://storage.googleapis.com/keras-applications/efficientnetb0.h5',
        md5: '902e53a9f72be733fc0bcb005b3ebbac',
      },
      noTop: {
        fileName: 'efficientnetb0_notop.h5',
        url: 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
        md5: '50bc09e76180e00e4465e1a485ddc09d',
      },
    },
    sizeMB: 29,
    accuracy: { top1: 0.771, top5: 0.933 },
    accuracySource: KERAS_IO,
    params: { total: 5_330_571, trainable: 5_288_548, nonTrainable: 42_023 },
    paramsSource:
      'EfficientNetB0().summary() (tf.keras and Keras 3; non-trainable includes Normalization 3+3+1)',
    lastSpatialLayer: 'top_activation',
  },
  {
    name: 'vgg16',
    displayName: 'VGG16',
    kerasFunction: 'VGG16',
    inputSize: 224,
    preprocess: 'caffe',
    weights: tfKernels(
      'vgg16',
      'vgg16',
      '64373286793e3c8b2b4e3219cbf3544b',
      '6d6bbae143d832006294945121d1f1fc',
    ),
    sizeMB: 528,
    accuracy: { top1: 0.713, top5: 0.901 },
    accuracySource: KERAS_IO,
    params: { total: 138_357_544, trainable: 138_357_544, nonTrainable: 0 },
    paramsSource: 'VGG16().summary() (tf.keras), total as the old keras.io table lists',
    lastSpatialLayer: 'block5_conv3',
  },
] satisfies ZooFacts[]);

/** True when `name` is one of the zoo's names. */
export function isZooModelName(name: string): name is ZooModelName {
  return (ZOO_MODEL_NAMES as readonly string[]).includes(name);
}

/** The facts of the zoo model called `name`; throws a clear error for an unknown name. */
export function zooFacts(name: string): ZooFacts {
  const facts = ZOO_FACTS.find((e) => e.name === name);
  if (facts === undefined) {
    throw new Error(`unknown model '${name}'; the zoo has ${ZOO_MODEL_NAMES.join(', ')}`);
  }
  return facts;
}

/** Keras' ImageNet mean pixel for 'caffe' mode, in BGR order. */
export const CAFFE_MEAN_BGR: readonly number[] = Object.freeze([103.939, 116.779, 123.68]);
/** Keras' ImageNet mean for 'torch' mode, in RGB order. */
export const TORCH_MEAN: readonly number[] = Object.freeze([0.485, 0.456, 0.406]);
/** Keras' ImageNet standard deviation for 'torch' mode, in RGB order. */
export const TORCH_STD: readonly number[] = Object.freeze([0.229, 0.224, 0.225]);

/**
 * Keras' `preprocess_input` for channels-last RGB pixels in [0, 255] (interleaved R, G, B, …),
 * laid out as the model expects ('caffe' gives B, G, R order): written into `into` when it is
 * given (it may be `rgb` itself: each triple is read before it is written), else into a new
 * array. Each step is rounded to float32 as Keras' float32 NumPy arithmetic does, so results
 * match Keras bit for bit.
 */
export function preprocessInput(
  mode: PreprocessMode,
  rgb: ArrayLike<number>,
  into?: Float32Array,
): Float32Array {
  if (rgb.length % 3 !== 0) {
    throw new Error(`preprocessInput: expected R, G, B triples, got ${rgb.length} values`);
  }
  if (into && into.length !== rgb.length) {
    throw new Error(`preprocessInput: ${rgb.length} values do not fit ${into.length}`);
  }
  const f = Math.fround;
  const out = into ?? new Float32Array(rgb.length);
  switch (mode) {
    case 'none':
      for (let i = 0; i < rgb.length; i++) out[i] = f(rgb[i]!);
      return out;
    case 'tf':
      for (let i = 0; i < rgb.length; i++) out[i] = f(f(f(rgb[i]!) / 127.5) - 1);
      return out;
    case 'torch':
      for (let i = 0; i < rgb.length; i++) {
        const c = i % 3;
        out[i] = f(f(f(f(rgb[i]!) / 255) - f(TORCH_MEAN[c]!)) / f(TORCH_STD[c]!));
      }
      return out;
    case 'caffe':
      for (let i = 0; i < rgb.length; i += 3) {
        const r = f(rgb[i]!);
        const g = f(rgb[i + 1]!);
        const b = f(rgb[i + 2]!);
        // RGB → BGR, each less the mean of its channel.
        out[i] = f(b - f(CAFFE_MEAN_BGR[0]!));
        out[i + 1] = f(g - f(CAFFE_MEAN_BGR[1]!));
        out[i + 2] = f(r - f(CAFFE_MEAN_BGR[2]!));
      }
      return out;
    default:
      throw new Error(
        `preprocessInput: mode must be 'tf', 'caffe', 'torch' or 'none', got ${String(mode)}`,
      );
  }
}
