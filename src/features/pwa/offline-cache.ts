/**
 * Page-side view of the offline caches: makes sure every file of the current model sits in the
 * service worker's model cache, and collects photos the service worker received as a share.
 */
import { MODEL_CACHE, SHARE_CACHE, modelFileUrls } from '../../sw/model-files';

/**
 * Puts every file of the model at `modelUrl` into the model cache, fetching (through the
 * service worker, which stores them) whatever is missing. Reports the fraction done. `signal`
 * stops it between files (an update being applied wants no more requests to the old worker).
 */
export async function ensureModelCached(
  modelUrl: string,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const cache = await caches.open(MODEL_CACHE);
  const response = (await cache.match(modelUrl)) ?? (await fetch(modelUrl));
  if (!response.ok) throw new Error(`model.json answered HTTP ${response.status}`);
  const urls = modelFileUrls(modelUrl, await response.json());
  let done = 0;
  for (const url of urls) {
    signal?.throwIfAborted();
    if (!(await cache.match(url))) {
      const fetched = await fetch(url);
      if (!fetched.ok) throw new Error(`${url} answered HTTP ${fetched.status}`);
      await fetched.blob(); // the service worker stores it on the way (a blob keeps the bytes off the main thread)
      if (!(await cache.match(url)))
        throw new Error('the model files could not be stored for offline use');
    }
    done += 1;
    onProgress(done / urls.length);
  }
  // Labels beside the model, when there are any (a 404 is fine).
  signal?.throwIfAborted();
  await fetch(new URL('metadata.json', modelUrl)).catch(() => undefined);
}

/** Takes (and removes) the photos the service worker parked for share batch `batch`. */
export async function takeSharedPhotos(batch: string): Promise<File[]> {
  const cache = await caches.open(SHARE_CACHE);
  const files: File[] = [];
  for (const request of await cache.keys()) {
    if (!request.url.includes(`/shared/${batch}/`)) continue;
    const response = await cache.match(request);
    if (response) {
      const name = decodeURIComponent(response.headers.get('x-filename') ?? 'shared photo');
      const blob = await response.blob();
      files.push(
        new File([blob], name, { type: blob.type || response.headers.get('content-type') || '' }),
      );
    }
    await cache.delete(request);
  }
  return files;
}
