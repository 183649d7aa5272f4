/**
 * Reads a dataset's layout from file paths, as Keras' `image_dataset_from_directory` does: one
 * folder per class (its name is the class name, classes sorted), photos anywhere below it, and
 * optionally `train/` and `validation/` folders above the classes (their split is then used as
 * given). Files that cannot be photos are listed, never fatal. Pure: the sources are opaque.
 */

/** A file of a picked folder or a ZIP, by its path ("root/cats/1.jpg"). */
export interface LayoutEntry<T> {
  path: string;
  source: T;
}

/** A photo the dataset will use. */
export interface LayoutPhoto<T> {
  /** the path inside the dataset, after the common root folder (unique) */
  path: string;
  className: string;
  split: 'train' | 'validation' | null;
  source: T;
}

/** A file left out, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** A dataset as read from its paths. */
export interface DatasetLayout<T> {
  /** class names, sorted as Keras sorts them (by code point) */
  classes: string[];
  photos: LayoutPhoto<T>[];
  skipped: SkippedFile[];
  /** true when the photos came under `train/` and `validation/` */
  hasSplits: boolean;
}

/** File types read as photos (Keras' list, plus WebP, which browsers decode). */
export const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp'] as const;

const SPLITS: Record<string, 'train' | 'validation'> = { train: 'train', validation: 'validation' };

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Why a file is not read as a photo, or null when it is. */
function notAPhoto(parts: readonly string[]): string | null {
  const name = parts[parts.length - 1] ?? '';
  if (parts.some((p) => p === '__MACOSX')) return 'macOS metadata';
  if (parts.some((p) => p.startsWith('.'))) return 'hidden file';
  const ext = extensionOf(name);
  if (!(PHOTO_EXTENSIONS as readonly string[]).includes(ext)) {
    return ext ? `not a photo (.${ext})` : 'not a photo (no extension)';
  }
  return null;
}

/** Path segments without empty parts ("./a//b" → a, b); backslashes count as separators. */
function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
}

/**
 * Lays out a dataset from its files' paths. A folder that holds everything (the picked folder,
 * or a ZIP's top folder) is stripped first, as long as what is under it still has class folders.
 */
export function parseLayout<T>(entries: readonly LayoutEntry<T>[]): DatasetLayout<T> {
  const skipped: SkippedFile[] = [];
  const files: { parts: string[]; entry: LayoutEntry<T> }[] = [];
  for (const entry of entries) {
    const parts = segments(entry.path);
    if (parts.length === 0) continue;
    const why = notAPhoto(parts);
    if (why) skipped.push({ path: entry.path, reason: why });
    else files.push({ parts, entry });
  }
  // Strip a common top folder while every photo lies inside it and some are two levels down
  // (root/class/photo); loose files in the root then count as "not in a class folder".
  let depth = 0;
  for (;;) {
    const first = files[0]?.parts[depth];
    if (first === undefined || SPLITS[first.toLowerCase()]) break;
    const inside = files.every((f) => f.parts.length - depth >= 2 && f.parts[depth] === first);
    if (!inside || !files.some((f) => f.parts.length - depth >= 3)) break;
    depth += 1;
  }
  const hasSplits = files.some((f) => SPLITS[f.parts[depth]?.toLowerCase() ?? ''] !== undefined);
  const photos: LayoutPhoto<T>[] = [];
  const classes = new Set<string>();
  for (const { parts, entry } of files) {
    const rest = parts.slice(depth);
    let split: LayoutPhoto<T>['split'] = null;
    if (hasSplits) {
      split = SPLITS[rest[0]?.toLowerCase() ?? ''] ?? null;
      if (!split) {
        skipped.push({ path: entry.path, reason: 'outside train/ and validation/' });
        continue;
      }
      rest.shift();
    }
    if (rest.length < 2) {
      skipped.push({ path: entry.path, reason: 'not in a class folder' });
      continue;
    }
    const className = rest[0] as string;
    classes.add(className);
    photos.push({ path: parts.slice(depth).join('/'), className, split, source: entry.source });
  }
  const sorted = [...classes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { classes: sorted, photos, skipped, hasSplits };
}
