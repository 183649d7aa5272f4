/** Gathers files from a drop: plain files as they are, folders walked recursively. */

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|bmp|avif|heic|heif|ico|tiff?)$/i;

/** Whether a file found inside a dropped folder should be taken (images only, no hidden files). */
export function isImageLike(name: string, type: string): boolean {
  if (name.startsWith('.')) return false;
  return type.startsWith('image/') || IMAGE_NAME.test(name);
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next(); // readEntries returns at most 100 entries per call
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    if (isImageLike(file.name, file.type)) out.push(file);
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walk(child, out);
  }
}

/**
 * Files from a DataTransfer. Directly dropped files are all kept (a non-image gets its own error
 * card); from dropped folders only image files are taken.
 */
export async function filesFromDataTransfer(data: DataTransfer): Promise<File[]> {
  const out: File[] = [];
  const entries = Array.from(data.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => ({ item, entry: item.webkitGetAsEntry?.() ?? null }));
  if (entries.length === 0) return Array.from(data.files);
  for (const { item, entry } of entries) {
    if (entry?.isDirectory) await walk(entry, out);
    else {
      const file = item.getAsFile();
      if (file) out.push(file);
    }
  }
  return out;
}
