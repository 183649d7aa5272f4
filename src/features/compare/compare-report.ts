/**
 * What a comparison says, as data: per photo whether the models agree (the same top-1, and how
 * many classes are in every model's top-3), a summary, and the CSV export. Pure functions.
 */
import type { CompareModelResult, Prediction } from '../../inference/protocol';

/** Agreement of the models that answered on one photo. */
export interface PhotoAgreement {
  /** every model that answered has the same top-1 class (false with fewer than two answers) */
  sameTop1: boolean;
  /** number of classes in the top-3 of every model that answered */
  top3Overlap: number;
  /** how many models answered for this photo */
  answered: number;
}

/** The agreement on photo `photo` among `results`. */
export function agreementOn(results: readonly CompareModelResult[], photo: number): PhotoAgreement {
  const answers = results
    .map((r) => r.predictions[photo])
    .filter((p): p is Prediction[] => Array.isArray(p) && p.length > 0);
  if (answers.length < 2) return { sameTop1: false, top3Overlap: 0, answered: answers.length };
  const top1 = answers.map((a) => a[0]!.index);
  const sameTop1 = top1.every((i) => i === top1[0]);
  const sets = answers.map((a) => new Set(a.slice(0, 3).map((p) => p.index)));
  const [first, ...rest] = sets;
  const top3Overlap = [...first!].filter((i) => rest.every((s) => s.has(i))).length;
  return { sameTop1, top3Overlap, answered: answers.length };
}

/** Over all photos: how often the top-1 agreed, and the mean top-3 overlap. */
export function agreementSummary(
  results: readonly CompareModelResult[],
  photos: number,
): { sameTop1: number; meanOverlap: number } {
  let same = 0;
  let overlap = 0;
  for (let p = 0; p < photos; p++) {
    const a = agreementOn(results, p);
    if (a.sameTop1) same += 1;
    overlap += a.top3Overlap;
  }
  return { sameTop1: same, meanOverlap: photos > 0 ? overlap / photos : 0 };
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function field(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV columns, in order. */
export const CSV_HEADER = [
  'photo',
  'model',
  'rank',
  'class_index',
  'label',
  'probability',
  'same_top1',
  'top3_overlap',
  'ms_per_photo',
  'load_ms',
  'error',
] as const;

/**
 * The comparison as CSV: one line per photo, model and rank (top-3), with the photo's agreement
 * and the model's timings; a model that failed gets one line with its error.
 */
export function compareCsv(
  photoNames: readonly string[],
  results: readonly CompareModelResult[],
): string {
  const lines = [CSV_HEADER.join(',')];
  photoNames.forEach((photo, p) => {
    const agreement = agreementOn(results, p);
    for (const r of results) {
      const timing = [r.msPerPhoto === null ? null : r.msPerPhoto.toFixed(1), r.loadMs.toFixed(0)];
      const predictions = r.predictions[p];
      if (!predictions) {
        lines.push(
          [photo, r.name, null, null, null, null, null, null, ...timing, r.error ?? 'no answer']
            .map(field)
            .join(','),
        );
        continue;
      }
      predictions.forEach((prediction, rank) => {
        lines.push(
          [
            photo,
            r.name,
            rank + 1,
            prediction.index,
            prediction.label,
            prediction.probability.toFixed(6),
            agreement.sameTop1,
            agreement.top3Overlap,
            ...timing,
            null,
          ]
            .map(field)
            .join(','),
        );
      });
    }
  });
  return `${lines.join('\r\n')}\r\n`;
}
