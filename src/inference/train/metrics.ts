/** Evaluation arithmetic: accuracy, per-class accuracy and the confusion matrix (pure). */

/** Accuracy figures for a set of (actual, predicted) class pairs. */
export interface Evaluation {
  accuracy: number;
  perClass: { correct: number; total: number }[];
  /** `confusion[actual][predicted]` */
  confusion: number[][];
}

/** Scores predictions against labels over `numClasses` classes. */
export function evaluatePredictions(
  pairs: readonly { label: number; predicted: number }[],
  numClasses: number,
): Evaluation {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (const { label, predicted } of pairs) {
    const row = confusion[label];
    if (!row || predicted < 0 || predicted >= numClasses) {
      throw new Error(`class ${label} → ${predicted} is outside 0…${numClasses - 1}`);
    }
    row[predicted] = (row[predicted] ?? 0) + 1;
  }
  const perClass = confusion.map((row, i) => ({
    correct: row[i] ?? 0,
    total: row.reduce((a, b) => a + b, 0),
  }));
  const correct = perClass.reduce((sum, c) => sum + c.correct, 0);
  return {
    accuracy: pairs.length > 0 ? correct / pairs.length : 0,
    perClass,
    confusion,
  };
}

/** Index and value of the largest entry in `row` (the first of equals). */
export function argMax(
  values: ArrayLike<number>,
  start = 0,
  length = values.length,
): [number, number] {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[start + i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return [best, bestValue];
}
