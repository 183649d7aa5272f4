/**
 * Browsing a library, as pure functions: search by label (any synonym of the top-3), a confidence
 * floor, one top-1 label, the "not sure" view, sorting, and counts per top-1 label for the chart.
 */
import type { Prediction } from '../../../inference/protocol';
import { NOT_SURE_BELOW } from '../prediction-label';
import { naturalCompare } from '../../../lib/natural-order';

export { NOT_SURE_BELOW };

/** What browsing needs of a photo (a gallery card has it all). */
export interface Browsable {
  name: string;
  /** path relative to its folder; the name when it came alone */
  path?: string;
  status: string;
  predictions?: Prediction[];
  /** the file's own date, ms since the epoch */
  lastModified?: number;
}

/** The orders a library can be shown in. */
export const SORTS = {
  added: 'Order added',
  confidence: 'Confidence (highest first)',
  name: 'Name',
  folder: 'Folder',
  date: 'Date (newest first)',
} as const;

/** One of {@link SORTS}. */
export type SortKey = keyof typeof SORTS;

/** What the page is asked to show. */
export interface BrowseOptions {
  /** label text to look for (empty: no search) */
  query: string;
  /** smallest top-1 probability shown, 0…1 (0: no floor) */
  minConfidence: number;
  /** only photos whose top-1 is this label (null: any) */
  label: string | null;
  /** only photos whose top-1 is below {@link NOT_SURE_BELOW} */
  notSure: boolean;
  sort: SortKey;
}

/** Nothing filtered, in the order added. */
export const DEFAULT_BROWSE: BrowseOptions = {
  query: '',
  minConfidence: 0,
  label: null,
  notSure: false,
  sort: 'added',
};

/** The synonyms of an ImageNet-style label ("tabby, tabby cat" → ["tabby", "tabby cat"]). */
export function synonyms(label: string): string[] {
  return label
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/** Whether any synonym of the photo's top-3 labels contains `query` (case and spaces aside). */
export function matchesQuery(item: Browsable, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!q) return true;
  return (item.predictions ?? [])
    .slice(0, 3)
    .some((p) => synonyms(p.label).some((s) => s.replace(/[_\s]+/g, ' ').includes(q)));
}

/** Whether browsing filters at all (else unfinished and failed photos are shown too). */
export function isFiltering(options: BrowseOptions): boolean {
  return (
    options.query.trim() !== '' ||
    options.minConfidence > 0 ||
    options.label !== null ||
    options.notSure
  );
}

/** Whether one photo passes the options' filters. */
export function passes(item: Browsable, options: BrowseOptions): boolean {
  if (!isFiltering(options)) return true;
  const top = item.predictions?.[0];
  if (item.status !== 'done' || !top) return false;
  if (!matchesQuery(item, options.query)) return false;
  if (top.probability < options.minConfidence) return false;
  if (options.label !== null && top.label !== options.label) return false;
  if (options.notSure && top.probability >= NOT_SURE_BELOW) return false;
  return true;
}

/** The folder part of a photo's path ('' at the top). */
export function folderOf(item: Browsable): string {
  const path = item.path ?? item.name;
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function compare(sort: SortKey): ((a: Browsable, b: Browsable) => number) | null {
  switch (sort) {
    case 'added':
      return null;
    case 'confidence':
      // Unfinished photos (no top-1) last.
      return (a, b) =>
        (b.predictions?.[0]?.probability ?? -1) - (a.predictions?.[0]?.probability ?? -1);
    case 'name':
      return (a, b) => naturalCompare(a.name, b.name);
    case 'folder':
      return (a, b) => naturalCompare(folderOf(a), folderOf(b)) || naturalCompare(a.name, b.name);
    case 'date':
      return (a, b) => (b.lastModified ?? 0) - (a.lastModified ?? 0);
  }
}

/** The photos to show: filtered, then sorted (stable: ties keep the order added). */
export function browse<T extends Browsable>(items: readonly T[], options: BrowseOptions): T[] {
  const shown = isFiltering(options) ? items.filter((item) => passes(item, options)) : [...items];
  const order = compare(options.sort);
  return order ? shown.sort(order) : shown;
}

/** How many finished photos have each top-1 label, most first (ties by label). */
export function countByTop1(items: readonly Browsable[]): { label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const top = item.status === 'done' ? item.predictions?.[0] : undefined;
    if (top) counts.set(top.label, (counts.get(top.label) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * The library count's words: how many photos the search and filters show, when they hide some;
 * nothing otherwise (how many are done is the gallery summary's to say, once).
 */
export function libraryCountText(total: number, shown: number): string {
  return shown === total ? '' : `${shown} of ${total} shown`;
}
