/** Pure helpers of the model inspector: formatting like Keras prints, and layer search. */
import type { LayerShape, ModelSummary, SummaryRow } from '../../inference/protocol';

/** A shape as Keras prints it: `(None, 149, 149, 32)`; several as a list; none as "multiple". */
export function formatShape(shape: SummaryRow['outputShape']): string {
  if (shape === null) return 'multiple';
  const one = (s: LayerShape): string => {
    const dims = s.map((d) => (d === null ? 'None' : String(d)));
    return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
  };
  if (shape.length > 0 && Array.isArray(shape[0])) {
    return `[${(shape as LayerShape[]).map(one).join(', ')}]`;
  }
  return one(shape as LayerShape);
}

/** A count with thousands separators, as Keras prints totals: 23,851,784. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A statistic for the weights explorer: 4 significant digits, exponent for tiny/huge values. */
export function formatStat(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e-3 && abs < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

/** A weight shape as `3×3×3×32`. */
export function formatDims(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/**
 * Indices of the rows that match a search (name, type or a "connected to" entry, any case);
 * `null` when the query is blank (everything shows). Several words must all match.
 */
export function searchRows(summary: ModelSummary, query: string): Set<number> | null {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const hits = new Set<number>();
  summary.rows.forEach((row, i) => {
    const text = [row.name, row.type, ...row.connectedTo].join(' ').toLowerCase();
    if (words.every((w) => text.includes(w))) hits.add(i);
  });
  return hits;
}

/** The layers with weights, for the weights explorer's picker, input side first. */
export function layersWithWeights(summary: ModelSummary): SummaryRow[] {
  return summary.rows.filter((r) => r.hasWeights);
}

/** The layer the weights explorer opens with: the first convolution, else the first with weights. */
export function defaultWeightsLayer(summary: ModelSummary): string | null {
  const rows = layersWithWeights(summary);
  return (rows.find((r) => /Conv/.test(r.type)) ?? rows[0])?.name ?? null;
}
