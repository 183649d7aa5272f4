/**
 * What cards show while their photo waits (before its thumbnail exists). A small file is shown
 * itself: one object URL per file however often its card re-renders or re-mounts, revoked when the
 * last card showing it lets go (a new URL on each render had the browser fetch and decode the
 * photo again, several times per result in a batch). A large one (a camera's 12 megapixels) is
 * shown through a small preview — the thumbnail the camera embedded in it, or one the preprocess
 * worker makes while it has nothing else to do (`previewOffThread`): the page's own decode of
 * each full-size photo, beside inference, cost more CPU than its model input (16 waiting
 * 12-megapixel photos here: 289 ms a photo with their files shown, 237 ms with none).
 */
import { EXIF_THUMBNAIL_HEAD_BYTES, exifThumbnail } from '../../preprocess/exif-thumbnail';
import { afterModelInputs, previewOffThread } from '../../preprocess/preprocess-off-thread';
import { thumbnailSide } from '../../preprocess/preprocess-image';

const shown = new Map<Blob, { url: string; users: number }>();

/**
 * Files of at least this many bytes are shown through a preview made in the worker: a camera's
 * JPEG holds about 0.25–0.5 bytes a pixel, so from roughly 1–2 megapixels, where the page's own
 * decode starts to cost more than the worker's scaled one and a small JPEG's encoding.
 */
export const MADE_PREVIEW_FROM_BYTES = 500_000;
/** The longest side of a made preview, in pixels: a card's thumbnail's. */
const MADE_PREVIEW_SIDE = thumbnailSide({});

/** A made preview and the images showing it. */
interface Made {
  /** its object URL once made (or the file's own, where no worker could make it) */
  url: string | null;
  /** `url` is the file's own, from {@link acquirePreviewUrl} */
  own: boolean;
  /** the photo's EXIF orientation where `url` is its embedded thumbnail, stored unturned */
  orientation: number;
  failed: boolean;
  imgs: Set<HTMLImageElement>;
  /** drops the worker's preview while it is not started */
  cancel: () => void;
}
const madeByAny = new Map<Blob, Made>();
/** The same for the virtual grid's cards, which show a camera's embedded thumbnail or nothing. */
const embeddedMade = new Map<Blob, Made>();

/** Shows the made preview on `img` (the stylesheet turns an embedded thumbnail upright). */
function show(img: HTMLImageElement, e: Made): void {
  if (e.failed) img.hidden = true;
  if (!e.url) return;
  if (e.orientation !== 1) img.dataset.orientation = String(e.orientation);
  img.src = e.url;
}

/** The JPEG a camera embedded in `file`'s EXIF block, if it has one of the photo's shape. */
async function embeddedThumbnail(file: Blob): Promise<{ blob: Blob; orientation: number } | null> {
  const head = new Uint8Array(await file.slice(0, EXIF_THUMBNAIL_HEAD_BYTES).arrayBuffer());
  const found = exifThumbnail(head);
  return found
    ? { blob: file.slice(found.start, found.end, 'image/jpeg'), orientation: found.orientation }
    : null;
}

/**
 * Shows `file` on `img` through a small preview: the thumbnail a camera embedded in the file
 * where it has one of the photo's shape (a slice of the file: nothing decoded but a 160 × 120
 * JPEG), else one the worker makes — or, with `byWorker` false, none. Returns the release.
 */
function attachMadePreview(img: HTMLImageElement, file: Blob, byWorker = true): () => void {
  const made = byWorker ? madeByAny : embeddedMade;
  let entry = made.get(file);
  if (!entry) {
    const e: Made = {
      url: null,
      own: false,
      orientation: 1,
      failed: false,
      imgs: new Set(),
      cancel: () => undefined,
    };
    made.set(file, e);
    entry = e;
    const shown = () => {
      for (const user of e.imgs) show(user, e);
    };
    void embeddedThumbnail(file)
      .catch(() => null)
      .then((embedded) => {
        if (made.get(file) !== e) return; // every card let go of it meanwhile
        if (embedded) {
          e.url = URL.createObjectURL(embedded.blob);
          e.orientation = embedded.orientation;
          shown();
          return;
        }
        if (!byWorker) return; // the card keeps its placeholder
        const { preview, cancel } = previewOffThread(file, MADE_PREVIEW_SIDE);
        e.cancel = cancel;
        preview.then(
          (blob) => {
            if (made.get(file) !== e) return;
            e.own = blob === null;
            e.url = blob === null ? acquirePreviewUrl(file) : URL.createObjectURL(blob);
            shown();
          },
          () => {
            // no usable image: the card shows nothing here, and its photo's error follows
            e.failed = true;
            shown();
          },
        );
      });
  }
  const e = entry;
  e.imgs.add(img);
  show(img, e);
  return () => {
    e.imgs.delete(img);
    if (e.imgs.size > 0 || made.get(file) !== e) return;
    made.delete(file);
    if (e.url === null) e.cancel();
    else if (e.own) releasePreviewUrl(file);
    else URL.revokeObjectURL(e.url);
  };
}

/** The object URL of `file`, made on the first call; pair each call with {@link releasePreviewUrl}. */
export function acquirePreviewUrl(file: Blob): string {
  const entry = shown.get(file);
  if (entry) {
    entry.users += 1;
    return entry.url;
  }
  const url = URL.createObjectURL(file);
  shown.set(file, { url, users: 1 });
  return url;
}

/** One user of `file`'s URL is done; the last one revokes it. */
export function releasePreviewUrl(file: Blob): void {
  const entry = shown.get(file);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shown.delete(file);
  URL.revokeObjectURL(entry.url);
}

/**
 * How many files have a preview now, or one being made or looked for (tests, leak checks): each
 * holds an object URL, or may, until its last card lets go.
 */
export function previewUrlCount(): number {
  let madeOnly = embeddedMade.size;
  for (const e of madeByAny.values()) if (!e.own) madeOnly += 1;
  return shown.size + madeOnly;
}

/** How long one task may spend giving previews their URLs before it lets the page go on. */
export const PREVIEW_BUDGET_MS = 4;

const waiting = new Set<() => void>();
let posted = false;

function attachSome(): void {
  posted = false;
  const end = performance.now() + PREVIEW_BUDGET_MS;
  for (const job of waiting) {
    waiting.delete(job);
    job();
    if (performance.now() >= end) break;
  }
  if (waiting.size > 0) post();
}

function post(): void {
  if (posted) return;
  posted = true;
  afterModelInputs(() => setTimeout(attachSome, 0));
}

/**
 * Gives `img` a preview of `file` soon after, not in the render that put it on the page: making a
 * URL for a picked file (or reading its size) is a synchronous trip to the browser process, and a
 * screenful of waiting cards mounting at once (a folder's first cards, a scrolled virtual row)
 * made that render's task long. They are attached a few milliseconds' worth per task, in the
 * order asked: the file itself, or from {@link MADE_PREVIEW_FROM_BYTES} bytes a preview the worker
 * makes. And only while no photo is being prepared for the model (`afterModelInputs`): a drop's
 * previews, decoded beside its first photos' inputs, held them back (with the cards' near-view
 * wait in image-card.tsx, 3 interleaved rounds of 16 photos dropped at once: the first photo's
 * input ready 206–279 → 73–127 ms after the drop, its answer 528–675 → 442–592 ms). With
 * `embeddedOnly` (the virtual grid of a large library) only a large file's embedded thumbnail is
 * shown, and nothing else. Returns the release: it cancels a preview not yet attached, or lets
 * go of it.
 */
export function attachPreviewSoon(
  img: HTMLImageElement,
  file: Blob,
  { embeddedOnly = false }: { embeddedOnly?: boolean } = {},
): () => void {
  let release: (() => void) | null = null;
  const job = () => {
    if (file.size >= MADE_PREVIEW_FROM_BYTES) {
      release = attachMadePreview(img, file, !embeddedOnly);
      return;
    }
    if (embeddedOnly) return;
    img.src = acquirePreviewUrl(file);
    release = () => releasePreviewUrl(file);
  };
  waiting.add(job);
  post();
  return () => {
    waiting.delete(job);
    release?.();
  };
}
