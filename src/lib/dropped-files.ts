/**
 * The files of a drop, dropped folders walked recursively (File and Directory Entries API).
 * Browser-only, no React, no TensorFlow.js: shared by the features that accept drops.
 */

/** A dropped file and its path: folder-relative for files found in a folder, else its name. */
export interface DroppedFile {
  path: string;
  file: File;
}

export interface DroppedFilesOptions {
  /** Whether to keep a file found inside a dropped folder; directly dropped files are all kept. */
  keepInFolder?: (name: string, type: string) => boolean;
  /** Whether to walk a folder found inside a dropped folder (by its name); default: all. */
  walkFolder?: (name: string) => boolean;
  /** Walk each folder's children in name order instead of the order the browser lists them. */
  sort?: boolean;
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next(); // one call gives at most 100 entries; an empty batch means done
        }
      }, reject);
    next();
  });
}

async function walk(
  entry: FileSystemEntry,
  out: DroppedFile[],
  options: DroppedFilesOptions,
): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    if (options.keepInFolder && !options.keepInFolder(file.name, file.type)) return;
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    if (options.sort) children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      if (child.isDirectory && options.walkFolder && !options.walkFolder(child.name)) continue;
      await walk(child, out, options);
    }
  }
}

/**
 * Files of a drop in drop order: plain files as they are, folders walked. Without items (older
 * browsers, synthetic events) the plain `data.files` are returned.
 */
export async function droppedFiles(
  data: DataTransfer,
  options: DroppedFilesOptions = {},
): Promise<DroppedFile[]> {
  // Items go dead once the drop handler returns: take every entry and file before awaiting.
  const taken = Array.from(data.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  if (taken.length === 0) {
    return Array.from(data.files ?? []).map((file) => ({ path: file.name, file }));
  }
  const out: DroppedFile[] = [];
  for (const { entry, file } of taken) {
    if (entry?.isDirectory) await walk(entry, out, options);
    else if (file) out.push({ path: file.name, file });
  }
  return out;
}
