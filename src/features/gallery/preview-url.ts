/**
 * Object URLs of the files cards show while they wait (the full-size photo, before its thumbnail
 * exists): one URL per file however often its card re-renders or re-mounts, revoked when the last
 * card showing it lets go. Making a new URL on each render had the page call createObjectURL and
 * the browser fetch and decode the full-size photo again, several times per result in a batch.
 */

const shown = new Map<Blob, { url: string; users: number }>();

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

/** How many files have a URL now (tests, leak checks). */
export function previewUrlCount(): number {
  return shown.size;
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
  setTimeout(attachSome, 0);
}

/**
 * Gives `img` the preview URL of `file` soon after, not in the render that put it on the page:
 * making a URL for a picked file is a synchronous trip to the browser process, and a screenful
 * of waiting cards mounting at once (a folder's first cards, a scrolled virtual row) made that
 * render's task long. The URLs are made a few milliseconds' worth per task, in the order asked.
 * Returns the release: it cancels a URL not yet made, or lets go of the one made.
 */
export function attachPreviewSoon(img: HTMLImageElement, file: Blob): () => void {
  let attached = false;
  const job = () => {
    attached = true;
    img.src = acquirePreviewUrl(file);
  };
  waiting.add(job);
  post();
  return () => {
    waiting.delete(job);
    if (attached) releasePreviewUrl(file);
  };
}
