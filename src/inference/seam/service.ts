/**
 * The worker's dispatcher, as a plain class with injected dependencies so unit tests drive it
 * with a fake model. Loads (`classify/load-job.ts`), queued photos and the registered handlers
 * take turns, one at a time; a load goes ahead of the photos still queued, which wait for it.
 */
import { messageOf } from '../../lib/message-of';
import { ActiveModel } from '../classify/active-model';
import { runLoad, type LoadDeps } from '../classify/load-job';
import { SecondModel } from '../classify/second-model';
import type {
  BackendName,
  EngineReport,
  ErrorMessage,
  ProgressOf,
  ReplyOf,
  RequestMessage,
  RequestType,
  WorkerRequest,
  WorkerResponse,
  LoadTuning,
  ReadyInfo,
} from '../protocol';
import {
  RequestError,
  type BuiltInRequest,
  type HandlerContext,
  type HandlerRegistry,
} from './handlers';
import { Turns } from './turns';

/** What the service needs from the outside world. */
export interface ServiceDeps extends LoadDeps {
  /** the handlers of every request but `load` and `classify` (tests pass a few) */
  handlers?: Partial<HandlerRegistry>;
  post(message: WorkerResponse, transfer?: Transferable[]): void;
  /** calls `onLost` if the selected backend's GPU goes away (optional) */
  watchBackend?(backend: BackendName, onLost: (reason: string) => void): void;
  now(): number;
  /** how often idle-time work polls for photos (ms; tests shorten it) */
  idlePollMs?: number;
  /**
   * requests whose handlers use no model and never wait inside: answered as they arrive, in
   * order, without taking a turn behind the photo, load or handler under way
   */
  withoutTurn?: ReadonlySet<string>;
}

type ClassifyMessage = RequestMessage<'classify'>;

/** How often work left for idle time looks whether photos still wait (ms). */
const IDLE_POLL_MS = 50;
/** Polls in a row the worker must be idle before that work starts, once a photo came (1.5 s). */
const IDLE_QUIET_POLLS = 30;
/**
 * The same before the first photo after a load (5 s): the page decodes the photos dropped during
 * a load only once it hears 'ready' (it needs the input size), so an empty queue then does not
 * mean no photo is coming — on a busy machine decoding one takes seconds.
 */
const IDLE_FIRST_POLLS = 100;
/**
 * Photos answered since the load after which idle-time work stops waiting for idle: in a library
 * of thousands the worker is never idle, and the faster engine matters most there. Each step then
 * takes its own turn between photos, so a photo waits for at most one step.
 */
const BUSY_AFTER_PHOTOS = 8;

/** Handles every {@link WorkerRequest}; see the file comment. */
export class InferenceService {
  private readonly second: SecondModel;
  private readonly active: ActiveModel;
  private readonly turns = new Turns();
  private readonly queue: ClassifyMessage[] = [];
  private readonly cancelled = new Set<number>();
  /** ids of the classify or handler requests accepted and not yet answered */
  private readonly open = new Set<number>();
  private loading = false;
  /** photos taken from the queue since the last load began */
  private photosSinceLoad = 0;
  private pumping = false;
  /**
   * Whether a load was ever asked for. A fresh worker (after a crash) can get a photo before
   * the page's load request: it waits for that load instead of failing.
   */
  private loadRequested = false;
  private tuning: LoadTuning = {};

  constructor(private readonly deps: ServiceDeps) {
    this.second = new SecondModel(deps);
    this.active = new ActiveModel(
      this.second,
      (backend, onLost) => deps.watchBackend?.(backend, onLost),
      (backend, reason) => deps.post({ type: 'backend-lost', id: 0, backend, reason }),
    );
  }

  /** Entry point for one message from the page. */
  handle(request: WorkerRequest): void {
    switch (request.type) {
      case 'load':
        this.loadRequested = true;
        // A model switch does not wait for the second model's download.
        this.second.stopLoading();
        void this.load(request);
        break;
      case 'classify':
        this.open.add(request.id);
        this.queue.push(request);
        void this.pump();
        break;
      case 'cancel':
        this.cancel(request.target);
        break;
      default:
        this.open.add(request.id);
        void this.runHandler(request);
    }
  }

  /** Number of classify requests waiting (not counting one in progress). */
  get pending(): number {
    return this.queue.length;
  }

  private reply<K extends RequestType>(
    id: number,
    reply: ReplyOf<K>,
    transfer?: Transferable[],
  ): void {
    this.deps.post({ type: 'reply', id, ...reply }, transfer);
  }

  private progress<K extends RequestType>(id: number, update: ProgressOf<K>): void {
    this.deps.post({ type: 'progress', id, ...(update as object) } as WorkerResponse);
  }

  private fail(id: number, error: unknown): void {
    const message: ErrorMessage = { type: 'error', id, message: messageOf(error) };
    if (error instanceof RequestError) {
      if (error.code) message.code = error.code;
      if (error.detail.backends) message.backends = error.detail.backends;
      if (error.detail.kept) message.kept = error.detail.kept;
    }
    this.deps.post(message);
  }

  private async runHandler<K extends Exclude<RequestType, BuiltInRequest>>(
    request: RequestMessage<K>,
  ): Promise<void> {
    const { id, type } = request;
    // The registry is typed by the request map, so this handler takes this request's fields.
    const handler = this.deps.handlers?.[type];
    if (!handler) {
      this.open.delete(id);
      this.fail(id, new RequestError('unknown-request', `unknown request '${type}'`));
      return;
    }
    const job = async (): Promise<void> => {
      const transfer: Transferable[] = [];
      const context: HandlerContext<K> = {
        classifier: this.active.classifier,
        backend: this.active.backend,
        progress: (update) => this.progress<K>(id, update),
        isCancelled: () => this.cancelled.has(id),
        transfer: (...buffers) => transfer.push(...buffers),
        activate: (classifier) => this.active.replace(classifier),
      };
      try {
        if (this.cancelled.has(id)) return;
        const reply = await handler(request, context);
        if (!this.cancelled.has(id)) this.reply<K>(id, reply, transfer);
      } catch (error) {
        // A job that stops because it was cancelled answers 'cancelled', whatever it threw.
        if (!this.cancelled.has(id)) this.fail(id, error);
      } finally {
        if (this.cancelled.delete(id)) this.deps.post({ type: 'cancelled', id });
        this.open.delete(id);
      }
    };
    if (this.deps.withoutTurn?.has(type)) {
      await job();
      return;
    }
    await this.turns.run(job);
    void this.pump();
  }

  private cancel(target: number): void {
    this.second.cancel(target);
    const index = this.queue.findIndex((r) => r.id === target);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.open.delete(target);
      this.deps.post({ type: 'cancelled', id: target });
    } else {
      // Running right now (or a handler waiting its turn): its answer becomes 'cancelled'.
      // Ids that already finished are ignored, so the set cannot grow without bound.
      if (this.open.has(target)) this.cancelled.add(target);
    }
  }

  private async load(request: RequestMessage<'load'>): Promise<void> {
    this.loading = true;
    this.photosSinceLoad = 0;
    const tuning = (this.tuning = request.tuning ?? {});
    let ready: ReadyInfo | null = null;
    await this.turns.run(async () => {
      try {
        ready = await runLoad(this.deps, this.active, request, (update) =>
          this.progress<'load'>(request.id, update),
        );
        this.reply<'load'>(request.id, ready);
      } catch (error) {
        this.fail(request.id, error);
      } finally {
        this.loading = false;
      }
    });
    // Once the load is over: a load with nothing left for later says `settled` at once.
    if (ready) void this.afterLoad(ready, tuning);
    void this.pump();
  }

  /**
   * What a load leaves for later, so it does not delay the first photos: the photo engine's
   * choice (when the load answered with a pending report), keeping the file that engine was
   * chosen with and the folded copy for the next visit. All wait until no photo is queued; each
   * step that needs the models takes a turn. A later load makes them stop (the folded copy is
   * still written: it belongs to a model, not a load). Then `settled` tells the page nothing is
   * left, unless a later load took over.
   */
  private async afterLoad(ready: ReadyInfo, tuning: LoadTuning): Promise<void> {
    const classifier = this.active.classifier;
    if (!classifier) return;
    const wanted = (): boolean => this.active.classifier === classifier && !this.loading;
    if (ready.engine?.pending && this.deps.selectEngine) {
      const report = await this.deps
        .selectEngine(
          classifier,
          ready.backend,
          tuning,
          undefined,
          async (step) => {
            await this.whenIdle();
            return this.turns.run(async () => {
              if (!wanted()) throw new Error('another model was loaded');
              return step();
            });
          },
          wanted,
        )
        .catch((error: unknown): EngineReport => ({
          engine: 'tfjs',
          detail: `TensorFlow.js: choosing the engine failed (${messageOf(error)})`,
        }));
      if (report && wanted()) {
        this.deps.post({
          type: 'engine-chosen',
          id: 0,
          modelId: ready.model.id,
          modelUrl: ready.model.url,
          engine: report,
        });
      }
    }
    if (classifier.keepEngineFile) {
      await this.whenIdle();
      if (this.active.classifier === classifier) {
        await classifier.keepEngineFile().catch(() => undefined);
      }
    }
    if (classifier.keepFoldedCopy) {
      await this.whenIdle();
      await classifier.keepFoldedCopy().catch(() => false);
    }
    // Benchmarks time photos only after this, so they do not measure the steps above.
    if (wanted()) {
      this.deps.post({
        type: 'settled',
        id: 0,
        modelId: ready.model.id,
        modelUrl: ready.model.url,
      });
    }
  }

  /**
   * Resolves once no photo has been queued or running, and no load under way, for
   * {@link IDLE_QUIET_POLLS} polls in a row ({@link IDLE_FIRST_POLLS} before the load's first photo),
   * or at once when {@link BUSY_AFTER_PHOTOS} photos were answered since the load (a long batch).
   */
  private async whenIdle(): Promise<void> {
    for (let quiet = 0; quiet < (this.photosSinceLoad > 0 ? IDLE_QUIET_POLLS : IDLE_FIRST_POLLS);) {
      if (this.photosSinceLoad >= BUSY_AFTER_PHOTOS) return;
      await new Promise((resolve) => setTimeout(resolve, this.deps.idlePollMs ?? IDLE_POLL_MS));
      quiet = this.queue.length > 0 || this.pumping || this.loading ? 0 : quiet + 1;
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.loading || !this.loadRequested) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.loading) {
        const request = this.queue.shift() as ClassifyMessage;
        this.photosSinceLoad += 1;
        await this.turns.run(async () => {
          try {
            await this.classify(request);
          } finally {
            this.open.delete(request.id);
          }
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  private async classify(request: ClassifyMessage): Promise<void> {
    const { id } = request;
    if (this.cancelled.delete(id)) {
      this.deps.post({ type: 'cancelled', id });
      return;
    }
    const { classifier, backend } = this.active;
    if (!classifier || !backend) {
      this.fail(id, new RequestError('no-model', 'no model is loaded'));
      return;
    }
    const start = this.deps.now();
    try {
      const pixels = new Uint8Array(request.pixels);
      const { predictions, features } =
        request.features && classifier.classifyWithFeatures
          ? await classifier.classifyWithFeatures(
              pixels,
              request.width,
              request.height,
              request.topK,
            )
          : {
              predictions: await classifier.classify(
                pixels,
                request.width,
                request.height,
                request.topK,
              ),
              features: null,
            };
      const ms = this.deps.now() - start;
      const wanted = request.also && request.also.id !== classifier.info.id ? request.also : null;
      if (!wanted) this.second.drop();
      const also =
        wanted && !this.cancelled.has(id)
          ? await this.second.classify(wanted, request, pixels, this.tuning, (update) =>
              this.progress<'classify'>(id, update),
            )
          : undefined;
      if (this.cancelled.delete(id)) this.deps.post({ type: 'cancelled', id });
      else {
        const vector = features ? (features.buffer as ArrayBuffer) : null;
        this.reply<'classify'>(
          id,
          {
            predictions,
            ms,
            backend,
            ...(also ? { also } : {}),
            ...(vector ? { features: vector } : {}),
          },
          vector ? [vector] : [],
        );
      }
    } catch (error) {
      this.cancelled.delete(id);
      this.fail(id, error);
    }
  }
}
