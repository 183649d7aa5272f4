/**
 * The gallery as data: one card per dropped file, moved through its statuses by a pure reducer.
 * queued → preprocessing → classifying → done, or error from any step; a photo added while no
 * model is loaded starts as waiting and is queued once one is ready.
 */
import type { AlsoResult, Prediction } from '../../inference/protocol';
import type { ResizeMode } from '../../preprocess/geometry';

/** Where one photo stands. */
export type CardStatus = 'waiting' | 'queued' | 'preprocessing' | 'classifying' | 'done' | 'error';

/** One photo and what we know about it. */
export interface Card {
  id: string;
  /** the photo's bytes; absent on a card restored from the photo library (its result only) */
  file?: File;
  name: string;
  /** path relative to the folder the photo came from (its name when it came alone) */
  path: string;
  /** bytes of the file */
  size?: number;
  /** the file's own date, ms since the epoch */
  lastModified?: number;
  /** restored from the photo library: its thumbnail is read from there when shown */
  stored?: boolean;
  status: CardStatus;
  thumbnailUrl?: string;
  predictions?: Prediction[];
  ms?: number;
  backend?: string;
  /** id of the model that classified it (set when done) */
  modelId?: string;
  /** how the photo was fitted into the model's input (set when done) */
  resizeMode?: ResizeMode;
  /** what a second model (ImageNet's, next to a custom one) made of it, when asked for */
  also?: AlsoResult;
  error?: string;
  note?: string;
  /** what an unfinished photo is waiting for, e.g. a second model being loaded */
  waitingFor?: string;
}

/**
 * Where a photo's outcome goes besides its card (the photo library keeps it): the top-5, the
 * pooled features and the thumbnail, which the card itself does not hold.
 */
export type PhotoOutcome =
  | {
      status: 'done';
      /** top-5, best first (the card shows the top-3) */
      predictions: Prediction[];
      ms: number;
      backend: string;
      modelId: string;
      resizeMode: ResizeMode;
      /** 8-bit pooled features, when the model has a pooled layer */
      features?: ArrayBuffer;
      thumbnail?: Blob;
    }
  | { status: 'error'; message: string; thumbnail?: Blob };

/** Everything that can happen to the gallery. */
export type GalleryAction =
  /**
   * new photos; `waiting` when no model is loaded to classify them yet; `size` / `lastModified`
   * when already read (each read of a picked file's is a synchronous trip to the browser process)
   */
  | {
      type: 'add';
      cards: { id: string; file: File; path?: string; size?: number; lastModified?: number }[];
      waiting?: boolean;
    }
  /** finished cards read back from the photo library (after a reload), put before the rest */
  | { type: 'restore'; cards: Card[] }
  /** several cards go at once (a cancelled folder, another library shown) */
  | { type: 'remove-many'; ids: string[] }
  /** a model is ready: the waiting photos join the queue */
  | { type: 'model-ready' }
  | { type: 'remove'; id: string }
  | { type: 'clear' }
  | { type: 'preprocessing'; id: string }
  | { type: 'classifying'; id: string; thumbnailUrl: string; note?: string }
  | {
      type: 'done';
      id: string;
      predictions: Prediction[];
      ms: number;
      backend: string;
      modelId?: string;
      resizeMode?: ResizeMode;
      also?: AlsoResult;
    }
  | { type: 'failed'; id: string; message: string; thumbnailUrl?: string }
  /**
   * the photo library has kept these finished cards' thumbnails: the cards drop their own object
   * URLs (the queue revokes them) and read the kept thumbnail while shown, as restored cards do
   */
  | { type: 'thumbnails-kept'; ids: string[] }
  /** an unfinished photo waits for something that takes a while (null: no longer) */
  | { type: 'waiting'; id: string; text: string | null }
  /** put unfinished cards back in the queue (e.g. after the model was reloaded) */
  | { type: 'requeue'; ids: string[] };

function update(cards: Card[], id: string, change: (card: Card) => Card): Card[] {
  return cards.map((card) => (card.id === id ? change(card) : card));
}

/** Pure reducer for the gallery. Unknown ids are ignored (the card was removed meanwhile). */
export function galleryReducer(cards: Card[], action: GalleryAction): Card[] {
  switch (action.type) {
    case 'add':
      return [
        ...cards,
        ...action.cards.map(({ id, file, path, size, lastModified }): Card => ({
          id,
          file,
          name: file.name || 'pasted image',
          path: path ?? (file.name || 'pasted image'),
          size: size ?? file.size,
          lastModified: lastModified ?? file.lastModified,
          status: action.waiting ? 'waiting' : 'queued',
        })),
      ];
    case 'restore': {
      const known = new Set(cards.map((c) => c.id));
      const fresh = action.cards.filter((c) => !known.has(c.id));
      return fresh.length > 0 ? [...fresh, ...cards] : cards;
    }
    case 'remove-many': {
      const ids = new Set(action.ids);
      return cards.some((c) => ids.has(c.id)) ? cards.filter((c) => !ids.has(c.id)) : cards;
    }
    case 'model-ready':
      return cards.some((c) => c.status === 'waiting')
        ? cards.map((c) => (c.status === 'waiting' ? { ...c, status: 'queued' } : c))
        : cards;
    case 'remove':
      return cards.filter((card) => card.id !== action.id);
    case 'clear':
      return [];
    case 'preprocessing':
      return update(cards, action.id, (c) => ({ ...c, status: 'preprocessing' }));
    case 'classifying':
      return update(cards, action.id, (c) => {
        const next: Card = { ...c, status: 'classifying', thumbnailUrl: action.thumbnailUrl };
        if (action.note) next.note = action.note;
        return next;
      });
    case 'waiting':
      return update(cards, action.id, (c) => {
        if (c.status === 'done' || c.status === 'error') return c;
        const next: Card = { ...c };
        if (action.text) next.waitingFor = action.text;
        else delete next.waitingFor;
        return next;
      });
    case 'done':
      return update(cards, action.id, (c) => {
        const next: Card = {
          ...c,
          status: 'done',
          predictions: action.predictions,
          ms: action.ms,
          backend: action.backend,
        };
        if (action.modelId !== undefined) next.modelId = action.modelId;
        if (action.resizeMode !== undefined) next.resizeMode = action.resizeMode;
        if (action.also) next.also = action.also;
        else delete next.also;
        delete next.waitingFor;
        return next;
      });
    case 'failed':
      return update(cards, action.id, (c) => {
        const next: Card = { ...c, status: 'error', error: action.message };
        delete next.waitingFor;
        if (action.thumbnailUrl) next.thumbnailUrl = action.thumbnailUrl;
        return next;
      });
    case 'thumbnails-kept': {
      const ids = new Set(action.ids);
      if (!cards.some((c) => ids.has(c.id) && (c.status === 'done' || c.status === 'error')))
        return cards;
      return cards.map((c) => {
        if (!ids.has(c.id) || (c.status !== 'done' && c.status !== 'error')) return c;
        const next: Card = { ...c, stored: true };
        delete next.thumbnailUrl;
        return next;
      });
    }
    case 'requeue': {
      const ids = new Set(action.ids);
      return cards.map((c) => {
        if (!ids.has(c.id) || c.status === 'done' || c.status === 'error') return c;
        const next: Card = { ...c, status: 'queued' };
        delete next.waitingFor;
        return next;
      });
    }
  }
}

/** Counts per status, for the toolbar. */
export function countByStatus(cards: Card[]): Record<CardStatus, number> {
  const counts: Record<CardStatus, number> = {
    waiting: 0,
    queued: 0,
    preprocessing: 0,
    classifying: 0,
    done: 0,
    error: 0,
  };
  for (const card of cards) counts[card.status]++;
  return counts;
}

/**
 * The queued cards to start now, in order, so that at most `limit` are between "preprocessing"
 * and "done"; `started` holds cards already handed to the pipeline whose status has not moved yet.
 */
export function cardsToStart(
  cards: readonly Card[],
  started: ReadonlySet<string>,
  limit: number,
): Card[] {
  let busy = cards.filter((c) => c.status === 'preprocessing' || c.status === 'classifying').length;
  const out: Card[] = [];
  for (const card of cards) {
    if (busy >= limit) break;
    if (card.status !== 'queued' || !card.file || started.has(card.id)) continue;
    out.push(card);
    busy += 1;
  }
  return out;
}
