/** Evaluation read from a confusion matrix: per-class precision, recall and F1, confused pairs. */

/** Precision, recall and F1 of one class (NaN-free: 0 where undefined). */
export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  /** photos of this class evaluated (the row's sum) */
  support: number;
}

/**
 * Scores each class from `confusion[actual][predicted]`: precision = right / predicted as it,
 * recall = right / actually it, F1 their harmonic mean (0 when a count is 0, as scikit-learn's
 * `zero_division=0`).
 */
export function classScores(confusion: readonly (readonly number[])[]): ClassScore[] {
  return confusion.map((row, i) => {
    const right = row[i] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + (r[i] ?? 0), 0);
    const precision = predicted > 0 ? right / predicted : 0;
    const recall = support > 0 ? right / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** Two classes mixed up: photos of `actual` taken for `predicted`, or the other way round. */
export interface ConfusedPair {
  a: number;
  b: number;
  /** photos of a taken for b, plus photos of b taken for a */
  count: number;
}

/** The `limit` most confused pairs of classes (both directions counted), most first. */
export function mostConfused(confusion: readonly (readonly number[])[], limit = 5): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  for (let a = 0; a < confusion.length; a++) {
    for (let b = a + 1; b < confusion.length; b++) {
      const count = (confusion[a]?.[b] ?? 0) + (confusion[b]?.[a] ?? 0);
      if (count > 0) pairs.push({ a, b, count });
    }
  }
  pairs.sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
  return pairs.slice(0, limit);
}
