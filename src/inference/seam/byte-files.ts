/**
 * Whole files of bytes in the origin-private file system (OPFS), for the large entries of
 * `chunked-store.ts`: a model's folded weights or its `.tflite`, ≈ 95 MB each. Measured in this
 * Chromium (a worker, 96 MB, the file just written): IndexedDB gave 8 MB chunks back in
 * 300–350 ms with their joining, a file read whole in 90–140 ms — the return visit's largest
 * step. The small record that says an entry is whole stays in IndexedDB (written last), so a
 * file is only ever read through a record that names it and its size.
 *
 * Where the browser has no OPFS (Node in tests, an old browser, some private windows) there is
 * no such store and entries go in IndexedDB chunks as before.
 */

/** One folder of files (see the file comment); names are plain, without slashes. */
export interface ByteFiles {
  /** Writes `parts`, in order, as file `name` (replacing it); resolves once flushed. */
  write(name: string, parts: readonly Uint8Array[]): Promise<void>;
  /** The whole of file `name`, or null when there is none. */
  read(name: string): Promise<ArrayBuffer | null>;
  /** Deletes file `name`; nothing happens when there is none. */
  remove(name: string): Promise<void>;
  /** The names of the files in the folder. */
  names(): Promise<string[]>;
}

/** The parts of the File System Access API this uses (typed here: lib.dom lags behind). */
interface SyncHandle {
  truncate(size: number): void;
  write(data: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}
interface FileHandle {
  getFile(): Promise<Blob>;
  createSyncAccessHandle?(): Promise<SyncHandle>;
  createWritable?(): Promise<{
    write(data: Uint8Array): Promise<void>;
    close(): Promise<void>;
    abort(): Promise<void>;
  }>;
}
interface DirectoryHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

const isNotFound = (error: unknown): boolean =>
  (error as { name?: string } | null)?.name === 'NotFoundError';

/** Writes through a sync access handle (workers), else a writable stream (pages). */
async function writeFile(handle: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  if (handle.createSyncAccessHandle) {
    const sync = await handle.createSyncAccessHandle();
    try {
      sync.truncate(0);
      let at = 0;
      for (const part of parts) {
        let done = 0;
        while (done < part.byteLength) {
          const wrote = sync.write(part.subarray(done), { at: at + done });
          if (wrote <= 0) throw new Error('the file took no more bytes');
          done += wrote;
        }
        at += part.byteLength;
      }
      sync.flush();
    } finally {
      sync.close();
    }
    return;
  }
  if (!handle.createWritable) throw new Error('this browser cannot write files here');
  const stream = await handle.createWritable();
  try {
    for (const part of parts) await stream.write(part);
    await stream.close();
  } catch (error) {
    await stream.abort().catch(() => undefined);
    throw error;
  }
}

/** Folder `folder` of `root` as {@link ByteFiles}; made on first use. */
export function directoryByteFiles(
  root: () => Promise<DirectoryHandle>,
  folder: string,
): ByteFiles {
  let dir: Promise<DirectoryHandle> | null = null;
  const open = (): Promise<DirectoryHandle> => {
    dir ??= root().then((r) => r.getDirectoryHandle(folder, { create: true }));
    dir.catch(() => (dir = null)); // tried again next time
    return dir;
  };
  return {
    async write(name, parts) {
      const handle = await (await open()).getFileHandle(name, { create: true });
      await writeFile(handle, parts);
    },
    async read(name) {
      let handle: FileHandle;
      try {
        handle = await (await open()).getFileHandle(name);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      return (await handle.getFile()).arrayBuffer();
    },
    async remove(name) {
      try {
        await (await open()).removeEntry(name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async names() {
      const found: string[] = [];
      for await (const name of (await open()).keys()) found.push(name);
      return found;
    },
  };
}

/**
 * Folder `folder` of this origin's private file system, or null where there is none (Node, a
 * browser without OPFS). Whether writing works is learnt on the first write: a store falls back
 * to IndexedDB chunks when it does not.
 */
export function opfsByteFiles(folder: string): ByteFiles | null {
  const storage = (globalThis.navigator as { storage?: { getDirectory?: unknown } } | undefined)
    ?.storage;
  if (typeof storage?.getDirectory !== 'function') return null;
  const getDirectory = storage.getDirectory.bind(storage) as () => Promise<DirectoryHandle>;
  return directoryByteFiles(getDirectory, folder);
}
