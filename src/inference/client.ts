/**
 * The page's only door to the inference worker. Created lazily, once; every call returns a
 * promise and accepts an AbortSignal. If the worker dies, pending calls fail with a clear message
 * and the next call starts a fresh worker.
 */
import type { ModelEntry } from '../models/registry';
import type {
  BackendChoice,
  BackendName,
  BackendReport,
  ClassifyResult,
  ReadyInfo,
  StartupStep,
  ErrorCode,
  LoadProgress,
  LoadTuning,
  LoadedModelInfo,
  ProgressOf,
  ReplyOf,
  RequestMessage,
  RequestOf,
  RequestType,
  WorkerEvent,
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

/**
 * A request the worker answered with an error: `code` says why when the page may act on it
 * (e.g. 'model-deleted'); a failed load also carries the backend reports.
 */
export class WorkerError extends Error {
  override name = 'WorkerError';
  constructor(
    message: string,
    readonly code: ErrorCode | undefined,
    readonly backends: BackendReport[] | undefined,
    /** set when the worker kept the previous model active after a failed load */
    readonly kept?: { model: LoadedModelInfo; backend: BackendName },
  ) {
    super(message);
  }
}

// The page's names for the load and classify results (they are defined with their requests).
export type { ClassifyResult, LoadProgress, ReadyInfo } from './protocol';

/** Options of one call: buffers to move, a way to cancel, and where progress goes. */
export interface CallOptions<K extends RequestType> {
  /** buffers in the request that move to the worker instead of being copied */
  transfer?: Transferable[];
  /** aborting sends a cancel; the call then rejects with {@link CancelledError} */
  signal?: AbortSignal;
  onProgress?: (progress: ProgressOf<K>) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: never) => void;
}

/** Anything that behaves like a Worker (tests pass fakes). */
export type WorkerLike = Pick<Worker, 'postMessage' | 'terminate' | 'addEventListener'>;

/** Promise-based bridge to one inference worker. */
export class InferenceClient {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly crashListeners = new Set<(reason: string) => void>();
  private readonly eventListeners = new Set<(event: WorkerEvent) => void>();

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
  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private receive(message: WorkerResponse): void {
    const p = this.pending.get(message.id);
    if (!p) {
      if (message.type === 'engine-chosen') {
        console.debug(`[startup] ${message.modelId}: engine chosen: ${message.engine.detail}`);
      }
      if (
        message.type === 'backend-lost' ||
        message.type === 'engine-chosen' ||
        message.type === 'settled'
      ) {
        for (const listener of this.eventListeners) listener(message);
      }
      return;
    }
    // Replies and progress travel flat next to `type` and `id` (see protocol.ts).
    const { type, id, ...body } = message;
    switch (type) {
      case 'progress':
        p.onProgress?.(body as never);
        return;
      case 'reply':
        this.pending.delete(id);
        p.resolve(body);
        return;
      case 'cancelled':
        this.pending.delete(id);
        p.reject(new CancelledError());
        return;
      case 'error': {
        this.pending.delete(id);
        const error = message;
        p.reject(new WorkerError(error.message, error.code, error.backends, error.kept));
        return;
      }
      default:
        return;
    }
  }

  /**
   * Sends request `type` with its fields and resolves with its reply, typed by the request map;
   * `onProgress` hears its interim reports. Aborting `signal` sends a cancel for it.
   */
  call<K extends RequestType>(
    type: K,
    request: RequestOf<K>,
    options: CallOptions<K> = {},
  ): Promise<ReplyOf<K>> {
    const { signal, onProgress, transfer = [] } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const message = { ...request, type, id } as RequestMessage<K>;
    return new Promise<ReplyOf<K>>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.has(id)) return;
        this.worker?.postMessage({
          type: 'cancel',
          id: this.nextId++,
          target: id,
        } satisfies WorkerRequest);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      const pending: Pending = {
        resolve: (value) => {
          settle();
          resolve(value as ReplyOf<K>);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      if (onProgress) pending.onProgress = onProgress;
      this.pending.set(id, pending);
      try {
        worker.postMessage(message, transfer);
      } catch (error) {
        this.pending.delete(id);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
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
    return this.call(
      'load',
      {
        model,
        backend,
        ...(avoid.length > 0 ? { avoid } : {}),
        ...(tuning ? { tuning } : {}),
      },
      onProgress ? { onProgress } : {},
    ).then((info) => {
      // The start-up's steps, for benchmarks and curious developers (DevTools' "Verbose" level).
      if (info.startup) console.debug(`[startup] ${model.id}: ${startupLine(info.startup)}`);
      return info;
    });
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
      /** also return the photo's pooled features (`ClassifyResult.features`) */
      features?: boolean;
    } = {},
  ): Promise<ClassifyResult> {
    const { also, alsoPixels, signal, onProgress } = options;
    const transfer: Transferable[] = [pixels];
    if (also && alsoPixels) transfer.push(alsoPixels.pixels);
    return this.call(
      'classify',
      {
        pixels,
        width,
        height,
        topK: options.topK ?? 3,
        ...(also ? { also } : {}),
        ...(also && alsoPixels ? { alsoPixels } : {}),
        ...(options.features ? { features: true } : {}),
      },
      { transfer, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
    );
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

/** A load's steps as one line: `model.json 40 ms · cache hit 95 ms · …` (times since the request). */
export function startupLine(steps: readonly StartupStep[]): string {
  return steps.map((s) => `${s.step} ${s.atMs} ms`).join(' · ');
}
