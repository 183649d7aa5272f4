import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { tinyPreprocessedImage } from '../test/preprocessed-image';
import type { PreprocessReply, PreprocessRequest } from './preprocess-off-thread';

/** A stand-in Worker: each test decides what it answers. */
class FakeWorker {
  static answer: (request: PreprocessRequest, worker: FakeWorker) => void = () => {};
  static started = 0;
  static terminated = 0;
  onmessage: ((e: MessageEvent<PreprocessReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor() {
    FakeWorker.started++;
  }
  postMessage(request: PreprocessRequest): void {
    queueMicrotask(() => FakeWorker.answer(request, this));
  }
  reply(reply: PreprocessReply): void {
    this.onmessage?.({ data: reply } as MessageEvent<PreprocessReply>);
  }
  terminate(): void {
    FakeWorker.terminated++;
  }
}

const image = tinyPreprocessedImage;

describe('preprocessing off the main thread', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('OffscreenCanvas', class {});
    FakeWorker.started = 0;
    FakeWorker.terminated = 0;
  });
  afterEach(() => vi.unstubAllGlobals());

  test('the worker’s image comes back; one worker serves every photo', async () => {
    const { preprocessOffThread, stopPreprocessWorker } = await import('./preprocess-off-thread');
    FakeWorker.answer = (request, w) => w.reply({ id: request.id, image: image() });
    const [a, b] = await Promise.all([
      preprocessOffThread(new Blob(['x']), { size: 299, mode: 'squash' }),
      preprocessOffThread(new Blob(['y']), { size: 299, mode: 'keras' }),
    ]);
    expect(a.width).toBe(1);
    expect(b.pixels.byteLength).toBe(4);
    expect(FakeWorker.started).toBe(1);
    stopPreprocessWorker();
    expect(FakeWorker.terminated).toBe(1);
  });

  test('a bad photo is an ImageInputError on the page too, with the worker’s message', async () => {
    const { preprocessOffThread, stopPreprocessWorker } = await import('./preprocess-off-thread');
    // (the module registry was reset: take the class the fresh module throws)
    const { ImageInputError } = await import('./preprocess-image');
    FakeWorker.answer = (request, w) =>
      w.reply({ id: request.id, error: { message: 'not an image', input: true } });
    const error = await preprocessOffThread(new Blob(['x']), { size: 299, mode: 'squash' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as Error).message).toBe('not an image');
    stopPreprocessWorker();
  });

  test('a worker that cannot start hands its photos back to the page', async () => {
    const { preprocessOffThread } = await import('./preprocess-off-thread');
    const { ImageInputError } = await import('./preprocess-image');
    FakeWorker.answer = (_request, w) => w.onerror?.({ preventDefault: () => {} } as ErrorEvent);
    // On the page (Node here) an empty file is refused by the same checks, before any decoding.
    const error = await preprocessOffThread(new Blob([]), { size: 299, mode: 'squash' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as Error).message).toMatch(/empty file/);
    // …and later photos go straight to the page: no second worker.
    await preprocessOffThread(new Blob([]), { size: 299, mode: 'squash' }).catch(() => undefined);
    expect(FakeWorker.started).toBe(1);
  });

  test('a photo preprocessed ahead is given once to the call with its options; others ask anew', async () => {
    const { preprocessAhead, preprocessOffThread, stopPreprocessWorker } =
      await import('./preprocess-off-thread');
    const asked: PreprocessRequest[] = [];
    FakeWorker.answer = (request, w) => {
      asked.push(request);
      w.reply({ id: request.id, image: { ...image(), width: asked.length } });
    };
    const file = new Blob(['x']);
    preprocessAhead(file, { size: 299, mode: 'squash' });
    preprocessAhead(file, { size: 299, mode: 'squash' }); // already under way: no second ask
    expect(asked).toHaveLength(0); // (answers come in a microtask)
    const first = await preprocessOffThread(file, { size: 299, mode: 'squash' });
    expect(asked).toHaveLength(1);
    expect(first.width).toBe(1); // the ahead result
    // given out once: the same photo again is preprocessed again
    expect((await preprocessOffThread(file, { size: 299, mode: 'squash' })).width).toBe(2);
    // made for other options: not used, and dropped
    preprocessAhead(file, { size: 224, mode: 'squash' });
    expect((await preprocessOffThread(file, { size: 299, mode: 'squash' })).width).toBe(4);
    expect(asked.map((r) => ('options' in r ? r.options.size : null))).toEqual([
      299, 299, 224, 299,
    ]);
    stopPreprocessWorker();
  });

  test('at most two photos are kept ahead: the oldest is dropped', async () => {
    const { preprocessAhead, preprocessOffThread, stopPreprocessWorker } =
      await import('./preprocess-off-thread');
    let asked = 0;
    FakeWorker.answer = (request, w) => {
      asked++;
      w.reply({ id: request.id, image: image() });
    };
    const files = [new Blob(['a']), new Blob(['b']), new Blob(['c'])];
    for (const f of files) preprocessAhead(f, { size: 299, mode: 'squash' });
    await preprocessOffThread(files[1]!, { size: 299, mode: 'squash' });
    await preprocessOffThread(files[2]!, { size: 299, mode: 'squash' });
    expect(asked).toBe(3);
    await preprocessOffThread(files[0]!, { size: 299, mode: 'squash' }); // dropped: asked again
    expect(asked).toBe(4);
    stopPreprocessWorker();
  });

  test('a bad photo found ahead fails its later call, and only that', async () => {
    const { preprocessAhead, preprocessOffThread, stopPreprocessWorker } =
      await import('./preprocess-off-thread');
    const { ImageInputError } = await import('./preprocess-image');
    FakeWorker.answer = (request, w) =>
      w.reply({ id: request.id, error: { message: 'not an image', input: true } });
    const file = new Blob(['x']);
    preprocessAhead(file, { size: 299, mode: 'squash' });
    await new Promise((resolve) => setTimeout(resolve, 0)); // failed already, unhandled by nobody
    const error = await preprocessOffThread(file, { size: 299, mode: 'squash' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageInputError);
    stopPreprocessWorker();
  });

  test('previews go to the worker one at a time, only while no photo is being prepared', async () => {
    const { preprocessOffThread, previewOffThread, stopPreprocessWorker } =
      await import('./preprocess-off-thread');
    const sent: string[] = [];
    const held: (() => void)[] = [];
    // every request is answered only when the test lets it go
    FakeWorker.answer = (request, w) => {
      sent.push('preview' in request ? `preview ${request.preview}` : 'photo');
      held.push(() =>
        w.reply(
          'preview' in request
            ? { id: request.id, preview: new Blob([String(request.preview)]) }
            : { id: request.id, image: image() },
        ),
      );
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const photo = preprocessOffThread(new Blob(['p']), { size: 299, mode: 'squash' });
    const a = previewOffThread(new Blob(['a']), 320);
    const b = previewOffThread(new Blob(['b']), 321);
    await tick();
    expect(sent).toEqual(['photo']); // the photo first; the previews wait on the page
    held.shift()?.();
    await photo;
    await tick();
    expect(sent).toEqual(['photo', 'preview 320']); // then one preview …
    held.shift()?.();
    expect(await (await a.preview)?.text()).toBe('320');
    await tick();
    expect(sent).toEqual(['photo', 'preview 320', 'preview 321']); // … and the next
    // a photo asked for while a preview is made goes at once; the next preview waits for it
    const c = previewOffThread(new Blob(['c']), 322);
    const again = preprocessOffThread(new Blob(['q']), { size: 299, mode: 'squash' });
    await tick();
    expect(sent).toEqual(['photo', 'preview 320', 'preview 321', 'photo']);
    held.shift()?.(); // preview 321
    await b.preview;
    await tick();
    expect(sent).toHaveLength(4); // the photo is still being prepared
    held.shift()?.(); // the photo
    await again;
    await tick();
    expect(sent.at(-1)).toBe('preview 322');
    held.shift()?.();
    expect(await (await c.preview)?.text()).toBe('322');
    stopPreprocessWorker();
  });

  test('what waits for the model inputs runs once none is being prepared', async () => {
    const { afterModelInputs, preprocessOffThread, stopPreprocessWorker } =
      await import('./preprocess-off-thread');
    const held: (() => void)[] = [];
    FakeWorker.answer = (request, w) =>
      held.push(() => w.reply({ id: request.id, image: image() }));
    const ran: string[] = [];
    afterModelInputs(() => ran.push('idle')); // nothing asked: at once
    expect(ran).toEqual(['idle']);
    const one = preprocessOffThread(new Blob(['1']), { size: 299, mode: 'squash' });
    const two = preprocessOffThread(new Blob(['2']), { size: 299, mode: 'squash' });
    afterModelInputs(() => ran.push('a'));
    afterModelInputs(() => ran.push('b'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    held.shift()?.();
    await one;
    expect(ran).toEqual(['idle']); // the second photo is still being prepared
    held.shift()?.();
    await two;
    expect(ran).toEqual(['idle', 'a', 'b']);
    // a worker that fails lets them go too (its photos go on on the page)
    const three = preprocessOffThread(new Blob([]), { size: 299, mode: 'squash' });
    afterModelInputs(() => ran.push('c'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    stopPreprocessWorker();
    expect(ran.at(-1)).toBe('c');
    await three.catch(() => undefined);
  });

  test('a cancelled preview is never asked for; stopping gives the rest none', async () => {
    const { previewOffThread, stopPreprocessWorker } = await import('./preprocess-off-thread');
    const sent: number[] = [];
    FakeWorker.answer = (request) => {
      if ('preview' in request) sent.push(request.preview); // never answered
    };
    const first = previewOffThread(new Blob(['a']), 1);
    const second = previewOffThread(new Blob(['b']), 2);
    const third = previewOffThread(new Blob(['c']), 3);
    second.cancel();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toEqual([1]);
    stopPreprocessWorker();
    expect(await first.preview).toBeNull();
    expect(await third.preview).toBeNull();
    expect(sent).toEqual([1]);
  });

  test('a preview of a file that is no image fails as its photo would', async () => {
    const { previewOffThread, stopPreprocessWorker } = await import('./preprocess-off-thread');
    const { ImageInputError } = await import('./preprocess-image');
    FakeWorker.answer = (request, w) =>
      w.reply({ id: request.id, error: { message: 'not an image', input: true } });
    const error = await previewOffThread(new Blob(['x']), 320).preview.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInputError);
    stopPreprocessWorker();
  });

  test('without a worker there is no preview: the page shows the file', async () => {
    vi.stubGlobal('Worker', undefined);
    const { previewOffThread } = await import('./preprocess-off-thread');
    expect(await previewOffThread(new Blob(['x']), 320).preview).toBeNull();
  });
});
