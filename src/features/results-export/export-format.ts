/**
 * The gallery's results as files: CSV (one row per prediction) and JSON (one entry per photo).
 * Pure functions; only finished photos are exported.
 */

/** One ranked class as the gallery holds it. */
export interface ExportPrediction {
  index: number;
  label: string;
  probability: number;
}

/** What export needs from a gallery card (the gallery's `Card` fits). */
export interface ExportableCard {
  name: string;
  status: string;
  predictions?: readonly ExportPrediction[];
  ms?: number;
  backend?: string;
  modelId?: string;
  /** how the photo was fitted into the model's input (`squash`, `center-crop`, `keras`) */
  resizeMode?: string;
  /** a second model's answer for the same photo (ImageNet's next to a custom model's) */
  also?: {
    modelId: string;
    name: string;
    predictions?: readonly ExportPrediction[];
    error?: string;
    ms?: number;
  };
}

/** One CSV row: one prediction of one photo. */
export interface ResultRow {
  file: string;
  rank: number;
  label: string;
  probability: number;
  modelId: string;
  backend: string;
  ms: number;
  /** the resize mode that made the model input (empty when unknown) */
  resize: string;
}

/** The CSV columns, in order. */
export const CSV_COLUMNS = [
  'file',
  'rank',
  'label',
  'probability',
  'model_id',
  'backend',
  'ms',
  // last, so readers that take columns by position keep working
  'resize',
] as const;

function finished(cards: readonly ExportableCard[]): ExportableCard[] {
  return cards.filter((c) => c.status === 'done' && c.predictions && c.predictions.length > 0);
}

/** Milliseconds rounded to a tenth (what the timing can honestly claim). */
function roundMs(ms: number | undefined): number {
  return ms === undefined ? NaN : Math.round(ms * 10) / 10;
}

/**
 * One row per prediction of every finished photo, in gallery order, ranks from 1; a second
 * model's predictions follow its photo's, told apart by `model_id`.
 */
export function resultRows(cards: readonly ExportableCard[]): ResultRow[] {
  return finished(cards).flatMap((card) => {
    const rows = (predictions: readonly ExportPrediction[], modelId: string, ms?: number) =>
      predictions.map((p, i) => ({
        file: card.name,
        rank: i + 1,
        label: p.label,
        probability: p.probability,
        modelId,
        backend: card.backend ?? '',
        ms: roundMs(ms),
        resize: card.resizeMode ?? '',
      }));
    return [
      ...rows(card.predictions ?? [], card.modelId ?? '', card.ms),
      ...rows(card.also?.predictions ?? [], card.also?.modelId ?? '', card.also?.ms),
    ];
  });
}

function ranked(predictions: readonly ExportPrediction[]) {
  return predictions.map((p, i) => ({
    rank: i + 1,
    label: p.label,
    classIndex: p.index,
    probability: p.probability,
  }));
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, or line break, inner quotes
 * doubled. Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe, so a file named "=HYPERLINK(…)" stays text.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV text with a header line and CRLF line ends. */
export function toCsv(rows: readonly ResultRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.file, r.rank, r.label, r.probability, r.modelId, r.backend, r.ms, r.resize]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** The finished photos as pretty-printed JSON, one entry per photo with its ranked classes. */
export function toJson(cards: readonly ExportableCard[], exportedAt: Date): string {
  const photos = finished(cards).map((card) => ({
    file: card.name,
    modelId: card.modelId ?? null,
    backend: card.backend ?? null,
    ms: Number.isFinite(roundMs(card.ms)) ? roundMs(card.ms) : null,
    resizeMode: card.resizeMode ?? null,
    predictions: ranked(card.predictions ?? []),
    ...(card.also
      ? {
          also: {
            modelId: card.also.modelId,
            name: card.also.name,
            ...(card.also.predictions ? { predictions: ranked(card.also.predictions) } : {}),
            ...(card.also.error ? { error: card.also.error } : {}),
          },
        }
      : {}),
  }));
  return (
    JSON.stringify(
      { generator: 'Inception Lens', exportedAt: exportedAt.toISOString(), photos },
      null,
      2,
    ) + '\n'
  );
}

/** A download name like `inception-lens-results-2026-11-29-1405.csv` (local time). */
export function exportFileName(extension: 'csv' | 'json', date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}`;
  return `inception-lens-results-${stamp}.${extension}`;
}
