/**
 * Test helper: a drop's DataTransfer with FileSystemEntry trees, behaving like a browser's in the
 * ways that matter to a folder walker: entries answer asynchronously, a directory reader gives at
 * most 100 entries per call, and the items go dead once the drop handler has returned (here: after
 * the first microtask).
 */

/** A folder in a fake drop: its name and its children in the order the "browser" lists them. */
export interface FakeFolder {
  name: string;
  children: (FakeFolder | File)[];
}

export const folder = (name: string, ...children: (FakeFolder | File)[]): FakeFolder => ({
  name,
  children,
});

export const fileOf = (name: string, type = ''): File => new File(['x'], name, { type });

export interface FakeDrop {
  data: DataTransfer;
  /** How often readEntries was called, over all directory readers. */
  readEntriesCalls: number;
  /** Whether the items still answer (false once the first microtask has run). */
  alive: boolean;
}

const later = (fn: () => void): void => void setTimeout(fn, 0);

/** A drop of `dropped` (files and folders, in drop order), plus a text item browsers add too. */
export function fakeDrop(dropped: (FakeFolder | File)[]): FakeDrop {
  const drop: FakeDrop = {
    data: null as unknown as DataTransfer,
    readEntriesCalls: 0,
    alive: true,
  };
  queueMicrotask(() => {
    drop.alive = false;
  });

  const entryOf = (thing: FakeFolder | File, parent: string): FileSystemEntry => {
    const fullPath = `${parent}/${thing.name}`;
    if (thing instanceof File) {
      const entry: Partial<FileSystemFileEntry> = {
        isFile: true,
        isDirectory: false,
        name: thing.name,
        fullPath,
        file: (resolve) => later(() => resolve(thing)),
      };
      return entry as FileSystemFileEntry;
    }
    const entry: Partial<FileSystemDirectoryEntry> = {
      isFile: false,
      isDirectory: true,
      name: thing.name,
      fullPath,
      createReader: () => {
        const children = thing.children.map((child) => entryOf(child, fullPath));
        let at = 0;
        const reader: Partial<FileSystemDirectoryReader> = {
          readEntries: (resolve) => {
            drop.readEntriesCalls++;
            const batch = children.slice(at, at + 100);
            at += batch.length;
            later(() => resolve(batch));
          },
        };
        return reader as FileSystemDirectoryReader;
      },
    };
    return entry as FileSystemDirectoryEntry;
  };

  const items = dropped.map((thing): DataTransferItem => {
    const entry = entryOf(thing, '');
    // A browser gives a folder's item a File too (an empty one named after the folder).
    const file = thing instanceof File ? thing : new File([], thing.name);
    const item: Partial<DataTransferItem> = {
      kind: 'file',
      type: file.type,
      getAsFile: () => (drop.alive ? file : null),
      webkitGetAsEntry: () => (drop.alive ? entry : null),
    };
    return item as DataTransferItem;
  });
  const text: Partial<DataTransferItem> = { kind: 'string', type: 'text/uri-list' };
  const files = dropped.filter((thing) => thing instanceof File);
  drop.data = {
    items: [...items, text] as unknown as DataTransferItemList,
    files: files as unknown as FileList,
  } as DataTransfer;
  return drop;
}

/** A DataTransfer without items (older browsers, synthetic events): only `files`. */
export function filesOnlyDrop(files: File[]): DataTransfer {
  return { items: undefined, files } as unknown as DataTransfer;
}
