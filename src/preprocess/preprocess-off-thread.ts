/**
 * `preprocessImage` in a worker of its own, so decoding and resizing never block the page (a
 * 12-megapixel JPEG, or the pure-JS decoder of `?resize=keras`, takes tens to hundreds of
 * milliseconds). The pixels come back transferred, not copied. Where module workers or
 * OffscreenCanvas are missing, or the worker cannot start, it runs on the page as before.
 * The worker stops after a while without work and starts again on the next photo.
 */
import {
  ImageInputError,
  preprocessImage,
  type PreprocessedImage,
  type PreprocessOptions,
} from './preprocess-image';

/** Page → preprocess worker: a model input (with its thumbnail), or a waiting card's preview. */
export type PreprocessRequest =
  | { id: number; file: Blob; options: PreprocessOptions }
  | { id: number; file: Blob; preview: number };

/** Preprocess worker → page. */
export type PreprocessReply =
  | { id: number; image: PreprocessedImage }
  | { id: number; preview: Blob }
  | { id: number; error: { message: string; input: boolean } };

/** How long an idle worker is kept (ms). */
const IDLE_MS = 20_000;

interface Pending {
  file: Blob;
  options: PreprocessOptions;
  resolve: (image: PreprocessedImage) => void;
  reject: (error: unknown) => void;
}

/** A waiting card's preview, asked for with {@link previewOffThread}. */
interface PreviewJob {
  file: Blob;
  side: number;
  resolve: (preview: Blob | null) => void;
  reject: (error: unknown) => void;
}

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const pending = new Map<number, Pending>();
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function canUseWorker(): boolean {
  return !broken && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined';
}

/** Previews not sent yet, in the order asked; one at a time goes to the worker. */
const previews: PreviewJob[] = [];
/** The preview the worker is making, by request id. */
let previewing: { id: number; job: PreviewJob } | null = null;

/** Waiting until no model input is being prepared ({@link afterModelInputs}). */
const afterInputs: (() => void)[] = [];

/** Runs what waited for the model inputs, once none is being prepared. */
function inputsDone(): void {
  if (pending.size > 0) return;
  for (const run of afterInputs.splice(0)) run();
}

/**
 * Runs `run` once no model input is being prepared in the worker: at once where none is (or
 * there is no worker), else when the last one comes back. Waiting cards' pictures wait with it,
 * so what a photo being prepared for the model needs of the two cores comes first.
 */
export function afterModelInputs(run: () => void): void {
  if (pending.size === 0) run();
  else afterInputs.push(run);
}

/** Previews wait on the page: they go to the worker while nothing else is asked of it. */
function nextPreview(): void {
  if (previewing || pending.size > 0 || !worker) return;
  const job = previews.shift();
  if (!job) return;
  const id = nextId++;
  previewing = { id, job };
  if (idleTimer) clearTimeout(idleTimer);
  worker.postMessage({ id, file: job.file, preview: job.side } satisfies PreprocessRequest);
}

/** Previews asked for and not made: none (the page shows the files themselves instead). */
function dropPreviews(): void {
  const left = [...previews, ...(previewing ? [previewing.job] : [])];
  previews.length = 0;
  previewing = null;
  for (const job of left) job.resolve(null);
}

/** The worker failed as a whole: finish what it had on the page, and stay on the page. */
function fallBack(): void {
  broken = true;
  worker?.terminate();
  worker = null;
  const left = [...pending.values()];
  pending.clear();
  for (const p of left) preprocessImage(p.file, p.options).then(p.resolve, p.reject);
  dropPreviews();
  inputsDone();
}

function start(): Worker {
  const w = new Worker(new URL('./preprocess.worker.ts', import.meta.url), {
    type: 'module',
    name: 'preprocess',
  });
  w.onmessage = (event: MessageEvent<PreprocessReply>) => {
    const reply = event.data;
    const error =
      'error' in reply
        ? reply.error.input
          ? new ImageInputError(reply.error.message)
          : new Error(reply.error.message)
        : null;
    if (previewing?.id === reply.id) {
      const { job } = previewing;
      previewing = null;
      if ('preview' in reply) job.resolve(reply.preview);
      else job.reject(error);
    } else {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('image' in reply) p.resolve(reply.image);
      else p.reject(error);
    }
    inputsDone();
    nextPreview();
    scheduleIdle();
  };
  w.onerror = (event) => {
    event.preventDefault();
    fallBack();
  };
  return w;
}

function scheduleIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (pending.size === 0 && !previewing && previews.length === 0 && worker) {
      worker.terminate();
      worker = null;
    }
  }, IDLE_MS);
}

/**
 * Photos preprocessed before they are asked for ({@link preprocessAhead}): by file, with the
 * options they were made for. At most {@link AHEAD_MAX}; the oldest is dropped beyond that.
 */
const ahead = new Map<Blob, { key: string; image: Promise<PreprocessedImage> }>();
/** Two model inputs of 299² RGBA and their thumbnails: well under 1 MB. */
const AHEAD_MAX = 2;
const keyOf = (o: PreprocessOptions): string => `${o.size}|${o.mode}|${o.thumbnailSize ?? ''}`;

/**
 * Starts preprocessing `file` now, before anything can run it (the first photos dropped while the
 * model still loads), so that the {@link preprocessOffThread} call for it with the same options
 * gets the result, or the promise, at once. Each result is given out once; other options make
 * their own.
 */
export function preprocessAhead(file: Blob, options: PreprocessOptions): void {
  const key = keyOf(options);
  if (ahead.get(file)?.key === key) return;
  const image = preprocessNow(file, options);
  image.catch(() => undefined); // its caller, if it comes, sees the failure
  ahead.delete(file);
  ahead.set(file, { key, image });
  for (const old of ahead.keys()) {
    if (ahead.size <= AHEAD_MAX) break;
    ahead.delete(old);
  }
}

/** Decodes, orients and resizes one file off the main thread; same result as `preprocessImage`. */
export function preprocessOffThread(
  file: Blob,
  options: PreprocessOptions,
): Promise<PreprocessedImage> {
  const early = ahead.get(file);
  if (early) {
    ahead.delete(file);
    if (early.key === keyOf(options)) return early.image;
  }
  return preprocessNow(file, options);
}

function preprocessNow(file: Blob, options: PreprocessOptions): Promise<PreprocessedImage> {
  if (!canUseWorker()) return preprocessImage(file, options);
  worker ??= start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { file, options, resolve, reject });
    if (idleTimer) clearTimeout(idleTimer);
    (worker as Worker).postMessage({ id, file, options } satisfies PreprocessRequest);
  });
}

/**
 * A small JPEG preview of `file` (longest side `side` pixels), made in the worker while it has
 * nothing else to do: a photo's model input always goes first, and a preview at most waits for
 * the one being made. The promise gives null where there is no worker (show the file itself), and
 * fails as preprocessing would for a file that is no usable image. `cancel` drops a preview not
 * started yet (its promise then never settles; one being made still comes).
 */
export function previewOffThread(
  file: Blob,
  side: number,
): { preview: Promise<Blob | null>; cancel: () => void } {
  if (!canUseWorker()) return { preview: Promise.resolve(null), cancel: () => undefined };
  worker ??= start();
  let resolve: PreviewJob['resolve'] = () => undefined;
  let reject: PreviewJob['reject'] = () => undefined;
  const preview = new Promise<Blob | null>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  const job: PreviewJob = { file, side, resolve, reject };
  previews.push(job);
  nextPreview();
  return {
    preview,
    cancel: () => {
      const at = previews.indexOf(job);
      if (at >= 0) previews.splice(at, 1);
    },
  };
}

/** Stops the worker now (tests, page teardown); pending photos finish on the page. */
export function stopPreprocessWorker(): void {
  ahead.clear();
  dropPreviews();
  if (idleTimer) clearTimeout(idleTimer);
  const w = worker;
  worker = null;
  w?.terminate();
  const left = [...pending.values()];
  pending.clear();
  for (const p of left) preprocessImage(p.file, p.options).then(p.resolve, p.reject);
  inputsDone();
}
