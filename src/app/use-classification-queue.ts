import { useCallback, useEffect, useRef } from 'react';
import {
  CancelledError,
  WorkerCrashedError,
  type InferenceClient,
  type LoadProgress,
} from '../inference/client';
import type { LoadedModelInfo } from '../inference/protocol';
import type { ModelEntry } from '../models/registry';
import {
  cardsToStart,
  galleryReducer,
  type Card,
  type GalleryAction,
  type PhotoOutcome,
} from '../features/gallery/gallery-state';
import type { ResizeMode } from '../preprocess/geometry';
import { recordModelInput } from '../preprocess/debug-inputs';
import { checkImageFile, ImageInputError } from '../preprocess/preprocess-image';
import { preprocessAhead, preprocessOffThread } from '../preprocess/preprocess-off-thread';
import { inSlices } from '../lib/slices';
import { useLocalStore, type Store } from '../lib/store';

/**
 * How many photos may be between "preprocessing" and "done" at once: one being classified in the
 * worker while the next is decoded and resized on the page, so neither side waits, and memory
 * stays bounded however many photos are dropped.
 */
const IN_FLIGHT = 2;
/** How often a photo is retried after the worker died while it was being classified. */
const MAX_RETRIES = 2;

/**
 * Checks waiting photos' bytes one after another (no model needed) and fails at once those that
 * are no usable image; the rest wait on. A photo that meanwhile left the waiting line is let be.
 */
async function refuseBadFiles(
  store: Store<Card[], GalleryAction>,
  added: readonly { id: string; file: File }[],
): Promise<void> {
  for (const { id, file } of added) {
    try {
      await checkImageFile(file);
    } catch (error) {
      const still = store.getState().find((c) => c.id === id)?.status === 'waiting';
      if (still && error instanceof ImageInputError) {
        store.dispatch({ type: 'failed', id, message: error.message });
      }
    }
  }
}

/**
 * What the app tells the queue besides the model: the photo library asks it to hold back and to
 * hear each outcome; the model being loaded lets the first photos be made ready before it is.
 */
export interface QueueHooks {
  /** while true no new photo starts (those under way finish) */
  paused?: boolean;
  /** hears every photo that finished, done or failed (not cancelled or removed ones) */
  onSettled?: (card: Card, outcome: PhotoOutcome) => void;
  /**
   * The input size of the model still loading, where its entry knows it: the first photos that
   * wait for it are decoded and resized for it meanwhile, so they start the moment it is ready.
   */
  loadingInputSize?: number | null;
}

/** How many labels each photo's result keeps (the card shows the top 3). */
const KEEP_TOP = 5;
/** How many labels a card shows. */
const SHOW_TOP = 3;

/** Up to this many files are added in one go; more (a folder) are added in slices. */
const ADD_AT_ONCE = 64;
/** While a folder is added in slices, its cards are handed to the gallery this often. */
const ADD_EVERY_MS = 200;

/** A card to add, as the gallery's `add` action takes it. */
type AddedCard = Extract<GalleryAction, { type: 'add' }>['cards'][number];

let counter = 0;
function newId(): string {
  counter += 1;
  return `card-${Date.now().toString(36)}-${counter}`;
}

/**
 * The photo pipeline: cards enter queued, and while a model is ready they are preprocessed on the
 * page and classified in the worker, in order. Photos added while no model is loaded wait (bad
 * files are refused at once, which needs no model) and join the queue when one is ready. Removing a card or clearing the gallery cancels its
 * pending work and frees its thumbnail. With `also`, each photo is run through that second model
 * too (ImageNet's top-3 next to a custom model's).
 */
export function useClassificationQueue(
  client: InferenceClient,
  model: LoadedModelInfo | null,
  resizeMode: ResizeMode,
  also: ModelEntry | null = null,
  hooks: QueueHooks = {},
) {
  // Not subscribed here: the app around the queue would draw again on every photo's step. The
  // components that show cards subscribe themselves (the gallery, the counters).
  const store = useLocalStore(galleryReducer, (): Card[] => []);
  const { dispatch } = store;
  const controllers = useRef(new Map<string, AbortController>());
  const urls = useRef(new Map<string, string>());
  const started = useRef(new Set<string>());
  const retries = useRef(new Map<string, number>());
  // The latest hooks, read when a photo settles (not a dependency of the running photos).
  const hooksNow = useRef(hooks);
  useEffect(() => {
    hooksNow.current = hooks;
  });
  const paused = hooks.paused ?? false;
  const resizeModeNow = useRef(resizeMode);
  useEffect(() => {
    resizeModeNow.current = resizeMode;
  });

  // A photo that finishes starts the next one at once, in the same task as its result: one render
  // for both (the store's listener below starts it inside the result's dispatch); `next` also
  // starts one when a photo leaves the pipeline without a change of state (a requeue's retry).
  const next = useRef<() => void>(() => undefined);

  const run = useCallback(
    async (card: Card, file: File, info: LoadedModelInfo, signal: AbortSignal) => {
      dispatch({ type: 'preprocessing', id: card.id });
      let thumbnailUrl: string | undefined;
      let thumbnail: Blob | undefined;
      try {
        const image = await preprocessOffThread(file, { size: info.inputSize, mode: resizeMode });
        thumbnail = image.thumbnail;
        if (signal.aborted) return;
        const previous = urls.current.get(card.id); // from an attempt before a worker restart
        if (previous) URL.revokeObjectURL(previous);
        thumbnailUrl = URL.createObjectURL(image.thumbnail);
        urls.current.set(card.id, thumbnailUrl);
        dispatch(
          image.note
            ? { type: 'classifying', id: card.id, thumbnailUrl, note: image.note }
            : { type: 'classifying', id: card.id, thumbnailUrl },
        );
        // The second model gets the photo resized for it, as it would on its own.
        const alsoImage =
          also?.inputSize && also.inputSize !== info.inputSize
            ? await preprocessOffThread(file, { size: also.inputSize, mode: resizeMode })
            : null;
        if (signal.aborted) return;
        recordModelInput(card.name, image, resizeMode); // ?debug only; before the transfer
        const result = await client.classify(image.pixels, image.width, image.height, {
          topK: KEEP_TOP,
          features: true,
          signal,
          ...(also
            ? {
                also,
                ...(alsoImage
                  ? {
                      alsoPixels: {
                        pixels: alsoImage.pixels,
                        width: alsoImage.width,
                        height: alsoImage.height,
                      },
                    }
                  : {}),
                onProgress: (p: LoadProgress) =>
                  dispatch({
                    type: 'waiting',
                    id: card.id,
                    text: `${p.note ?? 'loading a second model'} (${Math.round(p.fraction * 100)}%)`,
                  }),
              }
            : {}),
        });
        if (signal.aborted) return;
        dispatch({
          type: 'done',
          id: card.id,
          predictions: result.predictions.slice(0, SHOW_TOP),
          ms: result.ms,
          backend: result.backend,
          modelId: info.id,
          resizeMode,
          ...(result.also ? { also: result.also } : {}),
        });
        hooksNow.current.onSettled?.(card, {
          status: 'done',
          predictions: result.predictions,
          ms: result.ms,
          backend: result.backend,
          modelId: info.id,
          resizeMode,
          ...(result.features ? { features: result.features } : {}),
          ...(thumbnail ? { thumbnail } : {}),
        });
      } catch (error) {
        if (signal.aborted || error instanceof CancelledError) return;
        // The worker died under this photo: try again on the restarted worker, twice at most
        // (a photo that kills the worker every time gets an error instead of a loop).
        const attempts = retries.current.get(card.id) ?? 0;
        if (error instanceof WorkerCrashedError && attempts < MAX_RETRIES) {
          retries.current.set(card.id, attempts + 1);
          dispatch({ type: 'requeue', ids: [card.id] });
          return;
        }
        const message =
          error instanceof ImageInputError
            ? error.message
            : `Classification failed: ${(error as Error).message}`;
        dispatch(
          thumbnailUrl
            ? { type: 'failed', id: card.id, message, thumbnailUrl }
            : { type: 'failed', id: card.id, message },
        );
        hooksNow.current.onSettled?.(card, {
          status: 'error',
          message,
          ...(thumbnail ? { thumbnail } : {}),
        });
      } finally {
        controllers.current.delete(card.id);
        started.current.delete(card.id);
        if (!signal.aborted) next.current();
      }
    },
    [client, resizeMode, also, dispatch],
  );

  /**
   * Starts queued cards, in order, while there is room in flight. Starting a card dispatches,
   * and the store's listener calls this again from inside the loop: that call only asks for one
   * more pass, so cards start (and reach the preprocess worker) in their order.
   */
  const starting = useRef(false);
  const again = useRef(false);
  const startQueued = useCallback(
    (info: LoadedModelInfo, runCard: typeof run) => {
      if (starting.current) {
        again.current = true;
        return;
      }
      starting.current = true;
      try {
        do {
          again.current = false;
          for (const card of cardsToStart(store.getState(), started.current, IN_FLIGHT)) {
            if (started.current.has(card.id)) continue;
            started.current.add(card.id);
            const controller = new AbortController();
            controllers.current.set(card.id, controller);
            void runCard(card, card.file as File, info, controller.signal);
          }
        } while (again.current);
      } finally {
        starting.current = false;
      }
    },
    [store],
  );

  // Start queued cards while there is a model to run them: now (a model ready, resumed) and on
  // every change of the cards (photos added, a photo finished), from the store itself.
  useEffect(() => {
    if (!model || paused) {
      next.current = () => undefined;
      return;
    }
    const start = (): void => startQueued(model, run);
    next.current = start;
    start();
    return store.subscribe(start);
  }, [store, model, paused, run, startQueued]);

  const forget = useCallback((id: string) => {
    controllers.current.get(id)?.abort();
    controllers.current.delete(id);
    started.current.delete(id);
    const url = urls.current.get(id);
    if (url) URL.revokeObjectURL(url);
    urls.current.delete(id);
  }, []);

  // Bumped to stop folders being added in slices (stopAdding).
  const addGeneration = useRef(0);

  // The model as the last render saw it: photos added meanwhile wait if there is none.
  const modelNow = useRef(model);
  useEffect(() => {
    modelNow.current = model;
  }, [model]);

  /**
   * While the model loads, the first waiting photos (as many as will start at once) are
   * preprocessed for it ahead (`preprocessAhead`): the page's step of the first photo is done
   * by the time the model is ready.
   */
  const prepareAhead = useCallback(() => {
    const size = hooksNow.current.loadingInputSize;
    if (!size || modelNow.current) return;
    const first = store
      .getState()
      .filter((c) => c.status === 'waiting' && c.file)
      .slice(0, IN_FLIGHT);
    for (const card of first)
      preprocessAhead(card.file as File, { size, mode: resizeModeNow.current });
  }, [store]);

  /**
   * THE way photos enter Classify (picker, drop, paste, share target, camera, the photo library's
   * folders): `paths[i]` is file i's path relative to its folder (default: its name). Returns the
   * new cards' ids.
   */
  const addFiles = useCallback(
    (files: readonly File[], paths?: readonly string[]): string[] => {
      const added = files.map((file, i) => {
        const path = paths?.[i];
        return path === undefined ? { id: newId(), file } : { id: newId(), file, path };
      });
      const put = (cards: AddedCard[]): void => {
        if (cards.length === 0) return;
        if (modelNow.current) {
          dispatch({ type: 'add', cards });
        } else {
          dispatch({ type: 'add', cards, waiting: true });
          void refuseBadFiles(store, cards);
          prepareAhead();
        }
      };
      if (added.length <= ADD_AT_ONCE) {
        put(added);
        return added.map((a) => a.id);
      }
      // A folder: each file's size and date are a synchronous trip to the browser process, so they
      // are read in short slices, and the cards are handed to the gallery every ADD_EVERY_MS (each
      // hand-over renders the whole gallery once), so no task of the page grows long.
      const generation = addGeneration.current;
      const stopped = () => addGeneration.current !== generation;
      let ready: AddedCard[] = [];
      let handedAt = -Infinity;
      void inSlices(
        added,
        (card): AddedCard => ({
          ...card,
          size: card.file.size,
          lastModified: card.file.lastModified,
        }),
        (slice, last) => {
          ready.push(...slice);
          if (!last && performance.now() - handedAt < ADD_EVERY_MS) return;
          handedAt = performance.now();
          const cards = ready;
          ready = [];
          put(cards);
        },
        { stopped },
      );
      return added.map((a) => a.id);
    },
    [dispatch, store, prepareAhead],
  );

  /** Files of a folder still being added stop being added (cancel, clear, another library). */
  const stopAdding = useCallback(() => {
    addGeneration.current += 1;
  }, []);

  // A model is ready: waiting photos join the queue (also those added just as it became ready).
  useEffect(() => {
    if (!model) return;
    const join = (): void => {
      if (store.getState().some((c) => c.status === 'waiting')) dispatch({ type: 'model-ready' });
    };
    join();
    return store.subscribe(join);
  }, [model, store, dispatch]);

  const removeCard = useCallback(
    (id: string) => {
      forget(id);
      dispatch({ type: 'remove', id });
    },
    [forget, dispatch],
  );

  /** Removes several cards at once, cancelling their work (a cancelled folder, a library switch). */
  const removeCards = useCallback(
    (ids: readonly string[]) => {
      for (const id of ids) forget(id);
      dispatch({ type: 'remove-many', ids: [...ids] });
    },
    [forget, dispatch],
  );

  /** Shows finished cards read back from the photo library. */
  const restore = useCallback(
    (restored: Card[]) => dispatch({ type: 'restore', cards: restored }),
    [dispatch],
  );

  /**
   * The photo library has kept these cards' thumbnails: their object URLs are revoked and the
   * cards read the kept ones when shown, so a large folder does not hold a thumbnail per photo.
   */
  const thumbnailsKept = useCallback(
    (ids: readonly string[]) => {
      for (const id of ids) {
        const url = urls.current.get(id);
        if (url) URL.revokeObjectURL(url);
        urls.current.delete(id);
      }
      dispatch({ type: 'thumbnails-kept', ids: [...ids] });
    },
    [dispatch],
  );

  const clear = useCallback(() => {
    stopAdding();
    for (const id of [...controllers.current.keys(), ...urls.current.keys()]) forget(id);
    dispatch({ type: 'clear' });
  }, [forget, dispatch, stopAdding]);

  // Free every thumbnail when the app goes away.
  useEffect(() => {
    const all = urls.current;
    return () => {
      for (const url of all.values()) URL.revokeObjectURL(url);
    };
  }, []);

  return {
    /** the cards, for components that subscribe to them (`useStore`) */
    store,
    /** the cards now, unsubscribed (for event handlers and effects) */
    get cards(): Card[] {
      return store.getState();
    },
    addFiles,
    stopAdding,
    removeCard,
    removeCards,
    restore,
    thumbnailsKept,
    clear,
  };
}
