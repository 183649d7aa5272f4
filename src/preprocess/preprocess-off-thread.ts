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

/** Page → preprocess worker. */
export interface PreprocessRequest {
  id: number;
  file: Blob;
  options: PreprocessOptions;
}

/** Preprocess worker → page. */
export type PreprocessReply =
  | { id: number; image: PreprocessedImage }
  | { id: number; error: { message: string; input: boolean } };

/** How long an idle worker is kept (ms). */
const IDLE_MS = 20_000;

interface Pending {
  file: Blob;
  options: PreprocessOptions;
  resolve: (image: PreprocessedImage) => void;
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

/** The worker failed as a whole: finish what it had on the page, and stay on the page. */
function fallBack(): void {
  broken = true;
  worker?.terminate();
  worker = null;
  const left = [...pending.values()];
  pending.clear();
  for (const p of left) preprocessImage(p.file, p.options).then(p.resolve, p.reject);
}

function start(): Worker {
  const w = new Worker(new URL('./preprocess.worker.ts', import.meta.url), {
    type: 'module',
    name: 'preprocess',
  });
  w.onmessage = (event: MessageEvent<PreprocessReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('image' in reply) p.resolve(reply.image);
    else if (reply.error.input) p.reject(new ImageInputError(reply.error.message));
    else p.reject(new Error(reply.error.message));
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
    if (pending.size === 0 && worker) {
      worker.terminate();
      worker = null;
    }
  }, IDLE_MS);
}

/** Decodes, orients and resizes one file off the main thread; same result as `preprocessImage`. */
export function preprocessOffThread(
  file: Blob,
  options: PreprocessOptions,
): Promise<PreprocessedImage> {
  if (!canUseWorker()) return preprocessImage(file, options);
  worker ??= start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { file, options, resolve, reject });
    if (idleTimer) clearTimeout(idleTimer);
    (worker as Worker).postMessage({ id, file, options } satisfies PreprocessRequest);
  });
}

/** Stops the worker now (tests, page teardown); pending photos finish on the page. */
export function stopPreprocessWorker(): void {
  if (idleTimer) clearTimeout(idleTimer);
  const w = worker;
  worker = null;
  w?.terminate();
  const left = [...pending.values()];
  pending.clear();
  for (const p of left) preprocessImage(p.file, p.options).then(p.resolve, p.reject);
}
