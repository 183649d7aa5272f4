/** The Compare view's worker call: photos prepared once per input size, then `compare`. */
import type { InferenceClient } from '../../inference/client';
import type { ComparePhoto, CompareProgress, CompareModelResult } from '../../inference/protocol';
import type { ModelEntry } from '../../models/registry';
import type { ResizeMode } from '../../preprocess/geometry';
import { preprocessImage } from '../../preprocess/preprocess-image';

/** Prepares each photo at every input size the models need (224, 299, …). */
export async function preparePhotos(
  files: readonly File[],
  sizes: readonly number[],
  mode: ResizeMode,
  signal?: AbortSignal,
): Promise<ComparePhoto[]> {
  const photos: ComparePhoto[] = [];
  for (const file of files) {
    const images: ComparePhoto['images'] = [];
    for (const size of new Set(sizes)) {
      signal?.throwIfAborted();
      const image = await preprocessImage(file, { size, mode });
      images.push({ size, pixels: image.pixels, width: image.width, height: image.height });
    }
    photos.push({ name: file.name, images });
  }
  return photos;
}

/** Runs `models` on `files` in the worker, one model after another. */
export async function runComparison(
  client: InferenceClient,
  models: readonly ModelEntry[],
  files: readonly File[],
  mode: ResizeMode,
  options: { onProgress?: (p: CompareProgress) => void; signal?: AbortSignal } = {},
): Promise<CompareModelResult[]> {
  const sizes = models.map((m) => m.inputSize ?? 224);
  const photos = await preparePhotos(files, sizes, mode, options.signal);
  const { results } = await client.call(
    'compare',
    { models: [...models], photos, topK: 3 },
    {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      transfer: photos.flatMap((p) => p.images.map((i) => i.pixels)),
    },
  );
  return results;
}
