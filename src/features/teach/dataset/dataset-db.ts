/**
 * The page's IndexedDB for datasets: the current dataset (classes, membership, exclusions) and a
 * small thumbnail per photo content hash, so a reload finds both. Features are the worker's.
 */
import type { Dataset } from './dataset-state';

const DB_NAME = 'inception-lens-dataset';
const DATASETS = 'datasets';
const THUMBS = 'thumbs';
const CURRENT = 'current';

let opened: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  return (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(DATASETS);
      req.result.createObjectStore(THUMBS);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      opened = null;
      reject(req.error ?? new Error('the dataset store could not be opened'));
    };
  }));
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('the dataset store could not be written'));
    tx.onabort = () => reject(tx.error ?? new Error('writing the dataset store was aborted'));
  });
}

function got<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('the dataset store could not be read'));
  });
}

/** The dataset kept from last time, or null. */
export async function loadDataset(): Promise<Dataset | null> {
  const db = await open();
  const value = await got<unknown>(db.transaction(DATASETS).objectStore(DATASETS).get(CURRENT));
  return (value as Dataset | undefined) ?? null;
}

/** Keeps the dataset (replacing the one kept); null forgets it and its thumbnails. */
export async function saveDataset(dataset: Dataset | null): Promise<void> {
  const db = await open();
  const tx = db.transaction([DATASETS, THUMBS], 'readwrite');
  if (dataset) tx.objectStore(DATASETS).put(dataset, CURRENT);
  else {
    tx.objectStore(DATASETS).delete(CURRENT);
    tx.objectStore(THUMBS).clear();
  }
  await done(tx);
}

/** Which of these content hashes have a thumbnail. */
export async function thumbsPresent(hashes: readonly string[]): Promise<boolean[]> {
  const db = await open();
  const store = db.transaction(THUMBS).objectStore(THUMBS);
  return Promise.all(hashes.map((h) => got(store.getKey(h)).then((k) => k !== undefined)));
}

/** Keeps thumbnails by content hash. */
export async function putThumbs(entries: readonly (readonly [string, Blob])[]): Promise<void> {
  if (entries.length === 0) return;
  const db = await open();
  const tx = db.transaction(THUMBS, 'readwrite');
  for (const [hash, blob] of entries) tx.objectStore(THUMBS).put(blob, hash);
  await done(tx);
}

/** The thumbnail of a content hash, or null. */
export async function getThumb(hash: string): Promise<Blob | null> {
  const db = await open();
  const value = await got<unknown>(db.transaction(THUMBS).objectStore(THUMBS).get(hash));
  return value instanceof Blob ? value : null;
}
