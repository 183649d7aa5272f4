/**
 * An in-memory index of 8-bit feature vectors: add, remove, nearest by cosine, near-duplicate
 * groups. Plain typed arrays, no TensorFlow.js: 5,000 photos × 2,048 bytes is a 10 MB scan.
 */
import type { PhotoNeighbour } from './protocol';

/** Length of the sketches near-duplicate search compares first. */
const SKETCH = 64;
/** How much lower than the threshold a sketch's cosine may be and still get the exact check. */
const SKETCH_SLACK = 0.2;

/** Vectors of one library, rows in one growing Int8Array. */
export class VectorIndex {
  private data = new Int8Array(0);
  private norms = new Float32Array(0);
  private keys: string[] = [];
  private rows = new Map<string, number>();

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`bad vector length ${dim}`);
  }

  /** Number of vectors held. */
  get size(): number {
    return this.keys.length;
  }

  /** Whether `key` is indexed. */
  has(key: string): boolean {
    return this.rows.has(key);
  }

  /** Adds or replaces the vector of `key`. */
  put(key: string, vector: Int8Array): void {
    if (vector.length !== this.dim) {
      throw new Error(`vector of ${vector.length} values in an index of ${this.dim}`);
    }
    let row = this.rows.get(key);
    if (row === undefined) {
      row = this.keys.length;
      this.grow(row + 1);
      this.keys.push(key);
      this.rows.set(key, row);
    }
    this.data.set(vector, row * this.dim);
    let sum = 0;
    for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
    this.norms[row] = Math.sqrt(sum);
  }

  /** Removes `key` (the last row moves into its place). */
  remove(key: string): void {
    const row = this.rows.get(key);
    if (row === undefined) return;
    const last = this.keys.length - 1;
    if (row !== last) {
      const lastKey = this.keys[last]!;
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.norms[row] = this.norms[last]!;
      this.keys[row] = lastKey;
      this.rows.set(lastKey, row);
    }
    this.keys.pop();
    this.rows.delete(key);
  }

  /** The `k` nearest to `key` by cosine, itself left out, nearest first; null if not indexed. */
  nearest(key: string, k: number): PhotoNeighbour[] | null {
    const row = this.rows.get(key);
    if (row === undefined) return null;
    const { dim, data } = this;
    const q = data.subarray(row * dim, (row + 1) * dim);
    const qNorm = this.norms[row]!;
    // Keep the best k in a small sorted array: k is tiny next to the library.
    const best: PhotoNeighbour[] = [];
    for (let r = 0; r < this.keys.length; r++) {
      if (r === row) continue;
      const score = this.cosineRows(q, qNorm, r);
      if (best.length < k || score > best[best.length - 1]!.score) {
        let at = best.length;
        while (at > 0 && best[at - 1]!.score < score) at--;
        best.splice(at, 0, { key: this.keys[r]!, score });
        if (best.length > k) best.pop();
      }
    }
    return best;
  }

  /**
   * Groups of keys whose vectors are within `threshold` cosine of another in the group (linked
   * pairs joined), largest group first, each group in index order. `onRow` hears the progress.
   */
  duplicates(threshold: number, onRow?: (fraction: number) => void): string[][] {
    const n = this.keys.length;
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    // Comparing every pair in full is n² × dim (25 billion steps at 5,000 photos). A sketch of
    // each vector (count-sketch to SKETCH dims, normalised) is compared first; only pairs whose
    // sketches are near get the exact check. Sketches preserve cosine closely at these levels.
    const sketches = this.sketches();
    const loose = threshold - SKETCH_SLACK;
    const { dim, data } = this;
    for (let a = 0; a < n; a++) {
      const q = data.subarray(a * dim, (a + 1) * dim);
      const qNorm = this.norms[a]!;
      const sa = a * SKETCH;
      for (let b = a + 1; b < n; b++) {
        let dot = 0;
        const sb = b * SKETCH;
        for (let i = 0; i < SKETCH; i++) dot += sketches[sa + i]! * sketches[sb + i]!;
        if (dot < loose) continue;
        if (this.cosineRows(q, qNorm, b) >= threshold) {
          const ra = find(a);
          const rb = find(b);
          if (ra !== rb) parent[rb] = ra;
        }
      }
      if (onRow && a % 256 === 0) onRow(a / n);
    }
    const groups = new Map<number, string[]>();
    for (let i = 0; i < n; i++) {
      const root = find(i);
      const group = groups.get(root);
      if (group) group.push(this.keys[i]!);
      else groups.set(root, [this.keys[i]!]);
    }
    return [...groups.values()].filter((g) => g.length > 1).sort((x, y) => y.length - x.length);
  }

  /** Each row's count-sketch, unit length, `SKETCH` values per row. */
  private sketches(): Float32Array {
    const { dim, data } = this;
    const n = this.keys.length;
    const out = new Float32Array(n * SKETCH);
    // A fixed bucket and sign per input dimension (a cheap integer hash), the same every call.
    const bucket = new Int32Array(dim);
    const sign = new Int8Array(dim);
    for (let i = 0; i < dim; i++) {
      const h = Math.imul(i + 1, 2654435761) >>> 0;
      bucket[i] = h % SKETCH;
      sign[i] = (h >>> 16) & 1 ? 1 : -1;
    }
    for (let r = 0; r < n; r++) {
      const base = r * dim;
      const at = r * SKETCH;
      for (let i = 0; i < dim; i++) {
        const j = at + bucket[i]!;
        out[j] = out[j]! + sign[i]! * data[base + i]!;
      }
      let sum = 0;
      for (let j = 0; j < SKETCH; j++) sum += out[at + j]! * out[at + j]!;
      const norm = Math.sqrt(sum) || 1;
      for (let j = 0; j < SKETCH; j++) out[at + j] = out[at + j]! / norm;
    }
    return out;
  }

  private cosineRows(q: Int8Array, qNorm: number, row: number): number {
    const { dim, data } = this;
    const norm = this.norms[row]!;
    if (qNorm === 0 || norm === 0) return 0;
    let dot = 0;
    const base = row * dim;
    for (let i = 0; i < dim; i++) dot += q[i]! * data[base + i]!;
    return dot / (qNorm * norm);
  }

  private grow(rows: number): void {
    if (rows * this.dim <= this.data.length) return;
    const capacity = Math.max(rows, Math.ceil(this.keys.length * 1.5), 64);
    const data = new Int8Array(capacity * this.dim);
    data.set(this.data);
    this.data = data;
    const norms = new Float32Array(capacity);
    norms.set(this.norms);
    this.norms = norms;
  }
}
