/**
 * The name a card shows for a class: the first of its WordNet synonyms ("bald eagle" for "bald
 * eagle, American eagle, Haliaeetus leucocephalus"); the full label stays on hover and for screen
 * readers. A label without commas is shown whole.
 */
export function shortLabel(label: string): string {
  const first = label.split(',')[0]?.trim();
  return first || label;
}

/**
 * Below this top-1 probability the model is "not sure": a card says so and the library's "Not
 * sure" view lists the photo (one threshold for both, so a card with the hint is in that view).
 */
export const NOT_SURE_BELOW = 0.5;

/** A hint for a finished card whose best guess is weak, or null when it is confident enough. */
export function unsureHint(topProbability: number | undefined): string | null {
  if (topProbability === undefined || topProbability >= NOT_SURE_BELOW) return null;
  return `Not sure: no class reaches ${Math.round(NOT_SURE_BELOW * 100)}%. The photo may show something this model does not know, or too little of it.`;
}
