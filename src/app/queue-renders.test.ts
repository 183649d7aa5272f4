// @vitest-environment happy-dom
/**
 * What a photo's result draws again: the card that changed and what shows the cards (the
 * gallery's counters), never the component that owns the queue (the whole app, in the page)
 * nor a card whose photo is still under way. Renders are counted, nothing is timed.
 */
import { act, createElement as h, useCallback } from 'react';

import { describe, expect, test, vi } from 'vitest';
import type { InferenceClient } from '../inference/client';
import type { ClassifyResult, LoadedModelInfo } from '../inference/protocol';
import { Gallery } from '../features/gallery/gallery';
import type { Card, GalleryAction } from '../features/gallery/gallery-state';
import { useStore, type Store } from '../lib/store';
import { useClassificationQueue } from './use-classification-queue';
import { useTestRoot } from '../test/react-root';

vi.mock('../preprocess/preprocess-off-thread', () => ({
  preprocessOffThread: () =>
    Promise.resolve({
      pixels: new ArrayBuffer(4),
      width: 1,
      height: 1,
      thumbnail: new Blob(['thumbnail'], { type: 'image/jpeg' }),
    }),
}));

const MODEL = { id: 'm', name: 'M', inputSize: 299, url: 'u' } as unknown as LoadedModelInfo;

/** A worker whose photos answer when the test says. */
function fakeClient() {
  const answers: ((result: ClassifyResult) => void)[] = [];
  const client = {
    classify: () => new Promise<ClassifyResult>((resolve) => answers.push(resolve)),
  } as unknown as InferenceClient;
  return { client, answers };
}

const result: ClassifyResult = {
  predictions: [{ index: 1, label: 'cat', probability: 0.9 }],
  ms: 5,
  backend: 'wasm',
} as unknown as ClassifyResult;

/** Lets the pipeline's promises (preprocess → classify) move on, inside act. */
async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

describe('a result draws only its card and the counters', () => {
  const dom = useTestRoot((n) => `blob:test-${n}`);

  test('the queue owner and a card still under way do not render again on a result', async () => {
    const { client, answers } = fakeClient();
    let ownerRenders = 0;
    const cardRenders = new Map<string, number>();
    let addFiles: ((files: readonly File[]) => string[]) | null = null;

    function Cards({ store }: { store: Store<Card[], GalleryAction> }) {
      const cards = useStore(store);
      // A card calls its actions each time it renders: that is the count.
      const actions = useCallback((card: Card) => {
        cardRenders.set(card.name, (cardRenders.get(card.name) ?? 0) + 1);
        return null;
      }, []);
      const noop = useCallback(() => undefined, []);
      return h(Gallery, { cards, onRemove: noop, onClear: noop, renderActions: actions });
    }
    function Owner() {
      ownerRenders += 1;
      const queue = useClassificationQueue(client, MODEL, 'squash');
      addFiles = queue.addFiles;
      return h(Cards, { store: queue.store });
    }

    act(() => dom.root.render(h(Owner)));
    const files = ['a.jpg', 'b.jpg', 'c.jpg'].map(
      (name) => new File(['x'], name, { type: 'image/jpeg' }),
    );
    act(() => void addFiles!(files));
    await settle();
    // Two in flight: a and b are being classified, c waits.
    expect(answers).toHaveLength(2);
    const summary = () => dom.container.querySelector('[data-testid=gallery-summary]')?.textContent;
    expect(summary()).toContain('0 done');
    const owner = ownerRenders;
    const before = new Map(cardRenders);

    answers[0]!(result);
    await settle();

    expect(summary()).toContain('1 done');
    const statuses = [...dom.container.querySelectorAll('[data-testid=image-card]')].map(
      (el) => `${el.getAttribute('data-filename')}:${el.getAttribute('data-status')}`,
    );
    expect(statuses).toEqual(['a.jpg:done', 'b.jpg:classifying', 'c.jpg:classifying']);
    // The owner of the queue (the app) did not draw again.
    expect(ownerRenders).toBe(owner);
    // a changed and drew again; c started (the next photo) and drew; b, still under way, did not.
    expect(cardRenders.get('a.jpg')!).toBeGreaterThan(before.get('a.jpg')!);
    expect(cardRenders.get('b.jpg')).toBe(before.get('b.jpg'));
    expect(answers).toHaveLength(3);
  });
});
