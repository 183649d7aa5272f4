/**
 * The messages between the benchmark page and a peer engine's worker (LiteRT.js, onnxruntime-web).
 * Every engine gets the same RGBA pixels and turns them into the same float32 input as ours.
 */

/** Page → worker. */
export type PeerRequest =
  | { type: 'load'; modelUrl: string; assetsUrl: string; threads: number }
  | { type: 'run'; id: number; pixels: ArrayBuffer; width: number; height: number };

/** Worker → page. */
export type PeerReply =
  | { type: 'loaded'; threads: number; ms: number; detail: string }
  | { type: 'result'; id: number; probs: Float32Array; ms: number }
  | { type: 'error'; id?: number; message: string };

/**
 * RGBA bytes → NHWC float32 in [-1, 1], rounded as ours (src/preprocess/pixels.ts): `v / 127.5`
 * then `− 1`, each in float32.
 */
export function toInput(pixels: ArrayBuffer, width: number, height: number): Float32Array {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(v / 127.5) - 1);
  const rgba = new Uint8Array(pixels);
  const out = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    out[j] = lut[rgba[i * 4] as number] as number;
    out[j + 1] = lut[rgba[i * 4 + 1] as number] as number;
    out[j + 2] = lut[rgba[i * 4 + 2] as number] as number;
  }
  return out;
}
