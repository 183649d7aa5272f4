/**
 * The float value of each byte 0..255 for an input range, rounded as Keras' numpy code rounds:
 * in float32, one operation at a time. For [-1, 1] that is `preprocess_input`'s `x /= 127.5;
 * x -= 1` (two roundings; a single rounding of `v / 127.5 - 1` differs in the last bit for half
 * the byte values); for [0, 1] it is `x / 255`.
 */
function valueTable(lo: number, hi: number): Float32Array {
  const divisor = 255 / (hi - lo);
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.fround(Math.fround(v / divisor) + lo);
  return table;
}

const tables = new Map<string, Float32Array>();

/**
 * Maps RGBA bytes (what a canvas gives) to the float RGB input a Keras model expects:
 * each channel value v in 0..255 becomes `v / (255 / (hi - lo)) + lo` in float32. With [-1, 1]
 * this is bit for bit Keras' InceptionV3 `preprocess_input` (v / 127.5 - 1); with [0, 1] it is
 * v / 255. Alpha is dropped. Written into `into` when it is given (three values a pixel), else
 * into a new array.
 */
export function rgbaToRgbFloat(
  rgba: Uint8Array | Uint8ClampedArray,
  range: readonly [number, number],
  into?: Float32Array,
): Float32Array {
  if (rgba.length % 4 !== 0)
    throw new RangeError(`RGBA length ${rgba.length} is not a multiple of 4`);
  const [lo, hi] = range;
  const key = `${lo},${hi}`;
  let table = tables.get(key);
  if (!table) {
    table = valueTable(lo, hi);
    tables.set(key, table);
  }
  const n = rgba.length / 4;
  if (into && into.length !== n * 3)
    throw new RangeError(`${n} RGBA pixels do not fit ${into.length} values`);
  const out = into ?? new Float32Array(n * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = table[rgba[i] as number] as number;
    out[j + 1] = table[rgba[i + 1] as number] as number;
    out[j + 2] = table[rgba[i + 2] as number] as number;
  }
  return out;
}
