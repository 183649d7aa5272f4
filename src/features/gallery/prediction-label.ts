/**
 * The name a card shows for a class: the first of its WordNet synonyms ("bald eagle" for "bald
 * eagle, American eagle, Haliaeetus leucocephalus"); the full label stays on hover and for screen
 * readers. A label without commas is shown whole.
 */
export function shortLabel(label: string): string {
  const first = label.split(',')[0]?.trim();
  return first || label;
}

/** Below this top-1 probability a card says the model is not sure. */
export const UNSURE_BELOW = 0.3;

/** A hint for a finished card whose best guess is weak, or null when it is confident enough. */
export function unsureHint(topProbability: number | undefined): string | null {
  if (topProbability === undefined || topProbability >= UNSURE_BELOW) return null;
  return `Not sure: no class reaches ${Math.round(UNSURE_BELOW * 100)}%. The photo may show something this model does not know, or too little of it.`;
}
