/**
 * The preprocess worker: decodes, orients and resizes photos off the page's main thread (the same
 * `preprocessImage` code the page would run — createImageBitmap and OffscreenCanvas, or the
 * pure-JS PIL path of `?resize=keras` — so the pixels are the same bit for bit), and makes the
 * small previews that waiting cards show of large photos (`previewImage`).
 */
import { ImageInputError, preprocessImage, previewImage } from './preprocess-image';
import type { PreprocessReply, PreprocessRequest } from './preprocess-off-thread';

self.onmessage = async (event: MessageEvent<PreprocessRequest>) => {
  const request = event.data;
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
};
