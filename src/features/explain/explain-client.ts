/** The explain feature's calls to the worker: a Grad-CAM heatmap for one image and class, and a layer's feature maps. */
import type { InferenceClient } from '../../inference/client';
import type { FeatureMapsResult, GradCamResult, GradCamStage } from '../../inference/protocol';

/** What one Grad-CAM request carries. */
export interface GradCamInput {
  /** RGBA bytes of the model input; transferred (the caller keeps a copy if it needs one) */
  pixels: ArrayBuffer;
  width: number;
  height: number;
  classIndex: number;
  /** null: the model's default layer */
  layer: string | null;
}

/** Asks the worker for Grad-CAM; `onStage` hears each stage as it starts. */
export async function requestGradCam(
  client: InferenceClient,
  input: GradCamInput,
  options: { signal?: AbortSignal; onStage?: (stage: GradCamStage) => void } = {},
): Promise<GradCamResult> {
  const answer = await client.call(
    'grad-cam',
    {
      pixels: input.pixels,
      width: input.width,
      height: input.height,
      classIndex: input.classIndex,
      ...(input.layer ? { layer: input.layer } : {}),
    },
    {
      transfer: [input.pixels],
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: ({ stage }) => options.onStage?.(stage),
    },
  );
  return answer.result;
}

/** What one feature-maps request carries. */
export interface FeatureMapsInput {
  /** RGBA bytes of the model input; transferred (the caller keeps a copy if it needs one) */
  pixels: ArrayBuffer;
  width: number;
  height: number;
  /** null: the model's default layer for feature maps */
  layer: string | null;
}

/** Asks the worker for one layer's most active channels as images. */
export async function requestFeatureMaps(
  client: InferenceClient,
  input: FeatureMapsInput,
  options: { signal?: AbortSignal } = {},
): Promise<FeatureMapsResult> {
  const answer = await client.call(
    'inspect-feature-maps',
    {
      pixels: input.pixels,
      width: input.width,
      height: input.height,
      ...(input.layer ? { layer: input.layer } : {}),
    },
    { transfer: [input.pixels], ...(options.signal ? { signal: options.signal } : {}) },
  );
  return answer.result;
}
