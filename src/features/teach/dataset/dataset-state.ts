/**
 * A dataset as the page keeps it: class names, each photo's path, content hash, class, split and
 * whether it is excluded, and the files it could not use. No pixels: the worker keeps features,
 * IndexedDB keeps small thumbnails. Pure operations, so the counts can be tested.
 */
import type { SkippedFile } from './layout';

/** One photo of the dataset. */
export interface DatasetPhoto {
  /** its path in the dataset (unique) */
  id: string;
  /** SHA-256 of its bytes, hex: the key of its features and thumbnail */
  hash: string;
  /** class index */
  label: number;
  /** the dataset's own split, or null when training splits at random */
  split: 'train' | 'validation' | null;
  /** left out of training and evaluation (still listed, and can come back) */
  excluded: boolean;
}

/** A dataset: classes, photos, and the files left out when it was read. */
export interface Dataset {
  name: string;
  classes: string[];
  photos: DatasetPhoto[];
  skipped: SkippedFile[];
  hasSplits: boolean;
}

/** Photos per class that will be trained on or evaluated (excluded ones not counted). */
export function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const p of dataset.photos) if (!p.excluded) counts[p.label] = (counts[p.label] ?? 0) + 1;
  return counts;
}

/** The dataset with one photo moved to another class. */
export function movePhoto(dataset: Dataset, id: string, label: number): Dataset {
  if (!Number.isInteger(label) || label < 0 || label >= dataset.classes.length) {
    throw new Error(`class ${label} is not one of the ${dataset.classes.length}`);
  }
  return {
    ...dataset,
    photos: dataset.photos.map((p) => (p.id === id ? { ...p, label } : p)),
  };
}

/** The dataset with one photo excluded (or included again). */
export function setExcluded(dataset: Dataset, id: string, excluded: boolean): Dataset {
  return {
    ...dataset,
    photos: dataset.photos.map((p) => (p.id === id ? { ...p, excluded } : p)),
  };
}

/** What the counts say, in words that add up: used + excluded = photos; + skipped = files. */
export function countsLine(dataset: Dataset): string {
  const excluded = dataset.photos.filter((p) => p.excluded).length;
  const used = dataset.photos.length - excluded;
  const parts = [`${used} photos in ${dataset.classes.length} classes`];
  if (excluded > 0) parts.push(`${excluded} excluded`);
  if (dataset.skipped.length > 0) parts.push(`${dataset.skipped.length} files not used`);
  return parts.join(' · ');
}
