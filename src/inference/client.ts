/**
 * The page's only door to the inference worker. Created lazily, once; every call returns a
 * promise and accepts an AbortSignal. If the worker dies, pending calls fail with a clear message
 * and the next call starts a fresh worker.
 */
import type { ModelEntry } from '../models/registry';
import type {
  AlsoResult,
  BackendChoice,
  BackendName,
  BackendReport,
  LoadStage,
  LoadTuning,
  LoadedModelInfo,
  Prediction,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

/** Raised for a call that was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** The worker died while this call was pending; a fresh worker serves the next call. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

/** A failed load, with the backend reports when backend selection was the problem. */
export class LoadError extends Error {
  override name = 'LoadError';
  constructor(
    message: string,
    readonly backends: BackendReport[] | undefined,
    /** set when the worker kept the previous model active after this failure */
    readonly kept?: { model: LoadedModelInfo; backend: BackendName },
  ) {
    super(message);
  }
}

/** What `load` resolves to. */
export interface ReadyInfo {
  backend: BackendName;
  model: LoadedModelInfo;
  backends: BackendReport[];
  warmupMs: number;
}

/** What `classify` resolves to. */
export interface ClassifyResult {
  predictions: Prediction[];
  ms: number;
  backend: BackendName;
  /** the second model's answer, when one was asked for */
  also?: AlsoResult;
}

/** Progress of a load. */
export interface LoadProgress {
  stage: LoadStage;
  fraction: number;
  backend?: BackendName;
  note?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: LoadProgress) => void;
  onUpdate?: (message: WorkerResponse) => void;
}

/** Anything that behaves like a Worker (tests pass fakes). */
export type WorkerLike = Pick<Worker, 'postMessage' | 'terminate' | 'addEventListener'>;

/** Promise-based bridge to one inference worker. */
export class InferenceClient {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly crashListeners = new Set<(reason: string) => void>();
  private readonly eventListeners = new Set<(message: WorkerResponse) => void>();

  constructor(private readonly createWorker: () => WorkerLike) {}

  /** Starts the worker now, so its script loads while the page renders (idempotent). */
  start(): void {
    this.ensureWorker();
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) =>
      this.receive(event.data),
    );
    worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault?.();
      this.fail(worker, `The inference worker stopped: ${event.message || 'it crashed'}`);
    });
    this.worker = worker;
    return worker;
  }

  /** Rejects everything pending on a dead worker, forgets it and tells the crash listeners. */
  private fail(worker: WorkerLike, message: string, crashed = true): void {
    if (this.worker !== worker) return;
    this.worker = null;
    worker.terminate();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(crashed ? new WorkerCrashedError(message) : new Error(message));
    }
    if (crashed) for (const listener of this.crashListeners) listener(message);
  }

  /** Calls `listener` whenever the worker dies; returns the unsubscribe function. */
  onCrash(listener: (reason: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Calls `listener` for messages the worker sends on its own (not answers, e.g. backend loss). */
  onEvent(listener: (message: WorkerResponse) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private receive(message: WorkerResponse): void {
    const p = this.pending.get(message.id);
    if (!p) {
      for (const listener of this.eventListeners) listener(message);
      return;
    }
    switch (message.type) {
      case 'progress':
        p.onProgress?.({
          stage: message.stage,
          fraction: message.fraction,
          ...(message.backend ? { backend: message.backend } : {}),
          ...(message.note ? { note: message.note } : {}),
        });
        return;
      case 'ready':
        this.pending.delete(message.id);
        p.resolve({
          backend: message.backend,
          model: message.model,
          backends: message.backends,
          warmupMs: message.warmupMs,
        } satisfies ReadyInfo);
        return;
      case 'result':
        this.pending.delete(message.id);
        p.resolve({
          predictions: message.predictions,
          ms: message.ms,
          backend: message.backend,
          ...(message.also ? { also: message.also } : {}),
        } satisfies ClassifyResult);
        return;
      case 'cancelled':
        this.pending.delete(message.id);
        p.reject(new CancelledError());
        return;
      case 'error':
        this.pending.delete(message.id);
        p.reject(new LoadError(message.message, message.backends, message.kept));
        return;
      default: {
        // Feature messages: '…-progress' ones are interim updates, any other is the final answer.
        const other = message as WorkerResponse & { type: string; id: number };
        if (other.type.endsWith('-progress')) {
          p.onUpdate?.(other);
        } else {
          this.pending.delete(other.id);
          p.resolve(other);
        }
      }
    }
  }

  private send<T>(
    request: WorkerRequest,
    transfer: Transferable[],
    signal?: AbortSignal,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { resolve: resolve, reject };
      if (onProgress) pending.onProgress = onProgress;
      this.pending.set(request.id, pending);
      const onAbort = (): void => {
        if (!this.pending.has(request.id)) return;
        this.worker?.postMessage({
          type: 'cancel',
          id: this.nextId++,
          target: request.id,
        } satisfies WorkerRequest);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      pending.resolve = (value) => {
        settle();
        resolve(value as T);
      };
      pending.reject = (error) => {
        settle();
        reject(error);
      };
      try {
        worker.postMessage(request, transfer);
      } catch (error) {
        this.pending.delete(request.id);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Sends a feature request built around a fresh id and resolves with the worker's final answer;
   * interim '…-progress' messages go to `onUpdate`. Aborting sends a cancel for it.
   */
  call<R extends WorkerResponse>(
    build: (id: number) => WorkerRequest,
    options: {
      transfer?: Transferable[];
      signal?: AbortSignal;
      onUpdate?: (message: WorkerResponse) => void;
    } = {},
  ): Promise<R> {
    const request = build(this.nextId++);
    const promise = this.send<R>(request, options.transfer ?? [], options.signal);
    const pending = this.pending.get(request.id);
    if (pending && options.onUpdate) pending.onUpdate = options.onUpdate;
    return promise;
  }

  /** Loads a model on a backend (or the best available for 'auto'), warmed up. */
  load(
    model: ModelEntry,
    backend: BackendChoice,
    onProgress?: (p: LoadProgress) => void,
    avoid: BackendName[] = [],
    /** performance options (Settings → re-measure, benchmarks) */
    tuning?: LoadTuning,
  ): Promise<ReadyInfo> {
    const request: WorkerRequest = { type: 'load', id: this.nextId++, model, backend };
    if (avoid.length > 0) request.avoid = avoid;
    if (tuning) request.tuning = tuning;
    return this.send<ReadyInfo>(request, [], undefined, onProgress);
  }

  /** Classifies `width × height` RGBA pixels; the buffer is transferred to the worker. */
  classify(
    pixels: ArrayBuffer,
    width: number,
    height: number,
    /**
     * `also`: a second model to run on the same pixels (see the protocol); `onProgress` hears
     * about its loading, which the photo waits for the first time
     */
    options: {
      topK?: number;
      signal?: AbortSignal;
      also?: ModelEntry;
      /** the photo at the second model's input size (transferred) */
      alsoPixels?: { pixels: ArrayBuffer; width: number; height: number };
      onProgress?: (progress: LoadProgress) => void;
    } = {},
  ): Promise<ClassifyResult> {
    const request: WorkerRequest = {
      type: 'classify',
      id: this.nextId++,
      pixels,
      width,
      height,
      topK: options.topK ?? 3,
    };
    const transfer: Transferable[] = [pixels];
    if (options.also) request.also = options.also;
    if (options.also && options.alsoPixels) {
      request.alsoPixels = options.alsoPixels;
      transfer.push(options.alsoPixels.pixels);
    }
    return this.send<ClassifyResult>(request, transfer, options.signal, options.onProgress);
  }

  /** Stops the worker; pending calls are rejected. The next call starts a new one. */
  terminate(): void {
    if (this.worker) this.fail(this.worker, 'The inference worker was stopped.', false);
  }

  /** Restarts the worker as if it had crashed (pending calls fail, crash listeners reload). */
  restart(reason = 'restarted on request'): void {
    if (this.worker) this.fail(this.worker, `The inference worker was ${reason}.`);
  }
}

/** Creates the real module worker (Vite bundles it as its own chunk). */
export function createInferenceWorker(): Worker {
  return new Worker(new URL('./inference.worker.ts', import.meta.url), {
    type: 'module',
    name: 'inference',
  });
}
