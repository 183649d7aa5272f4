/**
 * The name a card shows for a class: the first of its WordNet synonyms ("bald eagle" for "bald
 * eagle, American eagle, Haliaeetus leucocephalus"); the full label stays on hover and for screen
 * readers. A label without commas is shown whole.
 */
export function shortLabel(label: string): string {
  const first = label.split(',')[0]?.trim();
  return first || label;
}
