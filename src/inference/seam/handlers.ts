/**
 * The worker's handler registry, typed by the request map: a handler for request `K` receives
 * `K`'s fields and resolves with `K`'s reply, so the compiler ties each handler to its request.
 */
import type { Classifier } from '../classify/classifier';
import type {
  BackendName,
  BackendReport,
  ErrorCode,
  LoadedModelInfo,
  ProgressOf,
  ReplyOf,
  RequestOf,
  RequestType,
} from '../protocol';

/** What a handler may use while it runs. */
export interface HandlerContext<K extends RequestType> {
  /** the active model (null before the first load) and its backend */
  readonly classifier: Classifier | null;
  readonly backend: BackendName | null;
  /** tells the page how far the request is */
  progress(update: ProgressOf<K>): void;
  /** true once the page cancelled this request; long jobs check it between steps */
  isCancelled(): boolean;
  /** buffers of the reply that move to the page instead of being copied */
  transfer(...buffers: Transferable[]): void;
  /** makes `classifier` the active model (e.g. an imported or freshly trained one) */
  activate(classifier: Classifier): void;
}

/**
 * Answers request `K`; runs exclusively (never during a classify, a load or another handler),
 * unless the service was given its request type in `withoutTurn` (the photo index's requests).
 */
export type Handler<K extends RequestType> = (
  request: RequestOf<K>,
  context: HandlerContext<K>,
) => Promise<ReplyOf<K>>;

/** One handler for each request in `K`. */
export type Handlers<K extends RequestType> = { [T in K]: Handler<T> };

/** Requests the service answers itself: they have their own queue and state. */
export type BuiltInRequest = 'load' | 'classify';

/** Every other request, by type: the worker entry must fill it completely. */
export type HandlerRegistry = Handlers<Exclude<RequestType, BuiltInRequest>>;

/** A failure the page may act on: it travels to the page with its `code`. */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: ErrorCode | undefined,
    message: string,
    /** a failed load: what each backend did, and the model that stays active */
    readonly detail: {
      backends?: BackendReport[];
      kept?: { model: LoadedModelInfo; backend: BackendName };
    } = {},
  ) {
    super(message);
  }
}
