/** Gathers files from a drop: plain files as they are, folders walked recursively. */
import { droppedFiles } from '../../lib/dropped-files';

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|bmp|avif|heic|heif|ico|tiff?)$/i;

/** Whether a file found inside a dropped folder should be taken (images only, no hidden files). */
export function isImageLike(name: string, type: string): boolean {
  if (name.startsWith('.')) return false;
  return type.startsWith('image/') || IMAGE_NAME.test(name);
}

/**
 * Files from a DataTransfer. Directly dropped files are all kept (a non-image gets its own error
 * card); from dropped folders only image files are taken, in name order.
 */
export async function filesFromDataTransfer(data: DataTransfer): Promise<File[]> {
  const dropped = await droppedFiles(data, { keepInFolder: isImageLike, sort: true });
  return dropped.map((d) => d.file);
}
