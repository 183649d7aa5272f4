/**
 * TensorFlow.js layers-model files as data: weight quantisation (float16, uint8 affine, the
 * formats tfjs-converter writes and the tfjs loader decodes), sharding, SHA-256 hashes and the
 * `metadata.json` that Inception Lens writes beside every model it makes. Shared by the Node
 * scripts and the inference worker.
 */
import * as tf from '@tensorflow/tfjs';
import type { WeightPrecision } from './weight-precision';

export {
  DEFAULT_PRECISION,
  isWeightPrecision,
  WEIGHT_PRECISIONS,
  type WeightPrecision,
} from './weight-precision';

/** Size of one shard file, as tfjs-converter writes them. */
export const SHARD_BYTES = 4 * 1024 * 1024;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Largest finite half-precision magnitude (65504), as bits. */
const HALF_MAX_BITS = 0x7bff;

/**
 * IEEE 754 half-precision bits of `value`, rounded to nearest (ties to even). Magnitudes past
 * 65504 saturate to ±65504 rather than becoming infinite (a weight must stay a number).
 */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 : sign | HALF_MAX_BITS;
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | HALF_MAX_BITS;
  if (e <= 0) {
    // Subnormal half (or zero): m × 2^-24 with m = (1.mant) × 2^(E + 1), E = exp - 127.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  if (h >= 0x7c00) h = HALF_MAX_BITS;
  return sign | h;
}

/** Half-precision bits of every value. */
export function encodeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]!);
  return out;
}

/** One tensor quantised to uint8: value ≈ byte × scale + min. */
export interface Uint8Quantized {
  bytes: Uint8Array;
  min: number;
  scale: number;
}

/**
 * Affine uint8 quantisation of one tensor, as tfjs-converter does it: the range is widened to
 * include 0, and `min` is nudged so that 0 is represented exactly (zero padding stays zero).
 */
export function quantizeUint8(values: Float32Array): Uint8Quantized {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let scale = (hi - lo) / 255;
  if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = Math.round((values[i]! - min) / scale);
    bytes[i] = q < 0 ? 0 : q > 255 ? 255 : q;
  }
  return { bytes, min, scale };
}

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/** Bytes one value of `dtype` takes in a weights file; undefined for a type of no fixed size. */
export function bytesPerValue(dtype: string): number | undefined {
  return BYTES_PER_VALUE[dtype];
}

/** Number of values in a tensor of `shape`. */
function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Bytes the weights described by `specs` take in the shards (after quantisation), or `null`
 * when a spec's size cannot be known in advance (strings).
 */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES_PER_VALUE[dtype];
    if (bytes === undefined) return null;
    total += sizeOf(spec.shape) * bytes;
  }
  return total;
}

/** Weight specs plus the bytes they describe, as one buffer. */
export interface WeightBundle {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/**
 * Quantises every unquantised float32 weight to `precision` (float32: unchanged), writing the
 * tfjs manifest `quantization` field the loader decodes. Other dtypes are copied as they are.
 */
export function quantizeWeights(bundle: WeightBundle, precision: WeightPrecision): WeightBundle {
  if (precision === 'float32') return bundle;
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  let total = 0;
  for (const spec of bundle.specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES_PER_VALUE[dtype];
    if (bytes === undefined) throw new Error(`weight ${spec.name}: cannot quantise dtype ${dtype}`);
    const length = sizeOf(spec.shape) * bytes;
    if (offset + length > bundle.data.byteLength) {
      throw new Error(
        `weight ${spec.name}: the weight data ends after ${bundle.data.byteLength} bytes, ` +
          `${offset + length} needed`,
      );
    }
    if (spec.dtype !== 'float32' || spec.quantization) {
      parts.push(new Uint8Array(bundle.data, offset, length));
      specs.push(spec);
    } else {
      const values = new Float32Array(bundle.data.slice(offset, offset + length));
      if (precision === 'float16') {
        parts.push(new Uint8Array(encodeFloat16(values).buffer));
        specs.push({ ...spec, quantization: { dtype: 'float16' } });
      } else {
        const q = quantizeUint8(values);
        parts.push(q.bytes);
        specs.push({ ...spec, quantization: { dtype: 'uint8', min: q.min, scale: q.scale } });
      }
    }
    total += parts[parts.length - 1]!.byteLength;
    offset += length;
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.byteLength;
  }
  return { specs, data: data.buffer };
}

/** Splits weight data into shard-sized pieces (at least one, possibly empty). */
export function splitShards(data: ArrayBuffer, shardBytes = SHARD_BYTES): ArrayBuffer[] {
  const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
  return Array.from({ length: count }, (_, i) =>
    data.slice(i * shardBytes, Math.min((i + 1) * shardBytes, data.byteLength)),
  );
}

/** File names tfjs-converter gives the shards of one weight group. */
export function shardNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
}

/** Lower-case hex SHA-256 of some bytes (Web Crypto: Node 20, browsers and workers alike). */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const view = data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The artifacts `model.save()` would write (topology, float32 weight specs and data). */
export async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  if (!saved) throw new Error('model.save produced nothing');
  return saved;
}

/** The weight specs and one contiguous weight buffer of some artifacts. */
export function weightBundleOf(artifacts: tf.io.ModelArtifacts): WeightBundle {
  const { weightSpecs, weightData } = artifacts;
  if (!weightSpecs || weightData === undefined) throw new Error('the model has no weights');
  return { specs: weightSpecs, data: new tf.io.CompositeArrayBuffer(weightData).slice() };
}

/** One shard as `metadata.json` lists it. */
export interface ShardRecord {
  path: string;
  bytes: number;
  sha256: string;
}

/** Where a model's weights came from. */
export interface ModelSource {
  /** e.g. `keras-h5` for a converted Keras weight file */
  kind: string;
  /** the file name or URL it was made from */
  file: string;
  url?: string;
  md5?: string;
  sha256?: string;
  kerasVersion?: string;
  kerasBackend?: string;
}

/** `metadata.json` as Inception Lens writes it beside `model.json`. */
export interface LensModelMetadata {
  format: 'inception-lens-model/1';
  name: string;
  /** class names (ImageNet's for the fetched model); absent for a feature extractor */
  labels?: string[];
  labelOffset: number;
  inputSize: number;
  inputRange: [number, number];
  /** the zoo model (`?model=` name) and Keras' preprocess_input mode, for converted Keras files */
  model?: string;
  preprocess?: string;
  includeTop: boolean;
  precision: WeightPrecision;
  params: number;
  source: ModelSource;
  licence: { name: string; url: string; note: string };
  shards: ShardRecord[];
  generatedBy: string;
  created: string;
}

/** Reads the fields this app relies on from a parsed `metadata.json`; tolerant of others' files. */
export function shardHashesOf(metadata: unknown): Map<string, ShardRecord> | null {
  const shards = (metadata as { shards?: unknown } | null)?.shards;
  if (!Array.isArray(shards)) return null;
  const map = new Map<string, ShardRecord>();
  for (const s of shards as unknown[]) {
    const r = s as Partial<ShardRecord> | null;
    if (r && typeof r.path === 'string' && typeof r.sha256 === 'string') {
      map.set(r.path, { path: r.path, bytes: Number(r.bytes), sha256: r.sha256.toLowerCase() });
    }
  }
  return map;
}
