import { describe, expect, test } from 'vitest';
import { fromDirectoryHandle, fromFolderPick, isHiddenPath } from './folder-files';

function picked(path: string): File {
  const file = new File(['x'], path.split('/').pop()!);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('folder files', () => {
  test('a folder pick: paths without the folder, hidden files and folders left out, in order', () => {
    const { folder, files } = fromFolderPick([
      picked('trip/b/photo10.jpg'),
      picked('trip/.DS_Store'),
      picked('trip/.thumbs/a.jpg'),
      picked('trip/b/photo2.jpg'),
      picked('trip/notes.txt'),
      picked('trip/a.jpg'),
    ]);
    expect(folder).toBe('trip');
    expect(files.map((f) => f.path)).toEqual([
      'a.jpg',
      'b/photo2.jpg',
      'b/photo10.jpg',
      'notes.txt',
    ]);
  });
  test('isHiddenPath looks at every part', () => {
    expect(isHiddenPath('a/.b/c.jpg')).toBe(true);
    expect(isHiddenPath('a/b/.c.jpg')).toBe(true);
    expect(isHiddenPath('a/b.c/d.jpg')).toBe(false);
  });
  test('a directory handle is walked, hidden entries skipped', async () => {
    const file = (name: string) => ({
      kind: 'file' as const,
      name,
      getFile: () => Promise.resolve(new File(['x'], name)),
    });
    const dir = (name: string, entries: unknown[]) => ({
      kind: 'directory' as const,
      name,
      async *values() {
        await Promise.resolve();
        yield* entries;
      },
    });
    const root = dir('root', [
      file('z.jpg'),
      file('.hidden.jpg'),
      dir('.git', [file('x.jpg')]),
      dir('sub', [file('a.png')]),
    ]);
    const files = await fromDirectoryHandle(root as unknown as FileSystemDirectoryHandle);
    expect(files.map((f) => f.path)).toEqual(['sub/a.png', 'z.jpg']);
  });
});
