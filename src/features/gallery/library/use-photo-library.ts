/**
 * The photo library on the page: which library is shown, its cards restored after a reload, each
 * finished photo kept as it arrives, folders added (skipping what is done), progress, pause and
 * cancel, browsing, similar photos, export and storage.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { InferenceClient } from '../../../inference/client';
import { messageOf } from '../../../lib/message-of';
import { useStoreSelector, type Store } from '../../../lib/store';
import type { Card, GalleryAction, PhotoOutcome } from '../gallery-state';
import { DEFAULT_BROWSE, type BrowseOptions } from './browse';
import { libraryExportChunks, saveExport, type LibraryExportFormat } from './library-export';
import {
  openLibraryStore,
  type LibraryInfo,
  type LibraryStore,
  type PhotoRecord,
} from './library-store';
import { PhotoIndexSync } from './photos-client';
import { fromDirectoryHandle, regainAccess, type FolderFile } from './folder-files';
import { idleCall } from './idle-call';

/** What the library needs of the photo queue (the app's `useClassificationQueue`). */
export interface LibraryQueue {
  /** the cards now (not subscribed: for handlers and effects) */
  readonly cards: Card[];
  /** the cards as a store, for whoever shows them or counts them as they change */
  store: Store<Card[], GalleryAction>;
  addFiles: (files: readonly File[], paths?: readonly string[]) => string[];
  removeCards: (ids: readonly string[]) => void;
  /** files of a folder still being added (in slices) stop being added */
  stopAdding?: () => void;
  restore: (cards: Card[]) => void;
  /** the library has kept these cards' thumbnails: the cards may let their own go */
  thumbnailsKept: (ids: readonly string[]) => void;
  clear: () => void;
}

/** The link the queue is made with: pause, and where each outcome goes. */
export interface LibraryLink {
  paused: boolean;
  setPaused: (paused: boolean) => void;
  /** for the queue: hands each outcome to the listener */
  onSettled: (card: Card, outcome: PhotoOutcome) => void;
  /** for the library: who hears the outcomes (null: nobody) */
  listen: (listener: ((card: Card, outcome: PhotoOutcome) => void) | null) => void;
}

/** Made before the queue, so the queue can pause and report to the library made after it. */
export function useLibraryLink(): LibraryLink {
  const [paused, setPaused] = useState(false);
  const listener = useRef<((card: Card, outcome: PhotoOutcome) => void) | null>(null);
  const onSettled = useCallback(
    (card: Card, outcome: PhotoOutcome) => listener.current?.(card, outcome),
    [],
  );
  const listen = useCallback((next: ((card: Card, outcome: PhotoOutcome) => void) | null) => {
    listener.current = next;
  }, []);
  return useMemo(() => ({ paused, setPaused, onSettled, listen }), [paused, onSettled, listen]);
}

/** The library last shown, remembered for the next visit. */
const ACTIVE_KEY = 'inception-lens.photo-library';

/** Progress of the photos under way. */
export interface LibraryProgress {
  total: number;
  /** finished: done or failed */
  finished: number;
  failed: number;
  /** photos per second over the last ones (null until two have finished) */
  rate: number | null;
  /** seconds left at that rate (null when unknown) */
  secondsLeft: number | null;
  /** photos not finished */
  unfinished: number;
}

/** Photos of a kept library that a reload left unfinished. */
export interface ResumeOffer {
  folder: string;
  count: number;
  /** the kept folder handle can be asked for again */
  canReopen: boolean;
}

/** Quiet time after the last photo kept before the storage used is read again. */
const USAGE_IDLE_MS = 1000;

const UNFINISHED = new Set(['waiting', 'queued', 'preprocessing', 'classifying']);

/** How many cards are not finished yet. */
export function countUnfinished(cards: readonly Card[]): number {
  return cards.reduce((n, c) => n + (UNFINISHED.has(c.status) ? 1 : 0), 0);
}

/**
 * The progress of the photos under way, from the cards and the photo rate the library measured.
 * Read by the component that shows it, so a photo's result does not draw the whole page again.
 */
export function libraryProgress(cards: readonly Card[], rate: number | null): LibraryProgress {
  let failed = 0;
  let finished = 0;
  for (const c of cards) {
    if (c.status === 'error') failed++;
    if (c.status === 'done' || c.status === 'error') finished++;
  }
  const unfinished = cards.length - finished;
  return {
    total: cards.length,
    finished,
    failed,
    unfinished,
    rate: unfinished > 0 ? rate : null,
    secondsLeft: rate && unfinished > 0 ? unfinished / rate : null,
  };
}

function cardOf(record: PhotoRecord): Card {
  const card: Card = {
    id: record.id,
    name: record.name,
    path: record.path,
    size: record.size,
    lastModified: record.lastModified,
    status: record.status,
    stored: true,
  };
  if (record.predictions) card.predictions = record.predictions.slice(0, 3);
  if (record.ms !== undefined) card.ms = record.ms;
  if (record.backend) card.backend = record.backend;
  if (record.modelId) card.modelId = record.modelId;
  if (record.resizeMode) card.resizeMode = record.resizeMode;
  if (record.error) card.error = record.error;
  return card;
}

/** The page's photo library around the queue; see the module comment. */
export function usePhotoLibrary(client: InferenceClient, queue: LibraryQueue, link: LibraryLink) {
  const [store, setStore] = useState<LibraryStore | null>(null);
  const [libraries, setLibraries] = useState<LibraryInfo[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  // The library whose kept photos are on the page (restoring while it differs from the active one).
  const [restoredId, setRestoredId] = useState<string | null>(null);
  const [failedToOpen, setFailedToOpen] = useState(false);
  const restoring = !failedToOpen && (activeId === null || restoredId !== activeId);
  // Whether photos were under way in this visit (then the kept "unfinished" count is ours).
  const [worked, setWorked] = useState(false);
  const everBusy = useRef(false);
  const [error, setError] = useState<string | null>(null);
  const [options, setOptions] = useState<BrowseOptions>(DEFAULT_BROWSE);
  const [usage, setUsage] = useState<{ bytes: number; quota: number | null } | null>(null);
  const [restoreMs, setRestoreMs] = useState<number | null>(null);
  const settledTimes = useRef<number[]>([]);
  // Only whether photos are under way, not the cards: the page around the library (the whole
  // app) then draws again when a batch starts or ends, not on every photo's result.
  const busy = useStoreSelector(queue.store, (c) => c.some((card) => UNFINISHED.has(card.status)));
  const queueNow = useRef(queue);
  useEffect(() => {
    queueNow.current = queue;
  });

  const active = libraries.find((l) => l.id === activeId) ?? null;
  const index = useMemo(
    () =>
      store && activeId
        ? new PhotoIndexSync(client, activeId, () => store.vectorBatches(activeId))
        : null,
    [client, store, activeId],
  );
  useEffect(() => () => index?.dispose(), [index]);

  const refreshUsage = useCallback(async () => {
    if (!store || !activeId) return;
    const mine = await store.usage(activeId);
    const estimate = await navigator.storage?.estimate?.().catch(() => null);
    setUsage({ bytes: mine.bytes, quota: estimate?.quota ?? null });
  }, [store, activeId]);
  // "… stored" follows the photos kept, once they stop arriving for a moment (a batch's end, a
  // pause): usage() reads every record of the library, too much to do for each photo.
  const usageWhenIdle = useMemo(
    () => idleCall(() => void refreshUsage(), USAGE_IDLE_MS),
    [refreshUsage],
  );
  useEffect(() => () => usageWhenIdle.cancel(), [usageWhenIdle]);

  // Open the store and pick the library shown last (or make the first one).
  useEffect(() => {
    let gone = false;
    void (async () => {
      try {
        const opened = await openLibraryStore();
        let all = await opened.libraries();
        if (all.length === 0) all = [await opened.createLibrary('My photos')];
        if (gone) return;
        const remembered = localStorage.getItem(ACTIVE_KEY);
        setStore(opened);
        setLibraries(all);
        setActiveId(all.find((l) => l.id === remembered)?.id ?? all[0]!.id);
      } catch (e) {
        if (!gone) {
          setError(`The photo library is not available in this browser: ${messageOf(e)}`);
          setFailedToOpen(true);
        }
      }
    })();
    return () => {
      gone = true;
    };
  }, []);

  // Show the active library: its kept photos come back as finished cards.
  useEffect(() => {
    if (!store || !activeId) return;
    let gone = false;
    localStorage.setItem(ACTIVE_KEY, activeId);
    const start = performance.now();
    void store.photos(activeId).then(
      (records) => {
        if (gone) return;
        records.sort((a, b) => a.at - b.at);
        queueNow.current.restore(records.map(cardOf));
        setRestoreMs(performance.now() - start);
        setRestoredId(activeId);
        // The worker's similarity index is filled now, in the background, not on the first click.
        void index?.load().catch(() => undefined);
        void refreshUsage();
      },
      (e: unknown) => {
        if (gone) return;
        setError(`Could not read the library: ${messageOf(e)}`);
        setRestoredId(activeId);
      },
    );
    return () => {
      gone = true;
    };
  }, [store, activeId, index, refreshUsage]);

  // Cards whose thumbnails are kept, handed to the queue together (one render for many photos).
  const kept = useRef<string[]>([]);
  const keptTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const thumbnailKept = useCallback((id: string) => {
    kept.current.push(id);
    keptTimer.current ??= setTimeout(() => {
      keptTimer.current = null;
      const ids = kept.current;
      kept.current = [];
      queueNow.current.thumbnailsKept(ids);
    }, 500);
  }, []);
  useEffect(
    () => () => {
      if (keptTimer.current) clearTimeout(keptTimer.current);
    },
    [],
  );

  // Each finished photo is kept at once (with its thumbnail and vector); once its thumbnail is in
  // IndexedDB the page lets go of its own copy, so only the cards in view hold one.
  useEffect(() => {
    link.listen((card, outcome) => {
      settledTimes.current.push(performance.now());
      if (settledTimes.current.length > 30) settledTimes.current.shift();
      if (!store || !activeId) return;
      const vector =
        outcome.status === 'done' && outcome.features ? new Int8Array(outcome.features) : undefined;
      const record = {
        library: activeId,
        id: card.id,
        path: card.path,
        name: card.name,
        size: card.size ?? card.file?.size ?? 0,
        lastModified: card.lastModified ?? card.file?.lastModified ?? 0,
        at: Date.now(),
        ...(outcome.status === 'done'
          ? {
              status: 'done' as const,
              predictions: outcome.predictions,
              ms: outcome.ms,
              backend: outcome.backend,
              modelId: outcome.modelId,
              resizeMode: outcome.resizeMode,
            }
          : { status: 'error' as const, error: outcome.message }),
      };
      void store
        .put(record, {
          ...(outcome.thumbnail ? { thumbnail: outcome.thumbnail } : {}),
          ...(vector ? { vector } : {}),
        })
        .then(
          () => {
            if (vector) index?.add(card.id, vector);
            if (outcome.thumbnail) thumbnailKept(card.id);
            usageWhenIdle.poke();
          },
          (e: unknown) => setError(`A result could not be kept: ${messageOf(e)}`),
        );
    });
    return () => link.listen(null);
  }, [link, store, activeId, index, thumbnailKept, usageWhenIdle]);

  /** Photos per second over the last ones kept (null until two have finished). */
  const measureRate = useCallback((): number | null => {
    const times = settledTimes.current;
    const span = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
    return span > 0 ? (times.length - 1) / span : null;
  }, []);

  // Remember how many photos are unfinished, so a reload can offer to resume them: the count is
  // kept once it has not changed for 1.5 s. Read from the store as it changes (not rendered).
  useEffect(() => {
    if (!store || !active || restoring) return;
    const cardStore = queueNow.current.store;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seen: number | null = null;
    const check = (): void => {
      const pending = countUnfinished(cardStore.getState());
      if (pending === seen) return;
      seen = pending;
      clearTimeout(timer);
      if (pending > 0) everBusy.current = true;
      // A count kept by an earlier visit stays until photos are under way in this one.
      if (!everBusy.current) return;
      if ((active.unfinished ?? 0) === pending) return;
      timer = setTimeout(() => {
        setWorked(true);
        const next = { ...active, unfinished: pending };
        void store.updateLibrary(next);
        setLibraries((all) => all.map((l) => (l.id === next.id ? next : l)));
      }, 1500);
    };
    check();
    const off = cardStore.subscribe(check);
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [store, active, restoring]);

  // After a restore: photos a previous visit left unfinished are offered again.
  const left = active?.unfinished ?? 0;
  const offer: ResumeOffer | null =
    !restoring && !worked && active?.folder && left > 0 && !busy
      ? { folder: active.folder, count: left, canReopen: active.handle !== undefined }
      : null;

  /** Adds a folder's files, skipping those the library already finished. */
  const addFolder = useCallback(
    (files: FolderFile[], folder: string, handle?: FileSystemDirectoryHandle) => {
      const finished = new Set(
        queueNow.current.cards.filter((c) => !UNFINISHED.has(c.status)).map((c) => c.path),
      );
      const queuedPaths = new Set(
        queueNow.current.cards.filter((c) => UNFINISHED.has(c.status)).map((c) => c.path),
      );
      const fresh = files.filter((f) => !finished.has(f.path) && !queuedPaths.has(f.path));
      setWorked(true);
      settledTimes.current = [];
      queueNow.current.addFiles(
        fresh.map((f) => f.file),
        fresh.map((f) => f.path),
      );
      if (store && active && folder) {
        const next: LibraryInfo = { ...active, folder };
        if (handle) next.handle = handle;
        else delete next.handle;
        void store.updateLibrary(next);
        setLibraries((all) => all.map((l) => (l.id === next.id ? next : l)));
      }
      return { added: fresh.length, skipped: files.length - fresh.length };
    },
    [store, active],
  );

  /** Opens the kept folder handle again (asks for permission) and adds what is not done. */
  const reopenFolder = useCallback(async () => {
    if (!active?.handle) return;
    try {
      if (!(await regainAccess(active.handle))) {
        setError('The browser did not give access to the folder again: pick it below instead.');
        return;
      }
      const files = await fromDirectoryHandle(active.handle);
      addFolder(files, active.handle.name, active.handle);
    } catch (e) {
      setError(`Could not open the folder again: ${messageOf(e)}`);
    }
  }, [active, addFolder]);

  /** Cancels every photo not finished yet (they stay out of the library). */
  const cancel = useCallback(() => {
    queueNow.current.stopAdding?.();
    const ids = queueNow.current.cards.filter((c) => UNFINISHED.has(c.status)).map((c) => c.id);
    queueNow.current.removeCards(ids);
    link.setPaused(false);
  }, [link]);

  /** Removes one photo from the library (its card goes too). */
  const remove = useCallback(
    (ids: readonly string[]) => {
      queueNow.current.removeCards(ids);
      if (store && activeId) {
        void store.remove(activeId, ids).then(() => refreshUsage());
        void index?.forget(ids).catch(() => undefined);
      }
    },
    [store, activeId, index, refreshUsage],
  );

  /** Empties the active library (Clear all). */
  const clearAll = useCallback(() => {
    queueNow.current.clear();
    setOptions(DEFAULT_BROWSE);
    if (store && activeId) {
      void store.clear(activeId).then(() => refreshUsage());
      void index?.forget(null).catch(() => undefined);
      const current = libraries.find((l) => l.id === activeId);
      if (current) {
        const next: LibraryInfo = { ...current, unfinished: 0 };
        void store.updateLibrary(next);
        setLibraries((all) => all.map((l) => (l.id === next.id ? next : l)));
      }
    }
  }, [store, activeId, index, libraries, refreshUsage]);

  /** Shows another library (the current cards leave the page, not the store). */
  const switchTo = useCallback(
    (id: string) => {
      if (id === activeId) return;
      const q = queueNow.current;
      q.stopAdding?.();
      q.removeCards(q.cards.map((c) => c.id));
      setOptions(DEFAULT_BROWSE);
      setActiveId(id);
    },
    [activeId],
  );

  const createLibrary = useCallback(
    async (name: string) => {
      if (!store) return;
      const made = await store.createLibrary(name);
      setLibraries((all) => [...all, made]);
      switchTo(made.id);
    },
    [store, switchTo],
  );

  const renameLibrary = useCallback(
    async (name: string) => {
      if (!store || !active || !name.trim()) return;
      const next = { ...active, name: name.trim() };
      await store.updateLibrary(next);
      setLibraries((all) => all.map((l) => (l.id === next.id ? next : l)));
    },
    [store, active],
  );

  const deleteLibrary = useCallback(async () => {
    if (!store || !active) return;
    await store.deleteLibrary(active.id);
    void index?.forget(null).catch(() => undefined);
    let rest = libraries.filter((l) => l.id !== active.id);
    if (rest.length === 0) rest = [await store.createLibrary('My photos')];
    setLibraries(rest);
    const q = queueNow.current;
    q.stopAdding?.();
    q.removeCards(q.cards.map((c) => c.id));
    setActiveId(rest[0]!.id);
  }, [store, active, libraries, index]);

  const exportLibrary = useCallback(
    async (format: LibraryExportFormat) => {
      if (!store || !active) return;
      try {
        const chunks = libraryExportChunks(store.batches(active.id), format, {
          library: active.name,
          exportedAt: new Date(),
        });
        const safe = active.name.replace(/[^\w.-]+/g, '-') || 'library';
        await saveExport(
          chunks,
          `${safe}.${format}`,
          format === 'csv' ? 'text/csv' : 'application/json',
        );
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError(`Export failed: ${messageOf(e)}`);
      }
    },
    [store, active],
  );

  const loadThumbnail = useCallback(
    (card: Card) =>
      store && activeId ? store.thumbnail(activeId, card.id) : Promise.resolve(undefined),
    [store, activeId],
  );

  const similar = useCallback(
    async (id: string) => (index ? index.similar(id) : { neighbours: [], ms: 0 }),
    [index],
  );
  const duplicates = useCallback(async () => (index ? index.duplicates() : []), [index]);

  return {
    ready: store !== null && !restoring,
    error,
    dismissError: () => setError(null),
    libraries,
    active,
    restoreMs,
    usage,
    refreshUsage,
    /** the queue's cards (subscribe to show them) */
    cards: queue.store,
    /** photos per second over the last ones (null: not known yet); the progress reads it each second */
    measureRate,
    paused: link.paused,
    pause: () => link.setPaused(true),
    resume: () => link.setPaused(false),
    cancel,
    options,
    setOptions,
    offer,
    addFolder,
    reopenFolder,
    remove,
    clearAll,
    switchTo,
    createLibrary,
    renameLibrary,
    deleteLibrary,
    exportLibrary,
    loadThumbnail,
    similar,
    duplicates,
  };
}

/** What {@link usePhotoLibrary} gives the page. */
export type PhotoLibrary = ReturnType<typeof usePhotoLibrary>;
