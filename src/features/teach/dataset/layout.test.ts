import { describe, expect, it } from 'vitest';
import { parseLayout } from './layout';

const entries = (paths: string[]) => paths.map((path) => ({ path, source: path }));

describe('parseLayout', () => {
  it('reads class folders under the picked folder, sorted as Keras sorts them', () => {
    const layout = parseLayout(
      entries([
        'flowers/tulip/1.jpg',
        'flowers/Rose/a.PNG',
        'flowers/rose/b.jpeg',
        'flowers/tulip/deep/2.webp',
      ]),
    );
    expect(layout.classes).toEqual(['Rose', 'rose', 'tulip']);
    expect(layout.hasSplits).toBe(false);
    expect(layout.photos.map((p) => [p.path, p.className, p.split])).toEqual([
      ['tulip/1.jpg', 'tulip', null],
      ['Rose/a.PNG', 'Rose', null],
      ['rose/b.jpeg', 'rose', null],
      ['tulip/deep/2.webp', 'tulip', null],
    ]);
    expect(layout.skipped).toEqual([]);
  });

  it('reads a ZIP without a top folder the same way', () => {
    const layout = parseLayout(entries(['cats/1.jpg', 'dogs/1.jpg', 'dogs/2.gif']));
    expect(layout.classes).toEqual(['cats', 'dogs']);
    expect(layout.photos).toHaveLength(3);
  });

  it('uses train/ and validation/ as given', () => {
    const layout = parseLayout(
      entries([
        'data/train/cats/1.jpg',
        'data/train/dogs/1.jpg',
        'data/validation/cats/2.jpg',
        'data/validation/birds/2.jpg',
        'data/test/cats/3.jpg',
        'data/README.md',
      ]),
    );
    expect(layout.hasSplits).toBe(true);
    expect(layout.classes).toEqual(['birds', 'cats', 'dogs']);
    expect(layout.photos.map((p) => `${p.split}:${p.className}:${p.path}`)).toEqual([
      'train:cats:train/cats/1.jpg',
      'train:dogs:train/dogs/1.jpg',
      'validation:cats:validation/cats/2.jpg',
      'validation:birds:validation/birds/2.jpg',
    ]);
    expect(layout.skipped).toEqual([
      { path: 'data/README.md', reason: 'not a photo (.md)' },
      { path: 'data/test/cats/3.jpg', reason: 'outside train/ and validation/' },
    ]);
  });

  it('lists junk files with a reason instead of failing', () => {
    const layout = parseLayout(
      entries([
        'set/a/1.jpg',
        'set/a/notes.txt',
        'set/a/.DS_Store',
        '__MACOSX/set/a/._1.jpg',
        'set/b/noext',
        'set/loose.jpg',
      ]),
    );
    expect(layout.classes).toEqual(['a']);
    expect(layout.photos.map((p) => p.path)).toEqual(['a/1.jpg']);
    expect(layout.skipped.map((s) => s.reason)).toEqual([
      'not a photo (.txt)',
      'hidden file',
      'macOS metadata',
      'not a photo (no extension)',
      'not in a class folder',
    ]);
  });

  it('gives an empty layout for nothing usable', () => {
    const layout = parseLayout(entries(['readme.txt']));
    expect(layout.classes).toEqual([]);
    expect(layout.photos).toEqual([]);
    expect(layout.skipped).toHaveLength(1);
  });
});
