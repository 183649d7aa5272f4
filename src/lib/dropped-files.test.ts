import { describe, expect, test } from 'vitest';
import { fakeDrop, fileOf, filesOnlyDrop, folder } from '../test/fake-drop';
import { droppedFiles } from './dropped-files';

const paths = (list: { path: string }[]): string[] => list.map((f) => f.path);

describe('droppedFiles', () => {
  test('walks nested folders, keeping folder-relative paths and the File objects', async () => {
    const deep = fileOf('c.gif');
    const drop = fakeDrop([
      folder('photos', fileOf('a.jpg'), folder('sub', fileOf('b.png'), folder('deeper', deep))),
    ]);
    const got = await droppedFiles(drop.data);
    expect(paths(got)).toEqual(['photos/a.jpg', 'photos/sub/b.png', 'photos/sub/deeper/c.gif']);
    expect(got[2]!.file).toBe(deep);
  });

  test('reads a folder of more than 100 entries in batches until an empty one', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `img-${String(i).padStart(3, '0')}.jpg`);
    const drop = fakeDrop([folder('many', ...names.map((name) => fileOf(name)))]);
    const got = await droppedFiles(drop.data);
    expect(paths(got)).toEqual(names.map((name) => `many/${name}`));
    expect(drop.readEntriesCalls).toBe(4); // 100 + 100 + 50 + the empty batch
  });

  test('keepInFolder filters files found in folders; directly dropped files are all kept', async () => {
    const asked: [string, string][] = [];
    const keepInFolder = (name: string, type: string): boolean => {
      asked.push([name, type]);
      return !name.startsWith('.') && type.startsWith('image/');
    };
    const drop = fakeDrop([
      folder(
        'shoot',
        fileOf('.DS_Store'),
        fileOf('notes.txt', 'text/plain'),
        fileOf('a.jpg', 'image/jpeg'),
        folder('.hidden', fileOf('b.png', 'image/png')),
      ),
      fileOf('readme.txt', 'text/plain'),
    ]);
    const got = await droppedFiles(drop.data, { keepInFolder });
    expect(paths(got)).toEqual(['shoot/a.jpg', 'shoot/.hidden/b.png', 'readme.txt']);
    expect(asked).toEqual([
      ['.DS_Store', ''],
      ['notes.txt', 'text/plain'],
      ['a.jpg', 'image/jpeg'],
      ['b.png', 'image/png'],
    ]);
  });

  test('walkFolder decides which folders inside a drop are opened; a dropped folder always is', async () => {
    const drop = fakeDrop([
      folder(
        '.dropped',
        fileOf('a.jpg'),
        folder('.skip', fileOf('b.jpg')),
        folder('in', fileOf('c.jpg')),
      ),
    ]);
    const asked: string[] = [];
    const got = await droppedFiles(drop.data, {
      walkFolder: (name) => {
        asked.push(name);
        return !name.startsWith('.');
      },
    });
    expect(paths(got)).toEqual(['.dropped/a.jpg', '.dropped/in/c.jpg']);
    expect(asked).toEqual(['.skip', 'in']);
    expect(drop.readEntriesCalls).toBe(4); // .dropped and in, each a batch then an empty one
  });

  test('sort orders each folder by name; without it the listed order stays; drop order stays', async () => {
    const tree = () => [
      fileOf('z.jpg'),
      folder('b', fileOf('y.jpg'), fileOf('X.jpg')),
      folder('a', fileOf('c.jpg'), fileOf('B.jpg'), fileOf('a.jpg')),
    ];
    const sorted = await droppedFiles(fakeDrop(tree()).data, { sort: true });
    expect(paths(sorted)).toEqual(['z.jpg', 'b/X.jpg', 'b/y.jpg', 'a/a.jpg', 'a/B.jpg', 'a/c.jpg']);
    const listed = await droppedFiles(fakeDrop(tree()).data);
    expect(paths(listed)).toEqual(['z.jpg', 'b/y.jpg', 'b/X.jpg', 'a/c.jpg', 'a/B.jpg', 'a/a.jpg']);
  });

  test('a folder then a plain file: the file is taken before the items go dead', async () => {
    const plain = fileOf('later.jpg', 'image/jpeg');
    const drop = fakeDrop([folder('album', fileOf('one.jpg')), plain]);
    const got = droppedFiles(drop.data);
    await Promise.resolve();
    // The fake behaves like a browser after the drop handler returned.
    expect(drop.alive).toBe(false);
    const item = Array.from(drop.data.items)[1]!;
    expect(item.getAsFile()).toBeNull();
    expect(item.webkitGetAsEntry()).toBeNull();
    const files = await got;
    expect(paths(files)).toEqual(['album/one.jpg', 'later.jpg']);
    expect(files[1]!.file).toBe(plain);
  });

  test('without items, the plain files are returned with their names as paths', async () => {
    const a = fileOf('a.jpg');
    const b = fileOf('b.txt');
    expect(await droppedFiles(filesOnlyDrop([a, b]))).toEqual([
      { path: 'a.jpg', file: a },
      { path: 'b.txt', file: b },
    ]);
    expect(await droppedFiles(filesOnlyDrop([]))).toEqual([]);
  });
});
