/**
 * Reading a dataset into Teach, one small chunk of photos at a time: read a file (from the folder
 * or the ZIP), hash its bytes, ask the worker whether its features are cached, decode it only if
 * they are not (or its thumbnail is missing), and hand the pixels over. Memory holds one chunk.
 */
import type { InferenceClient } from '../../../inference/client';
import type { DatasetPixels, FeatureVariantSettings } from '../../../inference/protocol';
import { messageOf } from '../../../lib/message-of';
import {
  ImageInputError,
  preprocessImage,
  type PreprocessOptions,
  type PreprocessedImage,
} from '../../../preprocess/preprocess-image';
import { datasetFeatures } from './dataset-client';
import type { Dataset, DatasetPhoto } from './dataset-state';
import type { DatasetLayout, SkippedFile } from './layout';
import type { PhotoSource } from './zip-source';

/** Where a long dataset job is. */
export interface FeatureProgress {
  done: number;
  total: number;
  /** photos whose features came from the cache so far */
  reused: number;
  /** photos whose features were computed so far */
  computed: number;
  /** photos per second so far, once measurable */
  rate: number | null;
  /** milliseconds left, once measurable */
  etaMs: number | null;
}

/** What the import and feature jobs need from the page around them. */
export interface FeatureJobDeps {
  client: InferenceClient;
  inputSize: number;
  variant: FeatureVariantSettings;
  onProgress: (progress: FeatureProgress) => void;
  signal: AbortSignal;
  now?: () => number;
  prepare?: (file: Blob, options: PreprocessOptions) => Promise<PreprocessedImage>;
  hash?: (bytes: ArrayBuffer) => Promise<string>;
  thumbs?: {
    present: (hashes: readonly string[]) => Promise<boolean[]>;
    put: (entries: readonly (readonly [string, Blob])[]) => Promise<void>;
  };
}

/** Photos per chunk: few enough that one chunk's files and pixels stay small. */
const CHUNK = 16;

/** SHA-256 of bytes, as hex. */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Thrown when the user cancelled a dataset job. */
export class DatasetCancelled extends Error {
  override name = 'DatasetCancelled';
}

function tracker(total: number, deps: FeatureJobDeps) {
  const now = deps.now ?? (() => performance.now());
  const start = now();
  const state = { done: 0, reused: 0, computed: 0 };
  return {
    state,
    report(): void {
      const elapsed = now() - start;
      const rate = state.done > 0 && elapsed > 0 ? (state.done * 1000) / elapsed : null;
      deps.onProgress({
        ...state,
        total,
        rate,
        etaMs: rate ? ((total - state.done) / rate) * 1000 : null,
      });
    },
  };
}

/** Decodes photos of a chunk; bad files go to `skipped`. */
async function decodeAll(
  chunk: readonly { id: string; hash: string; blob: Blob; thumbOnly?: boolean }[],
  deps: FeatureJobDeps,
  skipped: SkippedFile[],
): Promise<Map<string, PreprocessedImage>> {
  const prepare = deps.prepare ?? preprocessImage;
  const out = new Map<string, PreprocessedImage>();
  for (const item of chunk) {
    // A photo whose features are stored needs only its thumbnail: no model-size pixels for it.
    const size = item.thumbOnly ? 1 : deps.inputSize;
    try {
      out.set(item.id, await prepare(item.blob, { size, mode: 'squash', thumbnailSize: 48 }));
    } catch (error) {
      const why = error instanceof ImageInputError ? error.message : messageOf(error);
      skipped.push({ path: item.id, reason: `unreadable (${why})` });
    }
  }
  return out;
}

/**
 * Reads a laid-out dataset: every photo hashed, checked, its features made available in the
 * worker (computed only where not cached), its thumbnail kept. Unreadable photos are listed
 * with the skipped files. Throws {@link DatasetCancelled} when cancelled.
 */
export async function importDataset(
  name: string,
  layout: DatasetLayout<PhotoSource>,
  deps: FeatureJobDeps,
): Promise<{
  dataset: Dataset;
  sources: Map<string, PhotoSource>;
  reused: number;
  computed: number;
}> {
  const hash = deps.hash ?? sha256Hex;
  const skipped: SkippedFile[] = [...layout.skipped];
  const photos: DatasetPhoto[] = [];
  const sources = new Map<string, PhotoSource>();
  const labelOf = new Map(layout.classes.map((c, i) => [c, i]));
  const progress = tracker(layout.photos.length, deps);
  progress.report();
  for (let from = 0; from < layout.photos.length; from += CHUNK) {
    if (deps.signal.aborted) throw new DatasetCancelled('cancelled');
    const chunk: { id: string; hash: string; blob: Blob; photo: (typeof layout.photos)[0] }[] = [];
    for (const photo of layout.photos.slice(from, from + CHUNK)) {
      try {
        const blob = await photo.source.read();
        chunk.push({ id: photo.path, hash: await hash(await blob.arrayBuffer()), blob, photo });
      } catch (error) {
        skipped.push({ path: photo.path, reason: `unreadable (${messageOf(error)})` });
      }
    }
    const lookup = await datasetFeatures(
      deps.client,
      chunk.map(({ id, hash: h }) => ({ id, hash: h })),
      [],
      deps.variant,
    );
    const missing = new Set(lookup.missing);
    const haveThumb = deps.thumbs
      ? await deps.thumbs.present(chunk.map((c) => c.hash))
      : chunk.map(() => false);
    const toDecode = chunk
      .filter((c, i) => missing.has(c.id) || !haveThumb[i])
      .map((c) => ({ ...c, thumbOnly: !missing.has(c.id) }));
    const decoded = await decodeAll(toDecode, deps, skipped);
    const pixels: DatasetPixels[] = [];
    const thumbs: [string, Blob][] = [];
    for (const c of toDecode) {
      const image = decoded.get(c.id);
      if (!image) continue;
      thumbs.push([c.hash, image.thumbnail]);
      if (missing.has(c.id)) {
        pixels.push({
          id: c.id,
          hash: c.hash,
          pixels: image.pixels,
          width: image.width,
          height: image.height,
        });
      }
    }
    if (pixels.length > 0) await datasetFeatures(deps.client, [], pixels, deps.variant);
    await deps.thumbs?.put(thumbs);
    for (const c of chunk) {
      if (missing.has(c.id) && !decoded.has(c.id)) continue; // unreadable: listed above
      photos.push({
        id: c.id,
        hash: c.hash,
        label: labelOf.get(c.photo.className) ?? 0,
        split: c.photo.split,
        excluded: false,
      });
      sources.set(c.id, c.photo.source);
    }
    progress.state.done = Math.min(layout.photos.length, from + CHUNK);
    progress.state.reused += chunk.length - missing.size;
    progress.state.computed += pixels.length;
    progress.report();
  }
  // A class whose every photo was unreadable is dropped, so every class has photos.
  const used = new Set(photos.map((p) => p.label));
  const keep = layout.classes.map((_, i) => used.has(i));
  const newIndex = keep.map((_, i) => keep.slice(0, i).filter(Boolean).length);
  const dataset: Dataset = {
    name,
    classes: layout.classes.filter((_, i) => keep[i]),
    photos: photos.map((p) => ({ ...p, label: newIndex[p.label] ?? 0 })),
    skipped,
    hasSplits: layout.hasSplits,
  };
  return { dataset, sources, reused: progress.state.reused, computed: progress.state.computed };
}

/**
 * Makes sure the worker has the features of every photo to train on (after a reload, or for
 * another augmentation): cached ones are loaded, the rest computed from their files when this
 * session still has them. Throws a message naming how many need their files again.
 */
export async function ensureFeatures(
  photos: readonly DatasetPhoto[],
  sources: ReadonlyMap<string, PhotoSource>,
  deps: FeatureJobDeps,
): Promise<{ reused: number; computed: number }> {
  const progress = tracker(photos.length, deps);
  const missing: DatasetPhoto[] = [];
  const LOOKUP = 256;
  for (let from = 0; from < photos.length; from += LOOKUP) {
    if (deps.signal.aborted) throw new DatasetCancelled('cancelled');
    const part = photos.slice(from, from + LOOKUP);
    const reply = await datasetFeatures(
      deps.client,
      part.map(({ id, hash }) => ({ id, hash })),
      [],
      deps.variant,
    );
    const gone = new Set(reply.missing);
    missing.push(...part.filter((p) => gone.has(p.id)));
    progress.state.reused += reply.reused;
  }
  const without = missing.filter((p) => !sources.has(p.id));
  if (without.length > 0) {
    throw new Error(
      `${without.length} photos have no cached features for this model and these settings: ` +
        'import the dataset folder or ZIP again to compute them.',
    );
  }
  progress.state.done = photos.length - missing.length;
  progress.report();
  const skipped: SkippedFile[] = [];
  for (let from = 0; from < missing.length; from += CHUNK) {
    if (deps.signal.aborted) throw new DatasetCancelled('cancelled');
    const part = missing.slice(from, from + CHUNK);
    const chunk = [];
    for (const p of part) {
      chunk.push({ id: p.id, hash: p.hash, blob: await (sources.get(p.id) as PhotoSource).read() });
    }
    const decoded = await decodeAll(chunk, deps, skipped);
    const pixels: DatasetPixels[] = [...decoded].map(([id, image]) => ({
      id,
      hash: part.find((p) => p.id === id)?.hash ?? '',
      pixels: image.pixels,
      width: image.width,
      height: image.height,
    }));
    await datasetFeatures(deps.client, [], pixels, deps.variant);
    progress.state.done += part.length;
    progress.state.computed += pixels.length;
    progress.report();
  }
  if (skipped.length > 0) {
    throw new Error(`${skipped.length} photos could no longer be read: ${skipped[0]?.path ?? ''}…`);
  }
  return { reused: progress.state.reused, computed: progress.state.computed };
}
