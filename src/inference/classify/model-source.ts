/** Where a model's bytes will come from, known before any of them is read. */
import type { ModelEntry } from '../../models/registry';
import { MODEL_CACHE, modelFileUrls } from '../../sw/model-files';
import type { ModelSource } from './protocol';

/**
 * 'browser' for a model kept in IndexedDB, or one whose model.json and every weight file sit in
 * the offline cache (the service worker answers those from there); 'built' for random weights;
 * 'network' otherwise. Any doubt (no Cache Storage, a damaged cached model.json) says 'network':
 * promising "from this browser" and then downloading would be the worse mistake.
 */
export async function modelSource(
  entry: ModelEntry,
  storage: CacheStorage | undefined = globalThis.caches,
): Promise<ModelSource> {
  if (entry.zoo?.randomWeights) return 'built';
  if (entry.url.startsWith('indexeddb://')) return 'browser';
  if (!/^https?:/i.test(entry.url) || !storage) return 'network';
  try {
    // has() first: open() would create the cache on a first visit.
    if (!(await storage.has(MODEL_CACHE))) return 'network';
    const cache = await storage.open(MODEL_CACHE);
    const json = await cache.match(entry.url);
    if (!json) return 'network';
    for (const url of modelFileUrls(entry.url, await json.json())) {
      if (!(await cache.match(url))) return 'network';
    }
    return 'browser';
  } catch {
    return 'network';
  }
}
