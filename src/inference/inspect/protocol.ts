/**
 * The "understand the model" part of the worker contract: the model summary, the weights
 * explorer and Grad-CAM explanations. `../protocol.ts` joins its
 * requests into the one request map; the page imports the types from there.
 */

/** A Keras-style shape: `null` for the batch (or any unknown) dimension. */
export type LayerShape = (number | null)[];

/** One row of the model summary, as Keras' `model.summary(show_trainable=True)` prints it. */
export interface SummaryRow {
  name: string;
  /** the layer's class, e.g. `Conv2D` */
  type: string;
  /** one shape, several (a layer with several outputs), or `null` when it has several nodes */
  outputShape: LayerShape | LayerShape[] | null;
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** inbound connections written `layer[node_index][tensor_index]`, as Keras prints them */
  connectedTo: string[];
  trainable: boolean;
  /** whether the layer owns any weights at all */
  hasWeights: boolean;
  /** 4-D output with spatial size above 1×1: usable for Grad-CAM */
  spatial: boolean;
}

/** A run of consecutive rows shown together (an Inception block, the stem, the head). */
export interface SummaryGroup {
  /** e.g. `stem`, `mixed5`, `head`, or `layers` for a model without blocks */
  id: string;
  title: string;
  /** index of the first row and one past the last */
  start: number;
  end: number;
  params: number;
}

/** The whole summary of a loaded model. */
export interface ModelSummary {
  modelName: string;
  rows: SummaryRow[];
  groups: SummaryGroup[];
  totals: { total: number; trainable: number; nonTrainable: number };
  /**
   * The row after the last frozen (trainable: false) layer, when trainable layers with weights
   * follow it; `null` when nothing is frozen, or nothing after it trains.
   */
  freezeBoundary: number | null;
  /** layers with weights that are frozen */
  frozenLayers: number;
}

/** A histogram over `[min, max]` in equal-width bins. */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

/** One weight tensor of a layer, summarised. */
export interface WeightStats {
  /** e.g. `conv2d_1/kernel` */
  name: string;
  shape: number[];
  dtype: string;
  trainable: boolean;
  size: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  histogram: Histogram;
}

/** A convolution's filters drawn as small RGB images, all in one RGBA buffer. */
export interface FilterImages {
  /** pixels per filter */
  width: number;
  height: number;
  count: number;
  /** `count` images one after the other, each `height × width × 4` bytes */
  rgba: ArrayBuffer;
  /** the kernel range mapped onto 0..255 (one scale for all filters, so they compare) */
  min: number;
  max: number;
}

/** Everything the weights explorer shows for one layer. */
export interface LayerWeights {
  layer: string;
  type: string;
  weights: WeightStats[];
  /** present for a convolution whose filters see 3 (RGB) input channels */
  filters?: FilterImages;
}

/** A layer Grad-CAM can look at. */
export interface CamLayer {
  name: string;
  /** `[height, width, channels]` of its output */
  shape: [number, number, number];
}

/** A Grad-CAM heatmap over the image, coarse: one cell per position of the layer's output. */
export interface GradCamResult {
  layer: string;
  classIndex: number;
  /** `height × width` values in 0..1, row-major */
  grid: Float32Array;
  width: number;
  height: number;
  /** largest value before normalising; 0 means no positive evidence anywhere */
  rawMax: number;
  /** the class' probability for this image (softmax of the model's output) */
  probability: number;
  /** the layers that can be chosen, input side first, and the default one */
  layers: CamLayer[];
  defaultLayer: string;
  /** Inception block outputs (`mixed0`…), when the model has them */
  blocks: string[];
  ms: number;
}

/** Stages of a Grad-CAM run, for its progress messages. */
export type GradCamStage = 'forward' | 'gradient';

/**
 * One layer's activations for one photo, as a grid of channel images: the most activated
 * channels first, each tile scaled to 0..255 on its own.
 */
export interface FeatureMapsResult {
  layer: string;
  /** `[height, width, channels]` of the layer's output */
  shape: [number, number, number];
  /** the channels shown, most activated (highest mean over the positions) first */
  channels: number[];
  /** each shown channel's mean activation, in the same order */
  means: number[];
  /** each tile's smallest and largest activation (mapped onto 0 and 255) */
  mins: number[];
  maxes: number[];
  /** pixels per tile (the layer's own size, or smaller for large early layers) */
  tileWidth: number;
  tileHeight: number;
  /** the tiles one after another, `tileHeight × tileWidth` grey bytes each */
  atlas: ArrayBuffer;
  /** the layers that can be chosen, input side first, and the default one */
  layers: CamLayer[];
  defaultLayer: string;
  ms: number;
}

/** The inspect requests: the request each sends, its progress (if any) and its reply. */
export interface InspectRequests {
  /** the Keras-style summary of the active model */
  'inspect-summary': { request: Record<never, never>; reply: { summary: ModelSummary } };
  /** statistics (and filter images) of one layer's weights */
  'inspect-weights': { request: { layer: string }; reply: { weights: LayerWeights } };
  /** a Grad-CAM heatmap for one image and class */
  'grad-cam': {
    request: {
      /** RGBA bytes of the model input, `width × height × 4`; transferred */
      pixels: ArrayBuffer;
      width: number;
      height: number;
      /** raw output index of the class (as in `Prediction.index`) */
      classIndex: number;
      /** layer to explain at; the default one when absent */
      layer?: string;
    };
    progress: { stage: GradCamStage };
    reply: { result: GradCamResult };
  };
  /** a layer's activations for one image, as channel images (the "Why?" dialog's feature maps) */
  'inspect-feature-maps': {
    request: {
      /** RGBA bytes of the model input, `width × height × 4`; transferred */
      pixels: ArrayBuffer;
      width: number;
      height: number;
      /** the layer to show; a mid-level spatial layer when absent */
      layer?: string;
      /** how many channels to show (default 64, at most 256) */
      count?: number;
    };
    reply: { result: FeatureMapsResult };
  };
}
