import { describe, expect, test } from 'vitest';
import { fakeDrop, fileOf, folder } from '../../test/fake-drop';
import { filesFromDataTransfer, isImageLike } from './collect-files';

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
    const files = await filesFromDataTransfer(drop.data);
    expect(files.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg', 'a.HEIC', 'scan', 'notes.pdf']);
  });

  test('isImageLike: image type or image extension, never a hidden file', () => {
    expect(isImageLike('photo.JPG', '')).toBe(true);
    expect(isImageLike('scan', 'image/png')).toBe(true);
    expect(isImageLike('.photo.jpg', 'image/jpeg')).toBe(false);
    expect(isImageLike('notes.txt', 'text/plain')).toBe(false);
  });
});
