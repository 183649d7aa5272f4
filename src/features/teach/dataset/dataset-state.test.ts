import { describe, expect, it } from 'vitest';
import { classCounts, countsLine, movePhoto, setExcluded, type Dataset } from './dataset-state';

const dataset: Dataset = {
  name: 'pets',
  classes: ['cats', 'dogs'],
  photos: [
    { id: 'cats/1.jpg', hash: 'a', label: 0, split: null, excluded: false },
    { id: 'cats/2.jpg', hash: 'b', label: 0, split: null, excluded: false },
    { id: 'dogs/1.jpg', hash: 'c', label: 1, split: null, excluded: false },
  ],
  skipped: [{ path: 'notes.txt', reason: 'not a photo (.txt)' }],
  hasSplits: false,
};

describe('dataset state', () => {
  it('moves and excludes photos, and the counts follow', () => {
    expect(classCounts(dataset)).toEqual([2, 1]);
    const moved = movePhoto(dataset, 'cats/2.jpg', 1);
    expect(classCounts(moved)).toEqual([1, 2]);
    expect(dataset.photos[1]!.label).toBe(0); // not changed in place
    const excluded = setExcluded(moved, 'dogs/1.jpg', true);
    expect(classCounts(excluded)).toEqual([1, 1]);
    expect(countsLine(excluded)).toBe('2 photos in 2 classes · 1 excluded · 1 files not used');
    expect(classCounts(setExcluded(excluded, 'dogs/1.jpg', false))).toEqual([1, 2]);
    expect(() => movePhoto(dataset, 'cats/1.jpg', 2)).toThrow(/not one of the 2/);
  });
});
