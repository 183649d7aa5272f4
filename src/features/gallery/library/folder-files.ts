/**
 * Photos from a folder: the folder picker (`webkitdirectory`) and the File System Access API's
 * directory handles. Paths are relative to the picked folder; any file or folder whose name starts
 * with "." is skipped (and not counted). Other files are all kept: a non-image gets an error card.
 */
import { naturalCompare } from '../../../lib/natural-order';

/** A file and its path relative to the folder it came from. */
export interface FolderFile {
  file: File;
  path: string;
}

/** Whether any part of a path is hidden (starts with "."). */
export function isHiddenPath(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.'));
}

/** Sorts by path, numbers in order (photo2 before photo10), in place. */
export function sortByPath(files: FolderFile[]): FolderFile[] {
  return files.sort((a, b) => naturalCompare(a.path, b.path));
}

/**
 * The files of a `webkitdirectory` pick: the folder's name and its files, paths without the
 * folder's own name, hidden ones left out.
 */
export function fromFolderPick(list: ArrayLike<File>): { folder: string; files: FolderFile[] } {
  let folder = '';
  const files: FolderFile[] = [];
  for (const file of Array.from(list)) {
    const full = file.webkitRelativePath || file.name;
    const slash = full.indexOf('/');
    if (slash > 0 && !folder) folder = full.slice(0, slash);
    const path = slash > 0 ? full.slice(slash + 1) : full;
    if (!isHiddenPath(path)) files.push({ file, path });
  }
  return { folder, files: sortByPath(files) };
}

/** A directory handle as far as walking it goes (the DOM types lack `values()` here). */
interface WalkableDirectory {
  name: string;
  values(): AsyncIterable<
    | { kind: 'file'; name: string; getFile(): Promise<File> }
    | (WalkableDirectory & { kind: 'directory' })
  >;
}

/** Every file under a directory handle, hidden ones left out, paths relative to it. */
export async function fromDirectoryHandle(
  handle: FileSystemDirectoryHandle,
  signal?: AbortSignal,
): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  async function walk(dir: WalkableDirectory, prefix: string): Promise<void> {
    for await (const entry of dir.values()) {
      if (signal?.aborted) return;
      if (entry.name.startsWith('.')) continue;
      if (entry.kind === 'file')
        out.push({ file: await entry.getFile(), path: prefix + entry.name });
      else await walk(entry, `${prefix}${entry.name}/`);
    }
  }
  await walk(handle as unknown as WalkableDirectory, '');
  return sortByPath(out);
}

/** The File System Access API's picker, where the browser has it. */
export function directoryPicker():
  ((options?: { id?: string; mode?: 'read' }) => Promise<FileSystemDirectoryHandle>) | null {
  const picker = (globalThis as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  return typeof picker === 'function'
    ? (picker as (o?: { id?: string; mode?: 'read' }) => Promise<FileSystemDirectoryHandle>).bind(
        globalThis,
      )
    : null;
}

/** Asks (once more, after a reload) for read access to a kept handle; true when granted. */
export async function regainAccess(handle: FileSystemDirectoryHandle): Promise<boolean> {
  const h = handle as unknown as {
    queryPermission?: (d: { mode: 'read' }) => Promise<PermissionState>;
    requestPermission?: (d: { mode: 'read' }) => Promise<PermissionState>;
  };
  if ((await h.queryPermission?.({ mode: 'read' })) === 'granted') return true;
  return (await h.requestPermission?.({ mode: 'read' })) === 'granted';
}
