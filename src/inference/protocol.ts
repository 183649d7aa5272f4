/**
 * The one message contract between the page and the inference worker: the request map and the
 * messages built from it. Each capability folder declares its own requests (`classify/`,
 * `backends/`, `inspect/`, `library/`, `photos/`, `train/`, each in its `protocol.ts`); this file joins them
 * and is, with `client.ts`, all the page may import from the engine.
 *
 * Adding a request: one entry in a folder's map (request, progress if any, reply), and one
 * handler in that folder's handler table. The compiler then ties the two together and types
 * `client.call(type, request)`'s reply. See docs/architecture.md.
 */
import type {
  BackendLostEvent,
  BackendName,
  BackendReport,
  BackendRequests,
} from './backends/protocol';
import type { ClassifyRequests, LoadedModelInfo, SettledEvent } from './classify/protocol';
import type { CompareRequests } from './compare/protocol';
import type { EngineChosenEvent } from './engines/protocol';
import type { InspectRequests } from './inspect/protocol';
import type { KerasExportRequests } from './keras-export/protocol';
import type { LibraryRequests } from './library/protocol';
import type { PhotosRequests } from './photos/protocol';
import type { TrainRequests } from './train/protocol';

export * from './backends/protocol';
export * from './classify/protocol';
export * from './compare/protocol';
export * from './engines/protocol';
export * from './inspect/protocol';
export * from './keras-export/protocol';
export * from './library/protocol';
export * from './photos/protocol';
export * from './train/protocol';

/**
 * Every request the worker answers, by type: `request` is what the page sends (besides `type`
 * and `id`), `progress` what it may hear meanwhile (absent: none), `reply` what it resolves with.
 */
export interface RequestMap
  extends
    ClassifyRequests,
    BackendRequests,
    InspectRequests,
    LibraryRequests,
    PhotosRequests,
    TrainRequests,
    CompareRequests,
    KerasExportRequests {}

/** The name of one request. */
export type RequestType = keyof RequestMap;
/** The fields request `K` sends. */
export type RequestOf<K extends RequestType> = RequestMap[K]['request'];
/** What request `K` resolves with. */
export type ReplyOf<K extends RequestType> = RequestMap[K]['reply'];
/** What request `K` reports while it runs (`never` for a request without progress). */
export type ProgressOf<K extends RequestType> = RequestMap[K] extends { progress: infer P }
  ? P
  : never;

/** Page → worker: request `K` on the wire, its fields next to `type` and `id`. */
export type RequestMessage<K extends RequestType = RequestType> = {
  [T in K]: { type: T; id: number } & RequestOf<T>;
}[K];

/** Page → worker: stop request `target` (its answer becomes `cancelled`). */
export interface CancelMessage {
  type: 'cancel';
  id: number;
  target: number;
}

/** Everything the page sends. */
export type WorkerRequest = RequestMessage | CancelMessage;

/** Why a request failed, for the page to act on (the message is for people). */
export type ErrorCode =
  /** a stored model is gone from this browser (deleted elsewhere, or site data cleared) */
  | 'model-deleted'
  /** the model's files are not at its address (HTTP 404, or a web page where model.json should be) */
  | 'model-missing'
  /** the request needs an active model and none is loaded */
  | 'no-model'
  /** the browser refused the space to store a model */
  | 'storage-full'
  /** the worker has no handler for the request */
  | 'unknown-request';

/** Worker → page: the request failed. `code` is set when the page may act on the reason. */
export interface ErrorMessage {
  type: 'error';
  id: number;
  message: string;
  code?: ErrorCode;
  /** a failed load: what each backend did */
  backends?: BackendReport[];
  /** a failed load that left the previous model active (it still answers classify) */
  kept?: { model: LoadedModelInfo; backend: BackendName };
}

/** Worker → page: request `K`'s final answer. */
export type ReplyMessage<K extends RequestType = RequestType> = {
  [T in K]: { type: 'reply'; id: number } & ReplyOf<T>;
}[K];

/** Worker → page: an interim report of request `K`. */
export type ProgressMessage<K extends RequestType = RequestType> = {
  [T in K]: { type: 'progress'; id: number } & ProgressOf<T>;
}[K];

/** Worker → page: the request was cancelled before it finished. */
export interface CancelledMessage {
  type: 'cancelled';
  id: number;
}

/** Worker → page, unasked (id 0). */
export type WorkerEvent = BackendLostEvent | EngineChosenEvent | SettledEvent;

/** Everything the worker sends. */
export type WorkerResponse =
  ReplyMessage | ProgressMessage | ErrorMessage | CancelledMessage | WorkerEvent;

// Requests, progress and replies travel flat next to `type` and `id`, so none may use those
// names: this type does not compile if one does.
type Free<T> = [T] extends [never]
  ? true
  : Extract<keyof T, 'type' | 'id'> extends never
    ? true
    : false;
type Must<T extends true> = T;
/** A compile-time check (see above); no value has this type. */
export type EnvelopeIsFree = Must<
  {
    [K in RequestType]: [Free<RequestOf<K>>, Free<ReplyOf<K>>, Free<ProgressOf<K>>] extends [
      true,
      true,
      true,
    ]
      ? true
      : false;
  }[RequestType]
>;
