/**
 * The `compare` handler: each chosen model in turn is loaded (timed), run on every photo (timed
 * per photo, after a warm-up so shader compilation is not counted), and disposed before the next
 * one loads. A model that fails to load is reported in its row; the comparison goes on.
 */
import { messageOf } from '../../lib/message-of';
import type { ModelEntry } from '../../models/registry';
import type { Classifier } from '../classify/classifier';
import type { CompareRequests } from '../protocol';
import type { Handler, Handlers } from '../seam/handlers';
import {
  MAX_COMPARE_MODELS,
  MIN_COMPARE_MODELS,
  type CompareModelResult,
  type ComparePhoto,
} from './protocol';

/** What a comparison needs from the outside world (tests pass fakes). */
export interface CompareDeps {
  /** loads and builds one model (see classify/load-model.ts) */
  load(entry: ModelEntry): Promise<Classifier>;
  now(): number;
}

/** The image of `photo` at `size`, else its largest (the classifier resizes it). */
function imageFor(photo: ComparePhoto, size: number): ComparePhoto['images'][number] {
  const exact = photo.images.find((i) => i.size === size);
  if (exact) return exact;
  const largest = [...photo.images].sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error(`photo ${photo.name} came without pixels`);
  return largest;
}

/** Checks the request's shape; a clear error for each bad field. */
function checkRequest(models: readonly ModelEntry[], photos: readonly ComparePhoto[], k: number) {
  if (models.length < MIN_COMPARE_MODELS || models.length > MAX_COMPARE_MODELS) {
    throw new Error(
      `choose ${MIN_COMPARE_MODELS} to ${MAX_COMPARE_MODELS} models to compare (got ${models.length})`,
    );
  }
  if (new Set(models.map((m) => m.id)).size !== models.length) {
    throw new Error('the same model was chosen twice');
  }
  if (photos.length === 0) throw new Error('add at least one photo to compare on');
  if (!Number.isInteger(k) || k < 1) throw new Error(`topK must be a positive integer (got ${k})`);
}

/** Makes the compare handler table. */
export function createCompareHandlers(deps: CompareDeps): Handlers<keyof CompareRequests> {
  const compare: Handler<'compare'> = async ({ models, photos, topK }, context) => {
    checkRequest(models, photos, topK);
    const results: CompareModelResult[] = [];
    for (const [index, entry] of models.entries()) {
      if (context.isCancelled()) break;
      context.progress({ model: index, models: models.length, stage: 'loading', photosDone: 0 });
      const result: CompareModelResult = {
        modelId: entry.id,
        name: entry.name,
        loadMs: 0,
        msPerPhoto: null,
        predictions: photos.map(() => null),
      };
      results.push(result);
      const start = deps.now();
      let classifier: Classifier;
      try {
        classifier = await deps.load(entry);
      } catch (error) {
        result.error = messageOf(error);
        result.loadMs = deps.now() - start;
        continue;
      }
      try {
        await classifier.warmUp();
        result.loadMs = deps.now() - start;
        result.name = classifier.info.name;
        let spent = 0;
        let done = 0;
        for (const [p, photo] of photos.entries()) {
          if (context.isCancelled()) break;
          context.progress({
            model: index,
            models: models.length,
            stage: 'classifying',
            photosDone: p,
          });
          const image = imageFor(photo, classifier.info.inputSize);
          // The buffer is read, not detached: the next model needs the same photo.
          const rgba = new Uint8Array(image.pixels);
          const t0 = deps.now();
          result.predictions[p] = await classifier.classify(rgba, image.width, image.height, topK);
          spent += deps.now() - t0;
          done += 1;
        }
        result.msPerPhoto = done > 0 ? spent / done : null;
      } catch (error) {
        result.error = messageOf(error);
      } finally {
        // Freed before the next model loads: the comparison never holds two of them.
        classifier.dispose();
      }
    }
    return { results };
  };
  return { compare };
}
