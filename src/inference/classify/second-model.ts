/**
 * The second model a photo may ask for (`classify`'s `also`): loaded on first use, kept while
 * photos ask for it, dropped when one comes without it. A failed load is remembered, so the
 * failure is reported per photo without retrying each time.
 */
import type { ModelEntry } from '../../models/registry';
import type { AlsoResult, ClassifyRequest, LoadProgress, LoadTuning } from '../protocol';
import { messageOf } from '../../lib/message-of';
import type { Classifier } from './classifier';
import { isImageNetSized } from './labels';
import type { LoadClassifier } from './load-job';

/** How long a second model that failed to load is left alone before photos try it again. */
export const ALSO_RETRY_MS = 30_000;

/** The cache of one second model; see the file comment. */
export class SecondModel {
  private also: {
    key: string;
    classifier: Classifier | null;
    error: string | null;
    /** when a failed load may be tried again (a refusal is final: Infinity) */
    retryAt: number;
  } | null = null;
  /** the download in progress, and the photo waiting for it */
  private loading: { requestId: number; controller: AbortController } | null = null;

  constructor(private readonly deps: { loadClassifier: LoadClassifier; now(): number }) {}

  /** Disposes the model, if any (its tensors belong to the backend it was loaded on). */
  drop(): void {
    this.also?.classifier?.dispose();
    this.also = null;
  }

  /** Stops the download in progress (a model switch does not wait for it). */
  stopLoading(): void {
    this.loading?.controller.abort();
  }

  /** Stops the download if photo `requestId` is the one waiting for it. */
  cancel(requestId: number): void {
    if (this.loading?.requestId === requestId) this.loading.controller.abort();
  }

  /** Runs the model on a photo, loading it first if needed; failures become `error`. */
  async classify(
    entry: ModelEntry,
    request: ClassifyRequest & { id: number },
    pixels: Uint8Array,
    tuning: LoadTuning,
    /** the photo waits for the load: its progress goes out under the photo's id */
    progress: (update: LoadProgress) => void,
  ): Promise<AlsoResult> {
    const key = `${entry.id} ${entry.url}`;
    if (this.also?.key !== key || this.deps.now() >= this.also.retryAt) {
      await this.load(entry, key, request.id, tuning, progress);
    }
    const { classifier, error } = this.also ?? { classifier: null, error: 'not loaded' };
    const base = { modelId: entry.id, name: classifier?.info.name ?? entry.name };
    if (!classifier) return { ...base, error: error ?? 'not loaded' };
    const start = this.deps.now();
    const own = request.alsoPixels;
    try {
      const predictions = own
        ? await classifier.classify(new Uint8Array(own.pixels), own.width, own.height, request.topK)
        : await classifier.classify(pixels, request.width, request.height, request.topK);
      return { ...base, predictions, ms: this.deps.now() - start };
    } catch (e) {
      return { ...base, error: messageOf(e) };
    }
  }

  private async load(
    entry: ModelEntry,
    key: string,
    requestId: number,
    tuning: LoadTuning,
    progress: (update: LoadProgress) => void,
  ): Promise<void> {
    this.drop();
    const controller = new AbortController();
    this.loading = { requestId, controller };
    try {
      const classifier = await this.deps.loadClassifier(
        entry,
        (fraction, note) =>
          progress({
            stage: 'download',
            fraction,
            note: note ?? `loading ${entry.name} for ImageNet's top-3`,
          }),
        tuning,
        controller.signal,
      );
      if (isImageNetSized(classifier.info.numClasses)) {
        this.also = { key, classifier, error: null, retryAt: Infinity };
      } else {
        classifier.dispose();
        this.also = {
          key,
          classifier: null,
          error: `${classifier.info.name} is not an ImageNet classifier`,
          retryAt: Infinity,
        };
      }
    } catch (error) {
      // Stopped (the photo was removed, another model is loading): the next photo starts over.
      // Otherwise maybe offline for now: later photos try again, not each one straight away.
      this.also = {
        key,
        classifier: null,
        error: controller.signal.aborted
          ? 'stopped before it finished loading; it is tried again with the next photo'
          : messageOf(error),
        retryAt: controller.signal.aborted ? 0 : this.deps.now() + ALSO_RETRY_MS,
      };
    } finally {
      this.loading = null;
    }
  }
}
