/**
 * A dataset `.zip` read lazily from the `File`: @zip.js/zip.js reads the central directory from
 * the end of the file, then one entry's bytes at a time (`Blob.slice`), so a ZIP of gigabytes
 * never sits in memory — unlike the model packages' reader (`transfer-package.ts`), which holds
 * the whole archive. The library is loaded only when a ZIP is opened.
 */
import type { LayoutEntry } from './layout';

/** A photo inside a ZIP (or a picked file): its bytes, read when asked for. */
export interface PhotoSource {
  read(): Promise<Blob>;
}

/** The entries of an open ZIP; `close` releases the reader. */
export interface OpenZip {
  entries: LayoutEntry<PhotoSource>[];
  /** entries that cannot be read (encrypted), with their paths */
  unreadable: { path: string; reason: string }[];
  close(): Promise<void>;
}

/** Opens a ZIP for lazy reading. Throws a message for the user when it is not a readable ZIP. */
export async function openZip(file: Blob): Promise<OpenZip> {
  const zip = await import('@zip.js/zip.js');
  // No web workers: decompression goes through the browser's DecompressionStream, entry by entry.
  zip.configure({ useWebWorkers: false });
  const reader = new zip.ZipReader(new zip.BlobReader(file));
  let list: Awaited<ReturnType<typeof reader.getEntries>>;
  try {
    list = await reader.getEntries();
  } catch (error) {
    await reader.close().catch(() => undefined);
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`This file could not be read as a ZIP (${why}).`);
  }
  const entries: LayoutEntry<PhotoSource>[] = [];
  const unreadable: OpenZip['unreadable'] = [];
  for (const entry of list) {
    if (entry.directory) continue;
    if (entry.encrypted) {
      unreadable.push({ path: entry.filename, reason: 'encrypted' });
      continue;
    }
    entries.push({
      path: entry.filename,
      source: { read: () => entry.getData(new zip.BlobWriter()) },
    });
  }
  return { entries, unreadable, close: () => reader.close() };
}

/** A picked or dropped file as a {@link PhotoSource}. */
export function fileSource(file: Blob): PhotoSource {
  return { read: () => Promise.resolve(file) };
}
