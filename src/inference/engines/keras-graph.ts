/**
 * Reads a Keras-structured model (its topology + float32 weights) into a small, engine-neutral
 * inference graph with batch norm folded into the convolutions: what the worker writes as `.tflite`
 * for LiteRT.js (engines/litert/) and the bench writes as `.tflite` and `.onnx` for its peers. Only
 * the layers InceptionV3 uses are understood (Conv2D, BatchNormalization, Activation relu/softmax,
 * Max/AveragePooling2D, Concatenate, GlobalAveragePooling2D, Dense); anything else is refused by
 * name. No TensorFlow.js here: the weights come through a getter.
 */
import { float16Bits } from '../../models/tfjs-artifacts';

/** Tensors are NHWC; names are the Keras layer that produced them. */
export type GraphNode =
  | {
      kind: 'conv';
      name: string;
      input: string;
      /** [kh, kw, cin, cout], Keras' HWIO layout */
      kernelShape: [number, number, number, number];
      kernel: Float32Array;
      bias: Float32Array;
      strides: [number, number];
      padding: 'same' | 'valid';
      relu: boolean;
    }
  | {
      kind: 'maxpool' | 'avgpool';
      name: string;
      input: string;
      pool: [number, number];
      strides: [number, number];
      padding: 'same' | 'valid';
    }
  | { kind: 'concat'; name: string; inputs: string[] }
  | { kind: 'gap'; name: string; input: string }
  | {
      kind: 'dense';
      name: string;
      input: string;
      /** [in, out], Keras' layout */
      kernelShape: [number, number];
      kernel: Float32Array;
      bias: Float32Array;
      softmax: boolean;
    };

/** The folded inference graph. */
export interface InferenceGraph {
  input: { name: string; shape: [number, number, number, number] };
  nodes: GraphNode[];
  output: string;
  /** a second output written after `output` (e.g. the pooled features), when asked for */
  features?: string;
  /** NHWC shape of every tensor, by name */
  shapes: Map<string, number[]>;
}

interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes: unknown[][][];
}

/** The parts of a layers-model `model.json` read here. */
export interface ModelJsonLike {
  modelTopology: unknown;
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string }[];
  }[];
}

/** Rounds to the nearest float16 and back (the weights the app loads from a float16 model). */
export function roundFloat16(value: number): number {
  const h = float16Bits(value);
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function layersOf(topology: unknown): LayerJson[] {
  const t = topology as {
    model_config?: { config: { layers: LayerJson[] } };
    config?: { layers: LayerJson[] };
  };
  const layers = t.model_config?.config.layers ?? t.config?.layers;
  if (!layers) throw new Error('model.json: no functional-model layers');
  return layers;
}

function inbound(layer: LayerJson): string[] {
  return layer.inbound_nodes.flatMap((node) => node.map((r) => String(r[0])));
}

const pair = (v: unknown): [number, number] => {
  const a = v as number[];
  return [a[0] as number, a[1] as number];
};

/**
 * Builds the folded graph from a model.json and its concatenated weight bytes (float32 only).
 * `float16`: round every stored weight through float16 first, as the app's float16 copy does.
 */
export function foldedGraphOf(
  json: ModelJsonLike,
  data: ArrayBuffer,
  options: { float16?: boolean } = {},
): InferenceGraph {
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const group of json.weightsManifest) {
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32') throw new Error(`${spec.name}: only float32 weights are read`);
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(data.slice(offset, offset + 4 * n));
      if (options.float16)
        for (let i = 0; i < n; i++) values[i] = roundFloat16(values[i] as number);
      weights.set(spec.name, values);
      offset += 4 * n;
    }
  }
  return graphOf(json.modelTopology, (name) => weights.get(name));
}

/**
 * Builds the folded graph from a Keras topology and a getter of its weights by `layer/weight`
 * name (e.g. `conv2d/kernel`). The arrays it returns are referenced, never changed: a folded
 * convolution gets new ones. `features`: a layer whose output becomes the graph's second output.
 */
export function graphOf(
  topology: unknown,
  weight: (name: string) => Float32Array | undefined,
  options: { features?: string } = {},
): InferenceGraph {
  const get = (name: string): Float32Array => {
    const w = weight(name);
    if (!w) throw new Error(`missing weight ${name}`);
    return w;
  };

  const layers = layersOf(topology);
  const alias = new Map<string, string>();
  const resolve = (name: string): string => alias.get(name) ?? name;
  const nodes: GraphNode[] = [];
  const shapes = new Map<string, number[]>();
  const convs = new Map<string, Extract<GraphNode, { kind: 'conv' }>>();
  let input: InferenceGraph['input'] | null = null;
  let output = '';

  for (const layer of layers) {
    const c = layer.config;
    const name = c.name;
    const ins = inbound(layer).map(resolve);
    const first = ins[0] as string;
    const inShape = shapes.get(first) ?? [];
    switch (layer.class_name) {
      case 'InputLayer': {
        const shape = (c.batch_input_shape ?? c.batch_shape) as (number | null)[];
        input = { name, shape: [1, shape[1] as number, shape[2] as number, shape[3] as number] };
        shapes.set(name, input.shape);
        break;
      }
      case 'Conv2D': {
        const k = pair(c.kernel_size);
        const strides = pair(c.strides);
        const dilation = pair(c.dilation_rate ?? [1, 1]);
        if (dilation[0] !== 1 || dilation[1] !== 1) throw new Error(`${name}: dilation`);
        const cin = inShape[3] as number;
        const cout = c.filters as number;
        const padding = c.padding as 'same' | 'valid';
        const act = c.activation as string;
        if (act !== 'linear' && act !== 'relu') throw new Error(`${name}: activation ${act}`);
        const node = {
          kind: 'conv' as const,
          name,
          input: first,
          kernelShape: [k[0], k[1], cin, cout] as [number, number, number, number],
          kernel: get(`${name}/kernel`),
          bias: c.use_bias ? get(`${name}/bias`) : new Float32Array(cout),
          strides,
          padding,
          relu: act === 'relu',
        };
        nodes.push(node);
        convs.set(name, node);
        shapes.set(name, [1, ...spatial(inShape, k, strides, padding), cout]);
        break;
      }
      case 'BatchNormalization': {
        const conv = convs.get(first);
        if (!conv || conv.relu) throw new Error(`${name}: batch norm not after a linear Conv2D`);
        const eps = c.epsilon as number;
        const cout = conv.kernelShape[3];
        const gamma = c.scale === false ? null : get(`${name}/gamma`);
        const beta = c.center === false ? null : get(`${name}/beta`);
        const mean = get(`${name}/moving_mean`);
        const variance = get(`${name}/moving_variance`);
        // New arrays: the getter's may be a model's own storage.
        const kernel = new Float32Array(conv.kernel.length);
        const bias = new Float32Array(cout);
        for (let o = 0; o < cout; o++) {
          const s = (gamma ? (gamma[o] as number) : 1) / Math.sqrt((variance[o] as number) + eps);
          for (let i = o; i < kernel.length; i += cout) {
            kernel[i] = (conv.kernel[i] as number) * s;
          }
          bias[o] =
            ((conv.bias[o] as number) - (mean[o] as number)) * s + (beta ? (beta[o] as number) : 0);
        }
        conv.kernel = kernel;
        conv.bias = bias;
        alias.set(name, first);
        break;
      }
      case 'Activation': {
        const conv = convs.get(first);
        if (c.activation !== 'relu' || !conv || conv.relu) {
          throw new Error(`${name}: only a relu after a folded Conv2D is supported`);
        }
        conv.relu = true;
        alias.set(name, first);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const pool = pair(c.pool_size);
        const strides = pair(c.strides ?? c.pool_size);
        const padding = c.padding as 'same' | 'valid';
        nodes.push({
          kind: layer.class_name === 'MaxPooling2D' ? 'maxpool' : 'avgpool',
          name,
          input: first,
          pool,
          strides,
          padding,
        });
        shapes.set(name, [1, ...spatial(inShape, pool, strides, padding), inShape[3] as number]);
        break;
      }
      case 'Concatenate': {
        if (c.axis !== -1 && c.axis !== 3)
          throw new Error(`${name}: concat axis ${String(c.axis)}`);
        nodes.push({ kind: 'concat', name, inputs: ins });
        const channels = ins.reduce((n, i) => n + ((shapes.get(i) ?? [])[3] as number), 0);
        shapes.set(name, [
          inShape[0] as number,
          inShape[1] as number,
          inShape[2] as number,
          channels,
        ]);
        break;
      }
      case 'GlobalAveragePooling2D':
        nodes.push({ kind: 'gap', name, input: first });
        shapes.set(name, [1, inShape[3] as number]);
        break;
      case 'Dense': {
        const units = c.units as number;
        const act = c.activation as string;
        if (act !== 'linear' && act !== 'softmax') throw new Error(`${name}: activation ${act}`);
        nodes.push({
          kind: 'dense',
          name,
          input: first,
          kernelShape: [inShape[1] as number, units],
          kernel: get(`${name}/kernel`),
          bias: c.use_bias ? get(`${name}/bias`) : new Float32Array(units),
          softmax: act === 'softmax',
        });
        shapes.set(name, [1, units]);
        break;
      }
      default:
        throw new Error(`layer ${name}: ${layer.class_name} is not supported by the converter`);
    }
    output = resolve(name);
  }
  if (!input) throw new Error('model.json: no InputLayer');
  const graph: InferenceGraph = { input, nodes, output, shapes };
  if (options.features !== undefined) {
    const features = resolve(options.features);
    if (!shapes.has(features)) throw new Error(`no layer ${options.features} for the features`);
    graph.features = features;
  }
  return graph;
}

function spatial(
  shape: number[],
  k: [number, number],
  s: [number, number],
  padding: 'same' | 'valid',
): [number, number] {
  const dim = (n: number, kk: number, ss: number): number =>
    padding === 'same' ? Math.ceil(n / ss) : Math.floor((n - kk) / ss) + 1;
  return [dim(shape[1] as number, k[0], s[0]), dim(shape[2] as number, k[1], s[1])];
}

/** TensorFlow's SAME padding along one axis: [before, after]. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernel - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
