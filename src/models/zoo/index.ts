/** The Keras applications zoo: builders, the zoo table, Keras' preprocessing and weight copying. */
export { countParams, LayerNamer, type ApplicationOptions, type ParamCounts } from './common';
export { efficientNetB0, EFFICIENTNET_B0_BLOCKS, type EfficientNetOptions } from './efficientnet';
export {
  copyWeightsInOrder,
  inceptionV3,
  INCEPTION_V3_BLOCKS,
  type CopyWeightsOptions,
  type InceptionV3Options,
  type NamedLayerWeights,
} from './inception-v3';
export { GlobalAveragePooling2D, Normalization, Rescaling } from './layers';
export {
  mobileNet,
  MOBILENET_ALPHAS,
  MOBILENET_BLOCKS,
  mobileNetName,
  type MobileNetOptions,
} from './mobilenet';
export {
  mobileNetV2,
  MOBILENET_V2_ALPHAS,
  MOBILENET_V2_BLOCKS,
  mobileNetV2Name,
  type MobileNetV2Options,
} from './mobilenet-v2';
export { resNet50, RESNET50_BLOCKS, type ResNet50Options } from './resnet50';
export { vgg16, VGG16_BLOCKS, VGG16_FC_UNITS, type Vgg16Options } from './vgg16';
export { copyWeightsByName, type WeightSource } from './weights';
export { xception, XCEPTION_BLOCKS, type XceptionOptions } from './xception';
export {
  isZooModelName,
  preprocessInput,
  ZOO,
  ZOO_FACTS,
  ZOO_MODEL_NAMES,
  zooEntry,
  zooFacts,
  type PreprocessMode,
  type WeightFile,
  type ZooEntry,
  type ZooFacts,
  type ZooModelName,
} from './zoo';
