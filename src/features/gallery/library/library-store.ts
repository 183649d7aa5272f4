/**
 * The photo libraries kept in this browser (IndexedDB, through `idb`): one record per library, one
 * per photo (its top-5, path, size, times, model and backend), and apart from those the photo's
 * small thumbnail and its feature vector, so a reload lists a library without reading any image.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Prediction } from '../../../inference/protocol';
import type { ResizeMode } from '../../../preprocess/geometry';

/** One photo library. */
export interface LibraryInfo {
  id: string;
  name: string;
  /** ms since the epoch */
  created: number;
  /** the name of the folder last added, to ask for the same one again */
  folder?: string;
  /** that folder's handle, where the browser gives one (File System Access API) */
  handle?: FileSystemDirectoryHandle;
  /** photos that were not finished when last counted (a reload offers to resume them) */
  unfinished?: number;
}

/** What the library keeps of one classified (or failed) photo. */
export interface PhotoRecord {
  library: string;
  /** unique in its library (the card's id) */
  id: string;
  /** path relative to the folder it came from (the name for a single photo) */
  path: string;
  name: string;
  size: number;
  /** the file's own date, ms since the epoch */
  lastModified: number;
  status: 'done' | 'error';
  /** top-5, best first */
  predictions?: Prediction[];
  error?: string;
  ms?: number;
  backend?: string;
  modelId?: string;
  resizeMode?: ResizeMode;
  /** when it was classified, ms since the epoch */
  at: number;
  /** bytes of its thumbnail and vector, for the storage figure */
  extraBytes: number;
  hasThumbnail: boolean;
  hasVector: boolean;
}

/** The vectors of a library, row after row. */
export interface LibraryVectors {
  ids: string[];
  dim: number;
  data: Int8Array;
}

type PhotoKey = [string, string];

interface PhotosDb extends DBSchema {
  libraries: { key: string; value: LibraryInfo };
  photos: { key: PhotoKey; value: PhotoRecord };
  thumbnails: { key: PhotoKey; value: Blob };
  vectors: { key: PhotoKey; value: Int8Array };
}

/** The database's name in the browser. */
export const PHOTOS_DB = 'inception-lens-photos';

/** Every key of library `id`: arrays sort after strings, so `[id, []]` is above all `[id, path]`. */
function range(library: string): IDBKeyRange {
  return IDBKeyRange.bound([library], [library, []]);
}

let counter = 0;
/** A new id, unique in this browser for practical purposes. */
export function newLibraryId(): string {
  counter += 1;
  return `lib-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Rough bytes of a record as stored (its JSON length is close enough for a storage figure). */
function recordBytes(record: PhotoRecord): number {
  return JSON.stringify(record).length;
}

/** Rows of the most common length (one model's), packed row after row. */
function packVectors(ids: readonly string[], rows: readonly Int8Array[]): LibraryVectors {
  const lengths = new Map<number, number>();
  for (const row of rows) lengths.set(row.length, (lengths.get(row.length) ?? 0) + 1);
  const dim = [...lengths.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const keep = rows.map((row, i) => ({ row, id: ids[i]! })).filter((r) => r.row.length === dim);
  const data = new Int8Array(keep.length * dim);
  keep.forEach((r, i) => data.set(r.row, i * dim));
  return { ids: keep.map((r) => r.id), dim, data };
}

/** The libraries and their photos; open one with {@link openLibraryStore}. */
export class LibraryStore {
  constructor(private readonly db: IDBPDatabase<PhotosDb>) {}

  /** All libraries, oldest first. */
  async libraries(): Promise<LibraryInfo[]> {
    const all = await this.db.getAll('libraries');
    return all.sort((a, b) => a.created - b.created);
  }

  /** Makes and keeps a new, empty library. */
  async createLibrary(name: string, now = Date.now()): Promise<LibraryInfo> {
    const info: LibraryInfo = { id: newLibraryId(), name: name.trim() || 'Photos', created: now };
    await this.db.put('libraries', info);
    return info;
  }

  /** Replaces a library's record (its name, its folder). */
  async updateLibrary(info: LibraryInfo): Promise<void> {
    await this.db.put('libraries', info);
  }

  /** Deletes a library and everything in it. */
  async deleteLibrary(id: string): Promise<void> {
    const tx = this.db.transaction(['libraries', 'photos', 'thumbnails', 'vectors'], 'readwrite');
    await Promise.all([
      tx.objectStore('libraries').delete(id),
      tx.objectStore('photos').delete(range(id)),
      tx.objectStore('thumbnails').delete(range(id)),
      tx.objectStore('vectors').delete(range(id)),
      tx.done,
    ]);
  }

  /** Keeps one photo's result with its thumbnail and vector, all or nothing. */
  async put(
    record: Omit<PhotoRecord, 'extraBytes' | 'hasThumbnail' | 'hasVector'>,
    extras: { thumbnail?: Blob; vector?: Int8Array } = {},
  ): Promise<PhotoRecord> {
    const { thumbnail, vector } = extras;
    const full: PhotoRecord = {
      ...record,
      extraBytes: (thumbnail?.size ?? 0) + (vector?.byteLength ?? 0),
      hasThumbnail: thumbnail !== undefined,
      hasVector: vector !== undefined,
    };
    const key: PhotoKey = [record.library, record.id];
    const tx = this.db.transaction(['photos', 'thumbnails', 'vectors'], 'readwrite');
    const writes: Promise<unknown>[] = [tx.objectStore('photos').put(full)];
    if (thumbnail) writes.push(tx.objectStore('thumbnails').put(thumbnail, key));
    if (vector) writes.push(tx.objectStore('vectors').put(vector, key));
    await Promise.all([...writes, tx.done]);
    return full;
  }

  /** Forgets photos of a library. */
  async remove(library: string, ids: readonly string[]): Promise<void> {
    const tx = this.db.transaction(['photos', 'thumbnails', 'vectors'], 'readwrite');
    const writes: Promise<unknown>[] = [];
    for (const id of ids) {
      const key: PhotoKey = [library, id];
      writes.push(
        tx.objectStore('photos').delete(key),
        tx.objectStore('thumbnails').delete(key),
        tx.objectStore('vectors').delete(key),
      );
    }
    await Promise.all([...writes, tx.done]);
  }

  /** Forgets every photo of a library (the library stays). */
  async clear(library: string): Promise<void> {
    const tx = this.db.transaction(['photos', 'thumbnails', 'vectors'], 'readwrite');
    await Promise.all([
      tx.objectStore('photos').delete(range(library)),
      tx.objectStore('thumbnails').delete(range(library)),
      tx.objectStore('vectors').delete(range(library)),
      tx.done,
    ]);
  }

  /** Every photo record of a library (no thumbnails, no vectors: those are read when needed). */
  photos(library: string): Promise<PhotoRecord[]> {
    return this.db.getAll('photos', range(library));
  }

  /** One photo's thumbnail. */
  thumbnail(library: string, id: string): Promise<Blob | undefined> {
    return this.db.get('thumbnails', [library, id]);
  }

  /** A library's feature vectors (those of the most common length: one model's). */
  async vectors(library: string): Promise<LibraryVectors> {
    const tx = this.db.transaction('vectors');
    const ids: string[] = [];
    const rows: Int8Array[] = [];
    for await (const cursor of tx.store.iterate(range(library))) {
      ids.push(cursor.key[1]);
      rows.push(cursor.value);
    }
    return packVectors(ids, rows);
  }

  /**
   * A library's feature vectors, `batch` at a time in key order (for filling the worker's index in
   * the background without one long read): each batch's rows of its most common length.
   */
  async *vectorBatches(library: string, batch = 500): AsyncGenerator<LibraryVectors> {
    let after: PhotoKey | null = null;
    for (;;) {
      const query: IDBKeyRange = after
        ? IDBKeyRange.bound(after, [library, []], true)
        : range(library);
      const tx = this.db.transaction('vectors');
      const [keys, rows] = await Promise.all([
        tx.store.getAllKeys(query, batch),
        tx.store.getAll(query, batch),
      ]);
      if (keys.length === 0) return;
      yield packVectors(
        keys.map((k) => k[1]),
        rows,
      );
      after = keys[keys.length - 1]!;
    }
  }

  /**
   * Walks a library's records in the order they were added, `batch` at a time (for exports that stream):
   * nothing but one batch is held at once.
   */
  async *batches(library: string, batch = 200): AsyncGenerator<PhotoRecord[]> {
    let after: PhotoKey | null = null;
    for (;;) {
      const query: IDBKeyRange = after
        ? IDBKeyRange.bound(after, [library, []], true)
        : range(library);
      const records = await this.db.getAll('photos', query, batch);
      if (records.length === 0) return;
      yield records;
      const last = records[records.length - 1]!;
      after = [library, last.id];
    }
  }

  /** Approximate bytes a library takes (records, thumbnails, vectors) and its photo count. */
  async usage(library: string): Promise<{ photos: number; bytes: number }> {
    const records = await this.photos(library);
    let bytes = 0;
    for (const r of records) bytes += recordBytes(r) + r.extraBytes;
    return { photos: records.length, bytes };
  }

  /** Closes the database (tests; the page keeps it open). */
  close(): void {
    this.db.close();
  }
}

/** Opens (creating on first use) the photo-library database. */
export async function openLibraryStore(name = PHOTOS_DB): Promise<LibraryStore> {
  const db = await openDB<PhotosDb>(name, 1, {
    upgrade(db) {
      db.createObjectStore('libraries', { keyPath: 'id' });
      db.createObjectStore('photos', { keyPath: ['library', 'id'] });
      db.createObjectStore('thumbnails');
      db.createObjectStore('vectors');
    },
  });
  return new LibraryStore(db);
}
