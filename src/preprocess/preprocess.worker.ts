/**
 * The preprocess worker: decodes, orients and resizes photos off the page's main thread (the same
 * `preprocessImage` code the page would run — createImageBitmap and OffscreenCanvas, or the
 * pure-JS PIL path of `?resize=keras` — so the pixels are the same bit for bit), and makes the
 * small previews that waiting cards show of large photos (`previewImage`).
 */
import { ImageInputError, preprocessImage, previewImage } from './preprocess-image';
import type { PreprocessReply, PreprocessRequest } from './preprocess-off-thread';

/** The request being handled: the next waits for it (see {@link handle}). */
let turn: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<PreprocessRequest>) => {
  // a request that failed even to answer must not stop the ones after it
  turn = turn.then(() => handle(event.data)).catch(() => undefined);
};

/**
 * One request, start to end, before the next begins: two photos asked for at once (the first two
 * of a drop) decoded side by side each took as long as both, so the first photo's input — what
 * the model waits for — came no sooner than the second's.
 */
async function handle(request: PreprocessRequest): Promise<void> {
  const { id, file } = request;
  const post = (reply: PreprocessReply, transfer: Transferable[] = []): void =>
    (self as unknown as Worker).postMessage(reply, transfer);
  try {
    if ('preview' in request) {
      post({ id, preview: await previewImage(file, request.preview) });
      return;
    }
    const image = await preprocessImage(file, request.options);
    post({ id, image }, [image.pixels]);
  } catch (error) {
    post({
      id,
      error: {
        message: error instanceof Error ? error.message : String(error),
        input: error instanceof ImageInputError,
      },
    });
  }
}
