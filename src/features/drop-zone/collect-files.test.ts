import { describe, expect, test } from 'vitest';
import { fakeDrop, fileOf, folder } from '../../test/fake-drop';
import { filesFromDataTransfer, isImageLike, isVisibleFolder } from './collect-files';

describe('files from a drop', () => {
  test('folders give their images in name order; directly dropped files are all kept', async () => {
    const drop = fakeDrop([
      folder(
        'trip',
        fileOf('b.jpg', 'image/jpeg'),
        fileOf('.DS_Store'),
        fileOf('notes.txt', 'text/plain'),
        folder('day1', fileOf('scan', 'image/png'), fileOf('a.HEIC')),
        fileOf('a.jpg', 'image/jpeg'),
      ),
      fileOf('notes.pdf', 'application/pdf'),
    ]);
    const { files, paths } = await filesFromDataTransfer(drop.data);
    expect(files.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg', 'a.HEIC', 'scan', 'notes.pdf']);
    expect(paths).toEqual(['a.jpg', 'b.jpg', 'day1/a.HEIC', 'day1/scan', 'notes.pdf']);
  });

  test('paths are relative to each dropped folder; hidden files and folders are neither walked nor counted', async () => {
    const inHidden = fileOf('kept-out.jpg', 'image/jpeg');
    const drop = fakeDrop([
      folder(
        'holiday',
        fileOf('.hidden.jpg', 'image/jpeg'),
        folder('.thumbs', inHidden, folder('deeper', fileOf('x.jpg', 'image/jpeg'))),
        folder('2024', folder('june', fileOf('p2.jpg', 'image/jpeg'), fileOf('p1.jpg'))),
        fileOf('top.png', 'image/png'),
      ),
      folder('other', fileOf('top.png', 'image/png')),
      fileOf('loose.jpg', 'image/jpeg'),
    ]);
    const { files, paths } = await filesFromDataTransfer(drop.data);
    expect(paths).toEqual([
      '2024/june/p1.jpg',
      '2024/june/p2.jpg',
      'top.png',
      'top.png',
      'loose.jpg',
    ]);
    expect(files).toHaveLength(paths.length);
    expect(files).not.toContain(inHidden);
    // Three folders were read (holiday, 2024, june) plus "other": .thumbs was never opened.
    expect(drop.readEntriesCalls).toBe(8); // each: one batch, then the empty one
  });

  test('isImageLike: image type or image extension, never a hidden file', () => {
    expect(isImageLike('photo.JPG', '')).toBe(true);
    expect(isImageLike('scan', 'image/png')).toBe(true);
    expect(isImageLike('.photo.jpg', 'image/jpeg')).toBe(false);
    expect(isImageLike('notes.txt', 'text/plain')).toBe(false);
  });

  test('isVisibleFolder: any folder but a hidden one', () => {
    expect(isVisibleFolder('2024')).toBe(true);
    expect(isVisibleFolder('.thumbs')).toBe(false);
  });
});
