/**
 * Turns what the user dropped or picked into an import source: one `.h5` file, or a TensorFlow.js
 * model folder (model.json plus the files it names), with each file's path inside the folder.
 */
import type { FolderFile, ImportSource } from '../../inference/protocol';
import { droppedFiles, type DroppedFile } from '../../lib/dropped-files';

const H5_NAME = /\.(h5|hdf5)$/i;

/** A picked or dropped file and its path (folder-relative where the browser says it). */
export type PathedFile = DroppedFile;

/** The import source for some files, or an error that says what to open instead. */
export function sourceFromFiles(files: PathedFile[]): ImportSource | { error: string } {
  const visible = files.filter((f) => !f.path.split('/').some((part) => part.startsWith('.')));
  if (visible.length === 0) return { error: 'Nothing to open: the selection holds no files.' };
  const h5 = visible.filter((f) => H5_NAME.test(f.path));
  const hasModelJson = visible.some((f) => f.path.split('/').pop() === 'model.json');
  if (h5.length === 1 && !hasModelJson) {
    const only = h5[0]!;
    return { kind: 'h5', name: only.file.name, file: only.file };
  }
  if (h5.length > 1 && !hasModelJson) {
    return { error: `Open one .h5 file at a time (got ${h5.length}).` };
  }
  if (!hasModelJson) {
    return {
      error:
        'Open a Keras .h5 weight file, or a TensorFlow.js model folder (model.json and its weight files).',
    };
  }
  const folder = visible[0]!.path.includes('/') ? visible[0]!.path.split('/')[0]! : 'model';
  const list: FolderFile[] = visible.map((f) => ({ path: f.path, file: f.file }));
  return { kind: 'folder', name: folder, files: list };
}

/** Files of an `<input type=file>` (a folder picker gives `webkitRelativePath`). */
export function filesFromInput(list: FileList | null): PathedFile[] {
  return Array.from(list ?? []).map((file) => ({
    path: file.webkitRelativePath || file.name,
    file,
  }));
}

/** Files of a drop, folders walked with their paths kept. */
export function filesFromDrop(data: DataTransfer): Promise<PathedFile[]> {
  return droppedFiles(data);
}
