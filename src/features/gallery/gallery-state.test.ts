import { describe, expect, test } from 'vitest';
import type { Prediction } from '../../inference/protocol';
import {
  cardsToStart,
  countByStatus,
  galleryReducer,
  type Card,
  type GalleryAction,
} from './gallery-state';

function file(name: string): File {
  return new File([new Uint8Array([1, 2, 3])], name, { type: 'image/jpeg' });
}

const predictions: Prediction[] = [
  { index: 207, label: 'golden retriever', probability: 0.9 },
  { index: 208, label: 'Labrador retriever', probability: 0.05 },
];

function run(actions: GalleryAction[], start: Card[] = []): Card[] {
  return actions.reduce(galleryReducer, start);
}

function card(cards: Card[], id: string): Card {
  const found = cards.find((c) => c.id === id);
  if (!found) throw new Error(`no card ${id}`);
  return found;
}

const threeCards: GalleryAction = {
  type: 'add',
  cards: [
    { id: 'a', file: file('a.jpg') },
    { id: 'b', file: file('b.jpg') },
    { id: 'c', file: file('c.jpg') },
  ],
};

describe('galleryReducer', () => {
  test('add appends queued cards named after their files, in order', () => {
    const f = file('dog.jpg');
    const one = galleryReducer([], { type: 'add', cards: [{ id: 'x', file: f }] });
    expect(one).toEqual([
      {
        id: 'x',
        file: f,
        name: 'dog.jpg',
        path: 'dog.jpg',
        size: f.size,
        lastModified: f.lastModified,
        status: 'queued',
      },
    ]);
    const more = galleryReducer(one, threeCards);
    expect(more.map((c) => c.id)).toEqual(['x', 'a', 'b', 'c']);
    expect(more[0]).toBe(one[0]);
  });

  test('add keeps a folder-relative path; restore puts kept cards first, once; remove-many', () => {
    const f = file('a.jpg');
    const added = galleryReducer([], {
      type: 'add',
      cards: [{ id: 'n', file: f, path: 'x/a.jpg' }],
    });
    expect(added[0]!.path).toBe('x/a.jpg');
    const kept = { id: 'k', name: 'k.jpg', path: 'y/k.jpg', status: 'done' as const, stored: true };
    const restored = galleryReducer(added, { type: 'restore', cards: [kept] });
    expect(restored.map((c) => c.id)).toEqual(['k', 'n']);
    expect(galleryReducer(restored, { type: 'restore', cards: [kept] })).toBe(restored);
    expect(galleryReducer(restored, { type: 'remove-many', ids: ['k', 'n'] })).toEqual([]);
    expect(galleryReducer(restored, { type: 'remove-many', ids: ['zz'] })).toBe(restored);
  });

  test("a file without a name is called 'pasted image'", () => {
    const cards = galleryReducer([], { type: 'add', cards: [{ id: 'p', file: file('') }] });
    expect(card(cards, 'p').name).toBe('pasted image');
  });

  test('walks a card through queued → preprocessing → classifying → done', () => {
    const added = run([threeCards]);
    let cards = added;
    expect(card(cards, 'b').status).toBe('queued');

    cards = galleryReducer(cards, { type: 'preprocessing', id: 'b' });
    expect(card(cards, 'b').status).toBe('preprocessing');

    cards = galleryReducer(cards, {
      type: 'classifying',
      id: 'b',
      thumbnailUrl: 'blob:thumb-b',
      note: 'GIF: the first frame was classified',
    });
    expect(card(cards, 'b')).toMatchObject({
      status: 'classifying',
      thumbnailUrl: 'blob:thumb-b',
      note: 'GIF: the first frame was classified',
    });

    cards = galleryReducer(cards, {
      type: 'done',
      id: 'b',
      predictions,
      ms: 42,
      backend: 'wasm',
    });
    expect(card(cards, 'b')).toMatchObject({
      status: 'done',
      predictions,
      ms: 42,
      backend: 'wasm',
      thumbnailUrl: 'blob:thumb-b',
      name: 'b.jpg',
    });
    // The other cards are untouched (the very same objects).
    expect(card(cards, 'a')).toBe(card(added, 'a'));
    expect(card(cards, 'c')).toBe(card(added, 'c'));
    expect(card(added, 'b').status).toBe('queued');
  });

  test('done records the model id when given, and sets none otherwise', () => {
    const cards = run([
      threeCards,
      { type: 'done', id: 'a', predictions, ms: 5, backend: 'wasm', modelId: 'inception-v3' },
      { type: 'done', id: 'b', predictions, ms: 5, backend: 'wasm' },
    ]);
    expect(card(cards, 'a').modelId).toBe('inception-v3');
    expect(card(cards, 'b')).not.toHaveProperty('modelId');
  });

  test('done records the resize mode that made the numbers, when given', () => {
    const cards = run([
      threeCards,
      { type: 'done', id: 'a', predictions, ms: 5, backend: 'wasm', resizeMode: 'keras' },
      { type: 'done', id: 'b', predictions, ms: 5, backend: 'wasm', resizeMode: 'center-crop' },
      { type: 'done', id: 'c', predictions, ms: 5, backend: 'wasm' },
    ]);
    expect(card(cards, 'a').resizeMode).toBe('keras');
    expect(card(cards, 'b').resizeMode).toBe('center-crop');
    expect(card(cards, 'c')).not.toHaveProperty('resizeMode');
  });

  test("done keeps a second model's answer, and a later answer without one drops it", () => {
    const also = { modelId: 'inception-v3', name: 'InceptionV3', predictions };
    const first = run([
      threeCards,
      { type: 'done', id: 'a', predictions, ms: 5, backend: 'wasm', also },
    ]);
    expect(card(first, 'a').also).toEqual(also);
    const again = galleryReducer(first, {
      type: 'done',
      id: 'a',
      predictions,
      ms: 5,
      backend: 'wasm',
    });
    expect(card(again, 'a')).not.toHaveProperty('also');
  });

  test('waiting text shows while a photo is unfinished and goes when it is done', () => {
    const waiting = run([
      threeCards,
      { type: 'classifying', id: 'a', thumbnailUrl: 'blob:a' },
      { type: 'waiting', id: 'a', text: 'loading InceptionV3 (40%)' },
    ]);
    expect(card(waiting, 'a').waitingFor).toBe('loading InceptionV3 (40%)');
    expect(
      card(galleryReducer(waiting, { type: 'waiting', id: 'a', text: null }), 'a'),
    ).not.toHaveProperty('waitingFor');
    const done = galleryReducer(waiting, {
      type: 'done',
      id: 'a',
      predictions,
      ms: 5,
      backend: 'wasm',
    });
    expect(card(done, 'a')).not.toHaveProperty('waitingFor');
    // a late progress message does not touch a finished card
    const late = galleryReducer(done, { type: 'waiting', id: 'a', text: 'late' });
    expect(card(late, 'a')).toBe(card(done, 'a'));
    // back in the queue (the worker restarted): what it waited for is old news
    const requeued = galleryReducer(waiting, { type: 'requeue', ids: ['a'] });
    expect(card(requeued, 'a').status).toBe('queued');
    expect(card(requeued, 'a')).not.toHaveProperty('waitingFor');
  });

  test('classifying without a note sets no note', () => {
    const cards = run([threeCards, { type: 'classifying', id: 'a', thumbnailUrl: 'blob:a' }]);
    expect(card(cards, 'a')).not.toHaveProperty('note');
  });

  test('failed moves a card to error from any unfinished status, keeping a thumbnail', () => {
    for (const step of [
      [],
      [{ type: 'preprocessing', id: 'a' }],
      [
        { type: 'preprocessing', id: 'a' },
        { type: 'classifying', id: 'a', thumbnailUrl: 'blob:a' },
      ],
    ] as GalleryAction[][]) {
      const cards = run([
        threeCards,
        ...step,
        { type: 'failed', id: 'a', message: 'not an image' },
      ]);
      expect(card(cards, 'a')).toMatchObject({ status: 'error', error: 'not an image' });
    }
    const withThumb = run([
      threeCards,
      { type: 'failed', id: 'a', message: 'truncated', thumbnailUrl: 'blob:t' },
    ]);
    expect(card(withThumb, 'a').thumbnailUrl).toBe('blob:t');
    const noThumb = run([threeCards, { type: 'failed', id: 'a', message: 'x' }]);
    expect(card(noThumb, 'a')).not.toHaveProperty('thumbnailUrl');
  });

  test('failed after classifying keeps the earlier thumbnail when none is given', () => {
    const cards = run([
      threeCards,
      { type: 'classifying', id: 'a', thumbnailUrl: 'blob:a' },
      { type: 'failed', id: 'a', message: 'worker stopped' },
    ]);
    expect(card(cards, 'a')).toMatchObject({ status: 'error', thumbnailUrl: 'blob:a' });
  });

  test('thumbnails-kept: finished cards drop their own thumbnail URL and read the kept one; others stay', () => {
    const cards = run([
      threeCards,
      { type: 'classifying', id: 'a', thumbnailUrl: 'blob:a' },
      { type: 'done', id: 'a', predictions, ms: 1, backend: 'cpu' },
      { type: 'classifying', id: 'b', thumbnailUrl: 'blob:b' },
      { type: 'failed', id: 'b', message: 'worker stopped' },
      { type: 'classifying', id: 'c', thumbnailUrl: 'blob:c' },
    ]);
    const kept = galleryReducer(cards, { type: 'thumbnails-kept', ids: ['a', 'b', 'c', 'gone'] });
    expect(card(kept, 'a')).not.toHaveProperty('thumbnailUrl');
    expect(card(kept, 'a')).toMatchObject({ status: 'done', stored: true, predictions });
    expect(card(kept, 'a').file?.name).toBe('a.jpg'); // "Why?" still has the photo
    expect(card(kept, 'b')).toMatchObject({ status: 'error', stored: true });
    expect(card(kept, 'b')).not.toHaveProperty('thumbnailUrl');
    // Still classifying: not finished, so not kept yet; its URL stays.
    expect(card(kept, 'c')).toMatchObject({ status: 'classifying', thumbnailUrl: 'blob:c' });
    expect(card(kept, 'c')).not.toHaveProperty('stored');
    // Nothing to do: the same array.
    expect(galleryReducer(kept, { type: 'thumbnails-kept', ids: ['c', 'gone'] })).toBe(kept);
  });

  test('does not mutate the previous state', () => {
    const before = run([threeCards]);
    const snapshot = structuredClone(before.map(({ file: _f, ...rest }) => rest));
    galleryReducer(before, { type: 'preprocessing', id: 'a' });
    galleryReducer(before, { type: 'done', id: 'b', predictions, ms: 1, backend: 'cpu' });
    galleryReducer(before, { type: 'remove', id: 'c' });
    expect(before.map(({ file: _f, ...rest }) => rest)).toEqual(snapshot);
  });

  test('remove drops one card; clear drops all', () => {
    const cards = run([threeCards, { type: 'remove', id: 'b' }]);
    expect(cards.map((c) => c.id)).toEqual(['a', 'c']);
    expect(galleryReducer(cards, { type: 'clear' })).toEqual([]);
  });

  test.each<GalleryAction>([
    { type: 'remove', id: 'zzz' },
    { type: 'preprocessing', id: 'zzz' },
    { type: 'classifying', id: 'zzz', thumbnailUrl: 'blob:z' },
    { type: 'done', id: 'zzz', predictions, ms: 1, backend: 'cpu' },
    { type: 'failed', id: 'zzz', message: 'gone' },
    { type: 'requeue', ids: ['zzz'] },
  ])('an unknown id is ignored ($type)', (action) => {
    const before = run([threeCards]);
    const after = galleryReducer(before, action);
    expect(after).toEqual(before);
    after.forEach((c, i) => expect(c).toBe(before[i]));
  });

  test('requeue puts back only unfinished listed cards', () => {
    const cards = run([
      {
        type: 'add',
        cards: ['q', 'p', 'k', 'd', 'e', 'unlisted'].map((id) => ({ id, file: file(`${id}.jpg`) })),
      },
      { type: 'preprocessing', id: 'p' },
      { type: 'classifying', id: 'k', thumbnailUrl: 'blob:k' },
      { type: 'done', id: 'd', predictions, ms: 3, backend: 'webgl' },
      { type: 'failed', id: 'e', message: 'bad' },
      { type: 'preprocessing', id: 'unlisted' },
    ]);
    const after = galleryReducer(cards, { type: 'requeue', ids: ['q', 'p', 'k', 'd', 'e'] });
    expect(after.map((c) => [c.id, c.status])).toEqual([
      ['q', 'queued'],
      ['p', 'queued'],
      ['k', 'queued'],
      ['d', 'done'],
      ['e', 'error'],
      ['unlisted', 'preprocessing'],
    ]);
    expect(card(after, 'd')).toBe(card(cards, 'd'));
    expect(card(after, 'e')).toBe(card(cards, 'e'));
    expect(card(after, 'd').predictions).toEqual(predictions);
  });
});

describe('photos added without a model', () => {
  test('wait, may be refused, and join the queue in order once a model is ready', () => {
    const waiting = run([
      { type: 'add', cards: [{ id: 'a', file: file('a.png') }] },
      {
        type: 'add',
        cards: [
          { id: 'b', file: file('b.png') },
          { id: 'c', file: file('c.jpg') },
        ],
        waiting: true,
      },
      { type: 'failed', id: 'c', message: 'not an image' },
    ]);
    expect(waiting.map((c) => c.status)).toEqual(['queued', 'waiting', 'error']);
    expect(countByStatus(waiting).waiting).toBe(1);
    const ready = galleryReducer(waiting, { type: 'model-ready' });
    expect(ready.map((c) => [c.id, c.status])).toEqual([
      ['a', 'queued'],
      ['b', 'queued'],
      ['c', 'error'],
    ]);
    expect(card(ready, 'c').error).toBe('not an image');
    // nothing waiting: the same array, so nothing re-renders
    expect(galleryReducer(ready, { type: 'model-ready' })).toBe(ready);
  });
});

describe('countByStatus', () => {
  test('counts every status, zero for absent ones', () => {
    expect(countByStatus([])).toEqual({
      waiting: 0,
      queued: 0,
      preprocessing: 0,
      classifying: 0,
      done: 0,
      error: 0,
    });
    const cards = run([
      {
        type: 'add',
        cards: ['1', '2', '3', '4', '5', '6'].map((id) => ({ id, file: file(`${id}.png`) })),
      },
      { type: 'preprocessing', id: '2' },
      { type: 'classifying', id: '3', thumbnailUrl: 'blob:3' },
      { type: 'done', id: '4', predictions, ms: 1, backend: 'wasm' },
      { type: 'done', id: '5', predictions, ms: 1, backend: 'wasm' },
      { type: 'failed', id: '6', message: 'x' },
    ]);
    expect(countByStatus(cards)).toEqual({
      waiting: 0,
      queued: 1,
      preprocessing: 1,
      classifying: 1,
      done: 2,
      error: 1,
    });
  });
});

describe('cardsToStart', () => {
  const photo = file('x.jpg');
  const make = (id: string, status: Card['status'], withFile = true): Card => ({
    id,
    name: `${id}.jpg`,
    path: `${id}.jpg`,
    status,
    ...(withFile ? { file: photo } : {}),
  });

  test('starts queued cards in order until the limit counts those under way', () => {
    const cards = [
      make('a', 'done'),
      make('b', 'classifying'),
      make('c', 'queued'),
      make('d', 'queued'),
    ];
    expect(cardsToStart(cards, new Set(), 2).map((c) => c.id)).toEqual(['c']);
    expect(cardsToStart(cards, new Set(), 3).map((c) => c.id)).toEqual(['c', 'd']);
    expect(cardsToStart(cards, new Set(), 1)).toEqual([]);
  });

  test('skips cards already started, waiting ones and cards without a file', () => {
    const cards = [
      make('a', 'queued'),
      make('b', 'waiting'),
      make('c', 'queued', false),
      make('d', 'queued'),
    ];
    expect(cardsToStart(cards, new Set(['a']), 2).map((c) => c.id)).toEqual(['d']);
  });
});
