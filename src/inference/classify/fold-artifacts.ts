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
    if (q?.dtype === 'float16') {
      const table = float16Table();
      const halves = view(data, offset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = table[halves[i]!]!;
    } else if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
      const ints =
        q.dtype === 'uint8'
          ? new Uint8Array(data, offset, count)
          : view(data, offset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = ints[i]! * scale + min;
      if (spec.dtype === 'int32') values = Int32Array.from(values, Math.round);
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

function need(values: Map<string, Values>, name: string, count: number): Float32Array {
  const found = values.get(name);
  if (!(found instanceof Float32Array) || found.length !== count) {
    throw new Error(`cannot fold: weight ${name} is missing or has the wrong size`);
  }
  return found;
}

/** The weight-name prefix of layer `name` in the specs (`name/kernel` → `name/`). */
function weightName(layer: string, weight: string): string {
  return `${layer}/${weight}`;
}

/**
 * Folds the batch norms of a model's files (see the file comment). Null when there is nothing to
 * fold (not a functional model, or no Conv2D → BatchNormalization chain); throws when the files
 * do not fit their topology (the caller then loads the original as it is).
 */
export function foldArtifacts(artifacts: io.ModelArtifacts): FoldedFiles | null {
  const json = modelConfigOf(artifacts.modelTopology);
  const specs = artifacts.weightSpecs;
  if (!json || !specs || !artifacts.weightData) return null;
  const chains = findFoldableChains(json);
  if (chains.length === 0) return null;
  const values = decodeWeightValues(specs, joined(artifacts.weightData));
  const specOf = new Map(specs.map((s) => [s.name, s]));
  const layerOf = new Map(json.config.layers.map((l) => [l.config.name, l]));

  /** folded kernel and bias per conv name; the batch norms' weight names to leave out */
  const replaced = new Map<string, { kernel: Float32Array; bias: Float32Array }>();
  const dropped = new Set<string>();
  for (const chain of chains) {
    const kernelName = weightName(chain.conv, 'kernel');
    const kernelSpec = specOf.get(kernelName);
    const bnConfig: Record<string, unknown> = layerOf.get(chain.batchNorm)?.config ?? {};
    if (!kernelSpec || kernelSpec.shape.length !== 4) {
      throw new Error(`cannot fold: ${chain.conv} has no 4-d kernel named ${kernelName}`);
    }
    const out = kernelSpec.shape[3]!;
    const kernel = need(values, kernelName, sizeOf(kernelSpec.shape));
    const biasName = weightName(chain.conv, 'bias');
    const convBias = values.has(biasName) ? need(values, biasName, out) : null;
    const bn = (w: string): string => weightName(chain.batchNorm, w);
    const mean = need(values, bn('moving_mean'), out);
    const variance = need(values, bn('moving_variance'), out);
    const gamma = bnConfig.scale === false ? null : need(values, bn('gamma'), out);
    const beta = bnConfig.center === false ? null : need(values, bn('beta'), out);
    const epsilon = typeof bnConfig.epsilon === 'number' ? bnConfig.epsilon : 1e-3;
    const scale = new Float64Array(out);
    const bias = new Float32Array(out);
    for (let c = 0; c < out; c++) {
      scale[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(variance[c]! + epsilon);
      bias[c] = ((convBias ? convBias[c]! : 0) - mean[c]!) * scale[c]! + (beta ? beta[c]! : 0);
    }
    // Channels-last kernel [kh, kw, in, out]: the output channel is the fastest-moving index.
    const folded = new Float32Array(kernel.length);
    for (let i = 0; i < kernel.length; i++) folded[i] = kernel[i]! * scale[i % out]!;
    replaced.set(chain.conv, { kernel: folded, bias });
    for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) dropped.add(bn(w));
  }

  // The new weight list, in the original order; each folded conv gets its bias after its kernel.
  const outSpecs: io.WeightsManifestEntry[] = [];
  const parts: Values[] = [];
  const add = (name: string, shape: number[], data: Values): void => {
    const dtype =
      data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool';
    outSpecs.push({ name, shape, dtype });
    parts.push(data);
  };
  for (const spec of specs) {
    if (dropped.has(spec.name)) continue;
    const slash = spec.name.lastIndexOf('/');
    const layer = spec.name.slice(0, slash);
    const fold = replaced.get(layer);
    if (fold && spec.name === weightName(layer, 'kernel')) {
      add(spec.name, [...spec.shape], fold.kernel);
      add(weightName(layer, 'bias'), [fold.bias.length], fold.bias);
    } else if (!(fold && spec.name === weightName(layer, 'bias'))) {
      add(spec.name, [...spec.shape], values.get(spec.name)!);
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }

  const config = foldedConfig(json, chains);
  const topology = artifacts.modelTopology as Record<string, unknown>;
  const modelTopology = 'model_config' in topology ? { ...topology, model_config: config } : config;
  return {
    artifacts: {
      modelTopology,
      weightSpecs: outSpecs,
      weightData: weightData.buffer,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    },
    chains,
    originalParams: specs.reduce((n, s) => n + sizeOf(s.shape), 0),
  };
}
