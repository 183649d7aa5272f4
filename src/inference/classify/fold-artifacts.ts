/**
 * Batch-norm folding on a model's files (`ModelArtifacts`) instead of on a built model: the same
 * rewrite as fold-batch-norm.ts (its chain finder and config rewrite), with the weights folded in
 * plain JavaScript from the decoded weight data. No backend and no layers are needed, so it runs
 * while the backend starts, and only the folded model is ever built at load; the Keras-structured
 * original is built later, from its own files, when something needs its BatchNormalization layers.
 *
 * The folded files hold every weight as float32 (the float16/uint8 encodings of the download are
 * decoded once here), so loading them again from the cache decodes nothing.
 */
import type { io } from '@tensorflow/tfjs';
import {
  findFoldableChains,
  foldedConfig,
  type FoldedChain,
  type ModelJson,
} from './fold-batch-norm';

/** A model's files with its batch norms folded, and what the original looked like. */
export interface FoldedFiles {
  /** inference-only topology and float32 weights, ready for `tf.io.fromMemory` */
  artifacts: io.ModelArtifacts;
  chains: FoldedChain[];
  /** the original's parameter count (Keras counts batch-norm statistics too) */
  originalParams: number;
}

/** Values of one weight, decoded. */
type Values = Float32Array | Int32Array | Uint8Array;

const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Every float16 bit pattern as a float32 (built once: decoding is then one lookup per value). */
let halfTable: Float32Array | null = null;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function float16Table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** Number of values in a weight of `shape`. */
function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** A typed view of `count` elements at `offset`, copied when the offset is not aligned. */
function view<T>(
  data: ArrayBuffer,
  offset: number,
  count: number,
  bytes: number,
  make: (buffer: ArrayBuffer, offset: number, count: number) => T,
): T {
  if (offset % bytes === 0) return make(data, offset, count);
  return make(data.slice(offset, offset + count * bytes), 0, count);
}

/** The byte size one spec takes in the weight data (throws for what we cannot decode). */
function byteSizeOf(spec: io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES[dtype];
  if (bytes === undefined)
    throw new Error(`weights of type ${dtype} (${spec.name}) are not supported`);
  return sizeOf(spec.shape) * bytes;
}

/** Decodes every weight of `data` (laid out as `specs` say) into typed arrays, by name. */
export function decodeWeightValues(
  specs: readonly io.WeightsManifestEntry[],
  data: ArrayBuffer,
): Map<string, Values> {
  const out = new Map<string, Values>();
  let offset = 0;
  for (const spec of specs) {
    const count = sizeOf(spec.shape);
    const size = byteSizeOf(spec);
    if (offset + size > data.byteLength) {
      throw new Error(`the weight data ends before ${spec.name} (${data.byteLength} bytes)`);
    }
    const q = spec.quantization;
    let values: Values;
    if (q?.dtype === 'float16' || q?.dtype === 'uint8' || q?.dtype === 'uint16') {
      const floats = new Float32Array(count);
      decodeFloatsInto(data, { spec, offset }, floats);
      values = spec.dtype === 'int32' ? Int32Array.from(floats, Math.round) : floats;
    } else if (spec.dtype === 'float32') {
      values = view(data, offset, count, 4, (b, o, n) => new Float32Array(b, o, n));
    } else if (spec.dtype === 'int32') {
      values = view(data, offset, count, 4, (b, o, n) => new Int32Array(b, o, n));
    } else {
      values = new Uint8Array(data, offset, count);
    }
    out.set(spec.name, values);
    offset += size;
  }
  return out;
}

/** One ArrayBuffer holding `data` (a download may come as several). */
function joined(data: io.WeightData): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  if (data.length === 1) return data[0]!;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** The functional-model config inside a topology (Keras may wrap it in `model_config`). */
function modelConfigOf(topology: unknown): ModelJson | null {
  if (!topology || typeof topology !== 'object' || Array.isArray(topology)) return null;
  const wrapped = (topology as { model_config?: unknown }).model_config;
  const json = (wrapped ?? topology) as Partial<ModelJson>;
  if (json.class_name !== 'Model' && json.class_name !== 'Functional') return null;
  if (!json.config || !Array.isArray(json.config.layers)) return null;
  return json as ModelJson;
}

/** The weight-name prefix of layer `name` in the specs (`name/kernel` → `name/`). */
function weightName(layer: string, weight: string): string {
  return `${layer}/${weight}`;
}

/** Where each weight's encoded bytes sit in the weight data, by name. */
interface Located {
  spec: io.WeightsManifestEntry;
  offset: number;
}

/** The byte offset of every weight in `data` (laid out as `specs` say); throws when it ends early. */
function locate(
  specs: readonly io.WeightsManifestEntry[],
  data: ArrayBuffer,
): Map<string, Located> {
  const out = new Map<string, Located>();
  let offset = 0;
  for (const spec of specs) {
    const size = byteSizeOf(spec);
    if (offset + size > data.byteLength) {
      throw new Error(`the weight data ends before ${spec.name} (${data.byteLength} bytes)`);
    }
    out.set(spec.name, { spec, offset });
    offset += size;
  }
  return out;
}

/** The platform's Float16Array where there is one (Chromium 135+), for a native decode. */
type HalfArrayConstructor = new (
  buffer: ArrayBuffer,
  offset: number,
  length: number,
) => ArrayLike<number>;
const NativeHalf = (globalThis as { Float16Array?: HalfArrayConstructor }).Float16Array;

/**
 * Decodes one float weight straight into `target`; one pass and no intermediate array. The loops
 * are plain and monomorphic on purpose: a load runs each once, and on a busy machine the optimising
 * compiler may not get the CPU before the loop ends, so the float16 decode is done natively by
 * `TypedArray.set` where the browser has Float16Array.
 */
function decodeFloatsInto(
  data: ArrayBuffer,
  { spec, offset }: Located,
  target: Float32Array,
): void {
  const count = sizeOf(spec.shape);
  const q = spec.quantization;
  if (q?.dtype === 'float16') {
    const halves = view(data, offset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
    if (NativeHalf) {
      target.set(new NativeHalf(halves.buffer, halves.byteOffset, count));
    } else {
      const table = float16Table();
      for (let i = 0; i < count; i++) target[i] = table[halves[i]!]!;
    }
  } else if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
    const ints =
      q.dtype === 'uint8'
        ? new Uint8Array(data, offset, count)
        : view(data, offset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
    const step = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < count; i++) target[i] = ints[i]! * step + min;
  } else {
    target.set(view(data, offset, count, 4, (b, o, n) => new Float32Array(b, o, n)));
  }
}

/**
 * Multiplies a channels-last kernel in place by `scale[c]`, c its output channel (the last,
 * fastest-moving dimension); float64 scale, rounded to float32 on store as the fold always did.
 */
function scaleChannels(kernel: Float32Array, scale: Float64Array): void {
  const period = scale.length;
  for (let row = 0; row < kernel.length; row += period) {
    for (let c = 0; c < period; c++) kernel[row + c] = kernel[row + c]! * scale[c]!;
  }
}

/**
 * Folds the batch norms of a model's files (see the file comment). Null when there is nothing to
 * fold (not a functional model, or no Conv2D → BatchNormalization chain); throws when the files
 * do not fit their topology (the caller then loads the original as it is).
 *
 * The output is written in one go: the new weight list is laid out first, then each weight is
 * decoded (and, for a folded kernel, scaled) straight into its place in the one output buffer.
 */
export function foldArtifacts(artifacts: io.ModelArtifacts): FoldedFiles | null {
  const json = modelConfigOf(artifacts.modelTopology);
  const specs = artifacts.weightSpecs;
  if (!json || !specs || !artifacts.weightData) return null;
  const chains = findFoldableChains(json);
  if (chains.length === 0) return null;
  const data = joined(artifacts.weightData);
  const located = locate(specs, data);
  const layerOf = new Map(json.config.layers.map((l) => [l.config.name, l]));

  /** A small float weight (batch-norm statistics, a bias) decoded on its own. */
  const small = (name: string, count: number): Float32Array => {
    const at = located.get(name);
    if (!at || at.spec.dtype !== 'float32' || sizeOf(at.spec.shape) !== count) {
      throw new Error(`cannot fold: weight ${name} is missing or has the wrong size`);
    }
    const out = new Float32Array(count);
    decodeFloatsInto(data, at, out);
    return out;
  };

  /** per folded conv: its kernel's scale per output channel and its new bias */
  const replaced = new Map<string, { scale: Float64Array; bias: Float32Array }>();
  const dropped = new Set<string>();
  for (const chain of chains) {
    const kernelName = weightName(chain.conv, 'kernel');
    const kernelAt = located.get(kernelName);
    const bnConfig: Record<string, unknown> = layerOf.get(chain.batchNorm)?.config ?? {};
    if (!kernelAt || kernelAt.spec.shape.length !== 4) {
      throw new Error(`cannot fold: ${chain.conv} has no 4-d kernel named ${kernelName}`);
    }
    if (kernelAt.spec.dtype !== 'float32') {
      throw new Error(`cannot fold: weight ${kernelName} is missing or has the wrong size`);
    }
    const out = kernelAt.spec.shape[3]!;
    const biasName = weightName(chain.conv, 'bias');
    const convBias = located.has(biasName) ? small(biasName, out) : null;
    const bn = (w: string): string => weightName(chain.batchNorm, w);
    const mean = small(bn('moving_mean'), out);
    const variance = small(bn('moving_variance'), out);
    const gamma = bnConfig.scale === false ? null : small(bn('gamma'), out);
    const beta = bnConfig.center === false ? null : small(bn('beta'), out);
    const epsilon = typeof bnConfig.epsilon === 'number' ? bnConfig.epsilon : 1e-3;
    const scale = new Float64Array(out);
    const bias = new Float32Array(out);
    for (let c = 0; c < out; c++) {
      scale[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(variance[c]! + epsilon);
      bias[c] = ((convBias ? convBias[c]! : 0) - mean[c]!) * scale[c]! + (beta ? beta[c]! : 0);
    }
    replaced.set(chain.conv, { scale, bias });
    for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) dropped.add(bn(w));
  }

  // The new weight list, in the original order; each folded conv gets its bias after its kernel.
  type Part =
    | { kind: 'copy'; at: Located }
    | { kind: 'kernel'; at: Located; scale: Float64Array }
    | { kind: 'values'; values: Float32Array };
  const outSpecs: io.WeightsManifestEntry[] = [];
  const parts: { part: Part; bytes: number }[] = [];
  for (const spec of specs) {
    if (dropped.has(spec.name)) continue;
    const slash = spec.name.lastIndexOf('/');
    const layer = spec.name.slice(0, slash);
    const fold = replaced.get(layer);
    const at = located.get(spec.name)!;
    if (fold && spec.name === weightName(layer, 'kernel')) {
      outSpecs.push({ name: spec.name, shape: [...spec.shape], dtype: 'float32' });
      parts.push({
        part: { kind: 'kernel', at, scale: fold.scale },
        bytes: sizeOf(spec.shape) * 4,
      });
      outSpecs.push({
        name: weightName(layer, 'bias'),
        shape: [fold.bias.length],
        dtype: 'float32',
      });
      parts.push({ part: { kind: 'values', values: fold.bias }, bytes: fold.bias.byteLength });
    } else if (!(fold && spec.name === weightName(layer, 'bias'))) {
      const dtype = spec.dtype === 'int32' ? 'int32' : spec.dtype === 'bool' ? 'bool' : 'float32';
      outSpecs.push({ name: spec.name, shape: [...spec.shape], dtype });
      parts.push({
        part: { kind: 'copy', at },
        bytes: sizeOf(spec.shape) * (dtype === 'bool' ? 1 : 4),
      });
    }
  }
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  const weightData = new ArrayBuffer(total);
  const bytesOut = new Uint8Array(weightData);
  let offset = 0;
  for (const { part, bytes } of parts) {
    const count = bytes / (part.kind === 'copy' && part.at.spec.dtype === 'bool' ? 1 : 4);
    // A float32 view needs a 4-byte aligned offset (a bool weight before it can break that).
    const aligned = offset % 4 === 0;
    const floats = (): Float32Array =>
      aligned ? new Float32Array(weightData, offset, count) : new Float32Array(count);
    let written: Float32Array | Int32Array | Uint8Array | null = null;
    if (part.kind === 'values') written = part.values;
    else if (part.kind === 'kernel') {
      const target = floats();
      decodeFloatsInto(data, part.at, target);
      scaleChannels(target, part.scale);
      if (!aligned) written = target;
    } else if (part.at.spec.dtype === 'float32') {
      const target = floats();
      decodeFloatsInto(data, part.at, target);
      if (!aligned) written = target;
    } else {
      // int32 and bool: rare (none in InceptionV3); decoded as before, then copied in.
      const { spec } = part.at;
      const own = data.slice(part.at.offset, part.at.offset + byteSizeOf(spec));
      written = decodeWeightValues([spec], own).get(spec.name)!;
    }
    if (written) {
      bytesOut.set(new Uint8Array(written.buffer, written.byteOffset, written.byteLength), offset);
    }
    offset += bytes;
  }

  const config = foldedConfig(json, chains);
  const topology = artifacts.modelTopology as Record<string, unknown>;
  const modelTopology = 'model_config' in topology ? { ...topology, model_config: config } : config;
  return {
    artifacts: {
      modelTopology,
      weightSpecs: outSpecs,
      weightData,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    },
    chains,
    originalParams: specs.reduce((n, s) => n + sizeOf(s.shape), 0),
  };
}
