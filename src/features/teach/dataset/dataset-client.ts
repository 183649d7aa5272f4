/** The dataset's calls to the worker, typed by the request map. */
import type { InferenceClient } from '../../../inference/client';
import type {
  DatasetItem,
  DatasetPixels,
  DatasetResizeMode,
  DatasetTrainItem,
  FeatureVariantSettings,
  FeaturesReply,
  TrainProgress,
  TrainReport,
  TrainSettings,
} from '../../../inference/protocol';

/** Asks which photos' features are cached (loading them) and computes those sent with pixels. */
export async function datasetFeatures(
  client: InferenceClient,
  items: DatasetItem[],
  pixels: DatasetPixels[],
  variant: FeatureVariantSettings,
  signal?: AbortSignal,
): Promise<FeaturesReply> {
  const transfer = pixels.map((p) => p.pixels);
  return client.call(
    'dataset-features',
    { items, pixels, variant },
    signal ? { transfer, signal } : { transfer },
  );
}

/** Trains a head on the dataset's cached features. */
export async function trainDataset(
  client: InferenceClient,
  request: {
    settings: TrainSettings;
    resize: DatasetResizeMode;
    items: DatasetTrainItem[];
    classNames: string[];
  },
  onProgress: (progress: TrainProgress) => void,
  signal: AbortSignal,
): Promise<TrainReport> {
  return (await client.call('dataset-train', request, { signal, onProgress })).report;
}

/** The model just trained on one photo's pixels (at the model's input size). */
export async function previewTrained(
  client: InferenceClient,
  pixels: ArrayBuffer,
  size: number,
): Promise<{ classNames: string[]; probabilities: number[] }> {
  return client.call(
    'train-preview',
    { pixels, width: size, height: size },
    { transfer: [pixels] },
  );
}
