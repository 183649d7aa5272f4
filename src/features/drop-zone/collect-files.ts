/** Gathers files from a drop: plain files as they are, folders walked recursively. */
import { droppedFiles } from '../../lib/dropped-files';

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|bmp|avif|heic|heif|ico|tiff?)$/i;

/** Whether a file found inside a dropped folder should be taken (images only, no hidden files). */
export function isImageLike(name: string, type: string): boolean {
  if (name.startsWith('.')) return false;
  return type.startsWith('image/') || IMAGE_NAME.test(name);
}

/** Whether a folder found inside a dropped folder is walked (hidden ones, e.g. `.thumbs`, are not). */
export function isVisibleFolder(name: string): boolean {
  return !name.startsWith('.');
}

/** The files of a drop and, for each, its path (see {@link filesFromDataTransfer}). */
export interface DropFiles {
  files: File[];
  paths: string[];
}

/**
 * Files from a DataTransfer. Directly dropped files are all kept (a non-image gets its own error
 * card), their path being their name; from dropped folders only image files outside hidden
 * folders are taken, in name order, each with its path relative to the dropped folder (as a
 * picked folder gives: `trip/day1/a.jpg` dropped as `trip` is `day1/a.jpg`).
 */
export async function filesFromDataTransfer(data: DataTransfer): Promise<DropFiles> {
  const dropped = await droppedFiles(data, {
    keepInFolder: isImageLike,
    walkFolder: isVisibleFolder,
    sort: true,
  });
  return {
    files: dropped.map((d) => d.file),
    // A file found in a folder has the folder's name before its first "/"; a plain one has none.
    paths: dropped.map((d) => d.path.slice(d.path.indexOf('/') + 1)),
  };
}
