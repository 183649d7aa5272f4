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
