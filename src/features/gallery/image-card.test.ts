import { describe, expect, it } from 'vitest';
import type { Card } from './gallery-state';
import { sameCardProps } from './image-card';

const card: Card = { id: 'a', name: 'a.jpg', path: 'a.jpg', status: 'queued' };
const onRemove = (): void => undefined;

describe('sameCardProps (the memoised card draws again only when it changed)', () => {
  it('is true for the same card object and callbacks, also with an equal new position', () => {
    expect(sameCardProps({ card, onRemove }, { card, onRemove })).toBe(true);
    expect(
      sameCardProps(
        { card, onRemove, position: { index: 1, of: 3 } },
        { card, onRemove, position: { index: 1, of: 3 } },
      ),
    ).toBe(true);
  });

  it('is false when the card, a callback or the place in the list changed', () => {
    expect(sameCardProps({ card, onRemove }, { card: { ...card }, onRemove })).toBe(false);
    expect(sameCardProps({ card, onRemove }, { card, onRemove: () => undefined })).toBe(false);
    expect(sameCardProps({ card, onRemove }, { card, onRemove, renderActions: () => null })).toBe(
      false,
    );
    expect(
      sameCardProps(
        { card, onRemove, position: { index: 1, of: 3 } },
        { card, onRemove, position: { index: 2, of: 3 } },
      ),
    ).toBe(false);
  });

  it('is true when only the list size changed (the virtual grid writes that onto the cards)', () => {
    expect(
      sameCardProps(
        { card, onRemove, position: { index: 1, of: 3 } },
        { card, onRemove, position: { index: 1, of: 4 } },
      ),
    ).toBe(true);
  });
});
