/**
 * The worker's request handlers, as a plain class with injected dependencies so unit tests drive
 * it with a fake model. It loads one model at a time, queues classify requests and runs them in
 * order, one at a time, skipping the cancelled ones.
 */
import type { io } from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import type { Classifier } from '../classify/classifier';
import type {
  AlsoResult,
  BackendChoice,
  BackendName,
  BackendReport,
  LoadStage,
  LoadTuning,
  WorkerRequest,
  WorkerResponse,
} from '../protocol';

/** What a feature handler may use: the active model and a way to answer. */
export interface ServiceContext {
  readonly classifier: Classifier | null;
  readonly backend: BackendName | null;
  /** answers the page; buffers in `transfer` move to it instead of being copied */
  post(message: WorkerResponse, transfer?: Transferable[]): void;
  /** true once the page cancelled this request; long jobs check it between steps */
  isCancelled(): boolean;
  /** makes `classifier` the active model (e.g. an imported or freshly trained one) */
  activate(classifier: Classifier): void;
}

/** Handles one feature request type; runs exclusively (never during a classify or load). */
export type FeatureHandler = (request: WorkerRequest, context: ServiceContext) => Promise<void>;

/** What the service needs from the outside world. */
export interface ServiceDeps {
  /** handlers for feature requests, by request type */
  features?: Partial<Record<WorkerRequest['type'], FeatureHandler>>;
  post(message: WorkerResponse, transfer?: Transferable[]): void;
  selectBackend(
    choice: BackendChoice,
    avoid?: readonly BackendName[],
    /** the model about to load, and its performance options */
    options?: { modelId?: string; tuning?: LoadTuning },
  ): Promise<{ backend: BackendName; reports: BackendReport[] }>;
  /**
   * Settles an 'auto' selection once the model is warm, by measuring it on the candidate
   * backends; leaves the winner current (optional).
   */
  tuneBackend?(
    classifier: Classifier,
    selected: { backend: BackendName; reports: BackendReport[] },
    warmupMs: number,
    onProgress: (fraction: number) => void,
  ): Promise<{ backend: BackendName; reports: BackendReport[] }>;
  /** calls `onLost` if the selected backend's GPU goes away (optional) */
  watchBackend?(backend: BackendName, onLost: (reason: string) => void): void;
  loadClassifier(
    entry: ModelEntry,
    onProgress: (fraction: number, note?: string) => void,
    tuning?: LoadTuning,
    /** stops a download */
    signal?: AbortSignal,
    /** the model's files, fetched meanwhile by `prefetchModel` */
    prefetched?: Promise<io.ModelArtifacts | null>,
  ): Promise<Classifier>;
  /**
   * Starts downloading a model's files before a backend is ready (optional): the download and
   * the backend's start-up then overlap. Resolves null when there is nothing to fetch.
   */
  prefetchModel?(
    entry: ModelEntry,
    onProgress: (fraction: number, note?: string) => void,
    signal: AbortSignal,
  ): Promise<io.ModelArtifacts | null>;
  now(): number;
}

type ClassifyRequest = Extract<WorkerRequest, { type: 'classify' }>;

/** How long a second model that failed to load is left alone before photos try it again. */
export const ALSO_RETRY_MS = 30_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Handles every {@link WorkerRequest}; see the file comment. */
export class InferenceService {
  private classifier: Classifier | null = null;
  private backend: BackendName | null = null;
  private readonly queue: ClassifyRequest[] = [];
  private readonly cancelled = new Set<number>();
  /** ids of the classify or feature requests accepted and not yet answered */
  private readonly active = new Set<number>();
  /** the load or classify in progress; the next one waits for it */
  private busy: Promise<void> = Promise.resolve();
  private loading = false;
  private pumping = false;
  /**
   * Whether a load was ever asked for. A fresh worker (after a crash) can get a photo before
   * the page's load request: it waits for that load instead of failing.
   */
  private loadRequested = false;
  /**
   * The second model photos may ask for (`also`), by entry; `classifier` null with `error` set
   * after a failed load, so the failure is reported per photo without retrying each time.
   */
  private also: {
    key: string;
    classifier: Classifier | null;
    error: string | null;
    /** when a failed load may be tried again (a refusal is final: Infinity) */
    retryAt: number;
  } | null = null;
  private tuning: LoadTuning = {};
  /** the second model's download in progress, and the photo waiting for it */
  private alsoLoad: { requestId: number; controller: AbortController } | null = null;

  constructor(private readonly deps: ServiceDeps) {}

  /** Entry point for one message from the page. */
  handle(request: WorkerRequest): void {
    switch (request.type) {
      case 'load':
        this.loadRequested = true;
        // A model switch does not wait for the second model's download.
        this.alsoLoad?.controller.abort();
        void this.load(
          request.id,
          request.model,
          request.backend,
          request.avoid ?? [],
          request.tuning ?? {},
        );
        break;
      case 'classify':
        this.active.add(request.id);
        this.queue.push(request);
        void this.pump();
        break;
      case 'cancel':
        this.cancel(request.target);
        break;
      default: {
        const feature = request as WorkerRequest;
        this.active.add(feature.id);
        void this.runFeature(feature);
      }
    }
  }

  private async runFeature(request: WorkerRequest): Promise<void> {
    const handler = this.deps.features?.[request.type];
    if (!handler) {
      this.deps.post({
        type: 'error',
        id: request.id,
        message: `unknown request '${request.type}'`,
      });
      return;
    }
    const previous = this.busy;
    let done!: () => void;
    this.busy = new Promise<void>((resolve) => (done = resolve));
    await previous;
    const { id } = request;
    const context: ServiceContext = {
      classifier: this.classifier,
      backend: this.backend,
      post: (message, transfer) => this.deps.post(message, transfer),
      isCancelled: () => this.cancelled.has(id),
      activate: (classifier) => this.replace(classifier),
    };
    try {
      if (this.cancelled.delete(id)) this.deps.post({ type: 'cancelled', id });
      else await handler(request, context);
    } catch (error) {
      this.deps.post({ type: 'error', id, message: messageOf(error) });
    } finally {
      if (this.cancelled.delete(id)) this.deps.post({ type: 'cancelled', id });
      this.active.delete(id);
      done();
      void this.pump();
    }
  }

  /** Number of classify requests waiting (not counting one in progress). */
  get pending(): number {
    return this.queue.length;
  }

  private cancel(target: number): void {
    if (this.alsoLoad?.requestId === target) this.alsoLoad.controller.abort();
    const index = this.queue.findIndex((r) => r.id === target);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.active.delete(target);
      this.deps.post({ type: 'cancelled', id: target });
    } else {
      // Running right now (or a feature job waiting its turn): its answer becomes 'cancelled'.
      // Ids that already finished are ignored, so the set cannot grow without bound.
      if (this.active.has(target)) this.cancelled.add(target);
    }
  }

  private async load(
    id: number,
    entry: ModelEntry,
    choice: BackendChoice,
    avoid: readonly BackendName[],
    tuning: LoadTuning = {},
  ): Promise<void> {
    this.loading = true;
    this.tuning = tuning;
    const previous = this.busy;
    let done!: () => void;
    this.busy = new Promise<void>((resolve) => (done = resolve));
    await previous;
    const progress = (
      stage: LoadStage,
      fraction: number,
      backend?: BackendName,
      note?: string,
    ): void => {
      const message: Extract<WorkerResponse, { type: 'progress' }> = {
        type: 'progress',
        id,
        stage,
        fraction,
      };
      if (backend) message.backend = backend;
      if (note) message.note = note;
      this.deps.post(message);
    };
    let reports: BackendReport[] | undefined;
    // The download needs no backend, so it starts now and overlaps the backend's start-up.
    const stopDownload = new AbortController();
    let shownBackend: BackendName | undefined;
    let fetched = 0;
    const prefetched = this.deps.prefetchModel?.(
      entry,
      (fraction, note) => {
        fetched = fraction;
        progress('download', fraction, shownBackend, note);
      },
      stopDownload.signal,
    );
    prefetched?.catch(() => undefined); // reported by loadClassifier, or moot if the backend fails
    try {
      progress('backend', 0);
      const previousBackend = this.backend;
      const selected = await this.deps.selectBackend(choice, avoid, {
        modelId: `${entry.id} ${entry.url}`,
        tuning,
      });
      if (selected.backend !== previousBackend) {
        const backend = selected.backend;
        this.deps.watchBackend?.(backend, (reason) => {
          if (this.backend === backend)
            this.deps.post({ type: 'backend-lost', id: 0, backend, reason });
        });
      }
      reports = selected.reports;
      this.backend = selected.backend;
      // The previous model stays active until its successor works, unless its backend is gone.
      if (selected.backend !== previousBackend) {
        this.replace(null);
        this.dropAlso();
      }
      shownBackend = selected.backend;
      progress('download', fetched, selected.backend);
      const classifier = await this.deps.loadClassifier(
        entry,
        (f, note) => progress('download', f, selected.backend, note),
        tuning,
        undefined,
        prefetched,
      );
      progress('warming', 0, selected.backend);
      let warmupMs: number;
      try {
        warmupMs = await classifier.warmUp();
      } catch (error) {
        classifier.dispose();
        throw error;
      }
      // Auto: measure the warm model on the other candidate backends; the fastest stays.
      let settled = { backend: selected.backend, reports: selected.reports };
      if (this.deps.tuneBackend) {
        try {
          settled = await this.deps.tuneBackend(classifier, selected, warmupMs, (f) =>
            progress('warming', f, selected.backend),
          );
        } catch (error) {
          classifier.dispose();
          throw error;
        }
        reports = settled.reports;
        if (settled.backend !== this.backend) {
          const backend = settled.backend;
          this.backend = backend;
          this.dropAlso();
          this.deps.watchBackend?.(backend, (reason) => {
            if (this.backend === backend)
              this.deps.post({ type: 'backend-lost', id: 0, backend, reason });
          });
        }
      }
      this.replace(classifier);
      this.deps.post({
        type: 'ready',
        id,
        backend: settled.backend,
        model: classifier.info,
        backends: settled.reports,
        warmupMs,
      });
    } catch (error) {
      stopDownload.abort();
      const found = (error as { reports?: BackendReport[] } | null)?.reports ?? reports;
      const message: Extract<WorkerResponse, { type: 'error' }> = {
        type: 'error',
        id,
        message: messageOf(error),
      };
      if (found) message.backends = found;
      if (this.classifier && this.backend) {
        message.kept = { model: this.classifier.info, backend: this.backend };
      }
      this.deps.post(message);
    } finally {
      this.loading = false;
      done();
      void this.pump();
    }
  }

  /** Disposes the second model, if any (its tensors belong to the backend it was loaded on). */
  private dropAlso(): void {
    this.also?.classifier?.dispose();
    this.also = null;
  }

  /** Runs the second model on a photo, loading it first if needed; failures become `error`. */
  private async classifyAlso(
    entry: ModelEntry,
    request: ClassifyRequest,
    pixels: Uint8Array,
  ): Promise<AlsoResult> {
    const key = `${entry.id} ${entry.url}`;
    if (this.also?.key !== key || this.deps.now() >= this.also.retryAt) {
      this.dropAlso();
      const controller = new AbortController();
      this.alsoLoad = { requestId: request.id, controller };
      try {
        // The photo waits for this load: its progress goes out under the photo's id.
        const classifier = await this.deps.loadClassifier(
          entry,
          (fraction, note) =>
            this.deps.post({
              type: 'progress',
              id: request.id,
              stage: 'download',
              fraction,
              note: note ?? `loading ${entry.name} for ImageNet's top-3`,
            }),
          this.tuning,
          controller.signal,
        );
        // ImageNet-sized output: 1000 classes, or 1001 with TF-slim's "background" first.
        if (classifier.info.numClasses === 1000 || classifier.info.numClasses === 1001) {
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
        this.alsoLoad = null;
      }
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

  /** Makes `next` the active classifier, disposing the one it replaces. */
  private replace(next: Classifier | null): void {
    if (this.classifier && this.classifier !== next) this.classifier.dispose();
    this.classifier = next;
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.loading || !this.loadRequested) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.loading) {
        const request = this.queue.shift() as ClassifyRequest;
        let done!: () => void;
        const previous = this.busy;
        this.busy = new Promise<void>((resolve) => (done = resolve));
        await previous;
        try {
          await this.classify(request);
        } finally {
          this.active.delete(request.id);
          done();
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async classify(request: ClassifyRequest): Promise<void> {
    const { id } = request;
    if (this.cancelled.delete(id)) {
      this.deps.post({ type: 'cancelled', id });
      return;
    }
    const classifier = this.classifier;
    if (!classifier || !this.backend) {
      this.deps.post({ type: 'error', id, message: 'no model is loaded' });
      return;
    }
    const start = this.deps.now();
    const backend = this.backend;
    try {
      const pixels = new Uint8Array(request.pixels);
      const predictions = await classifier.classify(
        pixels,
        request.width,
        request.height,
        request.topK,
      );
      const ms = this.deps.now() - start;
      const wanted = request.also && request.also.id !== classifier.info.id ? request.also : null;
      if (!wanted) this.dropAlso();
      const also =
        wanted && !this.cancelled.has(id)
          ? await this.classifyAlso(wanted, request, pixels)
          : undefined;
      this.deps.post(
        this.cancelled.delete(id)
          ? { type: 'cancelled', id }
          : { type: 'result', id, predictions, ms, backend, ...(also ? { also } : {}) },
      );
    } catch (error) {
      this.cancelled.delete(id);
      this.deps.post({ type: 'error', id, message: messageOf(error) });
    }
  }
}
