import jpeg from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withExifThumbnail } from '../../test/exif-jpeg';

/** The preprocess worker's previews, answered by each test. */
const asked: { file: Blob; side: number; settle: (blob: Blob | null | Error) => void }[] = [];
const cancelled: Blob[] = [];
/** While true a model input is being prepared: what waits for the inputs waits here. */
let preparing = false;
const afterInputs: (() => void)[] = [];
vi.mock('../../preprocess/preprocess-off-thread', () => ({
  afterModelInputs: (run: () => void) => {
    if (!preparing) run();
    else afterInputs.push(run);
  },
  previewOffThread: (file: Blob, side: number) => {
    let settle: (blob: Blob | null | Error) => void = () => undefined;
    const preview = new Promise<Blob | null>((resolve, reject) => {
      settle = (b) => (b instanceof Error ? reject(b) : resolve(b));
    });
    asked.push({ file, side, settle });
    return { preview, cancel: () => cancelled.push(file) };
  },
}));

const { MADE_PREVIEW_FROM_BYTES, attachPreviewSoon, previewUrlCount } =
  await import('./preview-url');

const large = (tag: string) => new Blob([new Uint8Array(MADE_PREVIEW_FROM_BYTES), tag]);
const img = () => ({ src: '', hidden: false, dataset: {} }) as unknown as HTMLImageElement;
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('previews of large photos, made in the worker', () => {
  let urls: Map<string, Blob>;
  beforeEach(() => {
    asked.length = 0;
    cancelled.length = 0;
    urls = new Map();
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      const url = `blob:made-${urls.size}`;
      urls.set(url, blob as Blob);
      return url;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => urls.delete(url));
  });
  afterEach(() => vi.restoreAllMocks());

  it('shows the made preview, not the file; one preview for every card of a file', async () => {
    const file = large('a');
    const [one, two] = [img(), img()];
    const releases = [attachPreviewSoon(one, file), attachPreviewSoon(two, file)];
    await turn();
    expect(asked).toHaveLength(1);
    expect(asked[0]?.side).toBe(320);
    expect(one.src).toBe(''); // nothing until it is made
    const preview = new Blob(['small']);
    asked[0]?.settle(preview);
    await turn();
    expect(one.src).toMatch(/^blob:made-/);
    expect(two.src).toBe(one.src);
    expect(urls.get(one.src)).toBe(preview);
    expect([...urls.values()]).not.toContain(file);
    // a card mounted later gets it at once
    const three = img();
    const late = attachPreviewSoon(three, file);
    await turn();
    expect(three.src).toBe(one.src);
    expect(asked).toHaveLength(1);
    for (const release of [...releases, late]) release();
    expect(urls.size).toBe(0); // revoked with the last card
    expect(previewUrlCount()).toBe(0);
  });

  it('a preview let go of before it is made is cancelled, and makes no URL when it comes', async () => {
    const file = large('b');
    const release = attachPreviewSoon(img(), file);
    await turn();
    expect(previewUrlCount()).toBe(1);
    release();
    expect(cancelled).toEqual([file]);
    expect(previewUrlCount()).toBe(0);
    asked[0]?.settle(new Blob(['late'])); // one already being made still comes
    await turn();
    expect(urls.size).toBe(0);
  });

  it('without a worker the file itself is shown; a file that is no image shows nothing', async () => {
    const file = large('c');
    const shown = img();
    const release = attachPreviewSoon(shown, file);
    await turn();
    asked[0]?.settle(null);
    await turn();
    expect(urls.get(shown.src)).toBe(file);
    release();
    expect(urls.size).toBe(0);

    const broken = img();
    const gone = attachPreviewSoon(broken, large('d'));
    await turn();
    asked[1]?.settle(new Error('not an image'));
    await turn();
    expect(broken.hidden).toBe(true);
    expect(broken.src).toBe('');
    gone();
    expect(previewUrlCount()).toBe(0);
  });

  it("a camera's embedded thumbnail is shown without asking the worker, with the photo's turn", async () => {
    const flat = (width: number, height: number) =>
      new Uint8Array(
        jpeg.encode({ data: Buffer.alloc(width * height * 4, 128), width, height }, 80).data,
      );
    const thumbnail = flat(32, 24);
    const photo = withExifThumbnail(flat(400, 300), thumbnail, { orientation: 6 });
    // padded past the threshold after the photo's end, as a large camera file would be
    const file = new Blob([photo, new Uint8Array(MADE_PREVIEW_FROM_BYTES)], { type: 'image/jpeg' });
    const shown = img();
    const release = attachPreviewSoon(shown, file);
    await turn();
    await turn();
    expect(asked).toHaveLength(0);
    const url = urls.get(shown.src);
    if (!url) throw new Error('no preview shown');
    expect(new Uint8Array(await url.arrayBuffer())).toEqual(thumbnail);
    expect(shown.dataset.orientation).toBe('6');
    release();
    expect(urls.size).toBe(0);
    expect(previewUrlCount()).toBe(0);
  });

  it('a small file is shown itself, with no preview asked for', async () => {
    const file = new Blob(['tiny']);
    const shown = img();
    const release = attachPreviewSoon(shown, file);
    await turn();
    expect(asked).toHaveLength(0);
    expect(urls.get(shown.src)).toBe(file);
    release();
    expect(urls.size).toBe(0);
  });

  it('waiting cards get their pictures only while no photo is being prepared for the model', async () => {
    preparing = true;
    const small = img();
    const big = img();
    const releases = [
      attachPreviewSoon(small, new Blob(['tiny'])),
      attachPreviewSoon(big, large('b')),
    ];
    await turn();
    expect(small.src).toBe(''); // the model's photos first
    expect(asked).toHaveLength(0);
    expect(urls.size).toBe(0);
    preparing = false;
    for (const run of afterInputs.splice(0)) run();
    await turn();
    expect(small.src).toMatch(/^blob:/);
    expect(asked).toHaveLength(1); // the large one's preview is asked for now
    for (const release of releases) release();
  });
});
