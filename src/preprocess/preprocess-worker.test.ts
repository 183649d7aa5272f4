import { afterEach, describe, expect, test, vi } from 'vitest';
import type { PreprocessedImage } from './preprocess-image';
import type { PreprocessReply, PreprocessRequest } from './preprocess-off-thread';

/** Each preprocessImage call, held until the test lets it finish. */
const calls: { name: string; finish: () => void }[] = [];

vi.mock('./preprocess-image', async () => {
  const { tinyPreprocessedImage } = await import('../test/preprocessed-image');
  return {
    ImageInputError: class extends Error {},
    previewImage: vi.fn(),
    preprocessImage: (file: File) =>
      new Promise<PreprocessedImage>((resolve) =>
        calls.push({ name: file.name, finish: () => resolve(tinyPreprocessedImage()) }),
      ),
  };
});

describe('the preprocess worker', () => {
  afterEach(() => vi.unstubAllGlobals());

  test('prepares one photo at a time, in the order asked', async () => {
    const posted: PreprocessReply[] = [];
    const scope: { onmessage?: (e: MessageEvent<PreprocessRequest>) => void } & {
      postMessage: (reply: PreprocessReply) => void;
    } = { postMessage: (reply) => posted.push(reply) };
    vi.stubGlobal('self', scope);
    await import('./preprocess.worker');
    const ask = (id: number, name: string) =>
      scope.onmessage?.({
        data: { id, file: new File(['x'], name), options: { size: 299, mode: 'squash' } },
      } as unknown as MessageEvent<PreprocessRequest>);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    ask(1, 'first.jpg');
    ask(2, 'second.jpg');
    await settle();
    // the second waits while the first is decoded (side by side, both took as long as both)
    expect(calls.map((c) => c.name)).toEqual(['first.jpg']);
    calls[0]?.finish();
    await settle();
    expect(posted.map((r) => r.id)).toEqual([1]);
    expect(calls.map((c) => c.name)).toEqual(['first.jpg', 'second.jpg']);
    calls[1]?.finish();
    await settle();
    expect(posted.map((r) => r.id)).toEqual([1, 2]);
  });

  test('a request that could not even be answered does not stop the next', async () => {
    calls.length = 0;
    const posted: number[] = [];
    let refuse = 2; // the first request's answer, then its error report
    const scope: { onmessage?: (e: MessageEvent<PreprocessRequest>) => void } & {
      postMessage: (reply: PreprocessReply) => void;
    } = {
      postMessage: (reply) => {
        if (refuse > 0) {
          refuse -= 1;
          throw new Error('could not be cloned');
        }
        posted.push(reply.id);
      },
    };
    vi.stubGlobal('self', scope);
    vi.resetModules();
    await import('./preprocess.worker');
    const ask = (id: number) =>
      scope.onmessage?.({
        data: { id, file: new File(['x'], `${id}.jpg`), options: { size: 299, mode: 'squash' } },
      } as unknown as MessageEvent<PreprocessRequest>);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    ask(1);
    ask(2);
    await settle();
    calls[0]?.finish(); // its answer and its error report both fail to go
    await settle();
    calls[1]?.finish();
    await settle();
    expect(posted).toEqual([2]);
  });
});
