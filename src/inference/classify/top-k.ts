/** Indices of the k largest values, largest first; ties keep the lower index first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const count = Math.max(0, Math.min(Math.floor(k), values.length));
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (best.length === count && count > 0 && v <= (values[best[count - 1] as number] as number))
      continue;
    if (count === 0) break;
    let pos = best.length;
    while (pos > 0 && (values[best[pos - 1] as number] as number) < v) pos--;
    best.splice(pos, 0, i);
    if (best.length > count) best.pop();
  }
  return best;
}

/**
 * Returns `values` as probabilities: unchanged when they already are a distribution (the model
 * ends in softmax), otherwise a numerically stable softmax of them (the model outputs logits).
 */
export function asProbabilities(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let sum = 0;
  let min = Infinity;
  for (const v of out) {
    sum += v;
    min = Math.min(min, v);
  }
  if (min >= 0 && Math.abs(sum - 1) < 1e-3) return out;
  const max = Math.max(...out);
  let total = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.exp((out[i] as number) - max);
    total += out[i] as number;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / total;
  return out;
}
