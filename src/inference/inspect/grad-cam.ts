/**
 * Grad-CAM (Selvaraju et al., 2017) for any tfjs layers model: which places in the image made
 * the model say a class. For a chosen layer with activations A (h × w × k), the class score's
 * gradient dS/dA is averaged over the positions into one weight per channel, and the heatmap is
 * ReLU(Σ_k weight_k · A_k), normalised to 0..1.
 *
 * The model's graph is executed layer by layer on concrete tensors (following its nodes, so the
 * branches and concatenations of Inception blocks work): first everything that does not depend
 * on the chosen layer, once, without gradients; then, under `tf.grad`, only the part downstream
 * of it. The score is the class' logit: a final softmax is skipped. In that gradient pass,
 * convolutions and batch normalisation run as plain ops whose gradients every backend has (see
 * `convForGradient` and `batchNormForGradient`).
 */
import * as tf from '@tensorflow/tfjs';
import { asProbabilities } from '../classify/top-k';
import { findBlocks } from '../../models/zoo/blocks';
import type { CamLayer, GradCamStage } from './protocol';

type Layer = tf.layers.Layer;
type Node = Layer['inboundNodes'][number];

/** Inception block outputs are named exactly `mixed0` … `mixed10` by Keras. */
const INCEPTION_BLOCK = /^mixed\d+$/;

/** The model's nodes from the input side to the output side (what tfjs' own executor walks). */
export function nodesInOrder(model: tf.LayersModel): Node[] {
  // A Sequential model makes its graph on first use.
  if (model instanceof tf.Sequential && !model.built) model.build();
  const byDepth = (model as unknown as { nodesByDepth?: Record<string, Node[]> }).nodesByDepth;
  if (!byDepth || Object.keys(byDepth).length === 0) {
    throw new Error(`the model '${model.name}' has no graph to follow (was it built?)`);
  }
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((depth) => byDepth[depth] ?? []);
}

function isInput(layer: Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

function spatialShape(layer: Layer): [number, number, number] | null {
  let shape: (number | null)[] | (number | null)[][];
  try {
    shape = layer.outputShape;
  } catch {
    return null; // several nodes: not a single place in the graph
  }
  if (shape.length !== 4 || Array.isArray(shape[0])) return null;
  const [, h, w, c] = shape as (number | null)[];
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') return null;
  return h > 1 || w > 1 ? [h, w, c] : null;
}

/** Layers Grad-CAM can look at: 4-D output with more than one position, input side first. */
export function camLayers(model: tf.LayersModel): CamLayer[] {
  return model.layers.flatMap((layer) => {
    if (isInput(layer)) return [];
    const shape = spatialShape(layer);
    return shape ? [{ name: layer.name, shape }] : [];
  });
}

/**
 * The layers ending the architecture's blocks (`mixed0` … `mixed10`, `conv2_block1_out` …, see
 * models/zoo/blocks.ts), input side first; empty for a model without known blocks.
 */
export function blockLayers(model: tf.LayersModel): string[] {
  return findBlocks(model.layers.map((l) => l.name))?.ends ?? [];
}

/**
 * The layer explained by default: `preferred` when the model has it as a spatial layer (the zoo
 * table's last spatial layer, e.g. VGG16's `block5_conv3` rather than the pooled `block5_pool`),
 * else the last Inception block (`mixed10`), else the last layer with a spatial output (e.g.
 * MobileNet's `conv_pw_13_relu`, ResNet50's `conv5_block3_out`).
 */
export function defaultCamLayer(model: tf.LayersModel, preferred?: string): string {
  const spatial = camLayers(model);
  if (preferred !== undefined && spatial.some((l) => l.name === preferred)) return preferred;
  const blocks = model.layers.map((l) => l.name).filter((n) => INCEPTION_BLOCK.test(n));
  const last = blocks[blocks.length - 1] ?? spatial.pop()?.name;
  if (!last) throw new Error(`'${model.name}' has no layer with a spatial (4-D) output to explain`);
  return last;
}

/** Keyword arguments a node was called with, minus the ones that would switch to training. */
function callArgsOf(node: Node): Record<string, unknown> {
  const args: Record<string, unknown> = { ...(node.callArgs ?? {}) };
  delete args['training'];
  delete args['mask'];
  return args;
}

function activationName(layer: Layer): string | null {
  const activation = (layer as unknown as { activation?: { getClassName?: () => string } })
    .activation;
  return activation?.getClassName?.() ?? null;
}

/** Whether this layer applies a softmax (its own layer, or a Dense/Conv activation). */
function appliesSoftmax(layer: Layer): boolean {
  const type = layer.getClassName();
  if (type === 'Softmax') return true;
  return activationName(layer) === 'softmax';
}

/** How a node is applied: as the model does, or for the gradient pass (see {@link applyNode}). */
type Mode = 'forward' | 'gradient';

interface ConvInternals {
  kernel?: tf.LayerVariable;
  depthwiseKernel?: tf.LayerVariable;
  bias?: tf.LayerVariable | null;
  activation?: { apply(x: tf.Tensor): tf.Tensor; getClassName?(): string } | null;
}

/**
 * A depthwise kernel `[kh, kw, c, m]` as the equivalent ordinary conv kernel `[kh, kw, c, c·m]`
 * (block-diagonal: output channel `i·m + j` sees only input channel `i`).
 */
export function depthwiseAsConvKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = kernel.shape;
    const eye = tf.eye(c).reshape([1, 1, c, c, 1]);
    return kernel
      .reshape([kh, kw, c, 1, m])
      .mul(eye)
      .reshape([kh, kw, c, c * m]);
  });
}

/** Inserts `sh − 1` zero rows and `sw − 1` zero columns between the positions of `x`. */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let y = x;
  if (sh > 1) {
    const rows = y.reshape<tf.Tensor4D>([n, h, 1, w * c]);
    y = tf
      .concat<tf.Tensor4D>([rows, tf.zeros<tf.Rank.R4>([n, h, sh - 1, w * c])], 2)
      .reshape<tf.Tensor4D>([n, h * sh, w, c])
      .slice([0, 0, 0, 0], [n, (h - 1) * sh + 1, w, c]);
  }
  if (sw > 1) {
    const rowsNow = y.shape[1];
    const cols = y.reshape<tf.Tensor4D>([n * rowsNow, w, 1, c]);
    y = tf
      .concat<tf.Tensor4D>([cols, tf.zeros<tf.Rank.R4>([n * rowsNow, w, sw - 1, c])], 2)
      .reshape<tf.Tensor4D>([n, rowsNow, w * sw, c])
      .slice([0, 0, 0, 0], [n, rowsNow, (w - 1) * sw + 1, c]);
  }
  return y;
}

/**
 * A kernel `[kh, kw, in, out]` turned half a turn in space, with in and out swapped:
 * `[kh, kw, out, in]`. Turning both spatial axes reverses the flattened `kh·kw` positions: a
 * product with the reversing permutation matrix, which WASM computes far faster than its Reverse
 * or Gather kernels move the same numbers.
 */
function flipKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = kernel.shape;
    const positions = kh * kw;
    const reverse = new Float32Array(positions * positions);
    for (let i = 0; i < positions; i++) reverse[i * positions + (positions - 1 - i)] = 1;
    return tf
      .matMul(tf.tensor2d(reverse, [positions, positions]), kernel.reshape([positions, cin * cout]))
      .reshape<tf.Tensor4D>([kh, kw, cin, cout])
      .transpose<tf.Tensor4D>([0, 1, 3, 2]);
  });
}

/**
 * The gradient of `conv2d(x, kernel, strides, padding)` with respect to `x`, computed as an
 * ordinary convolution: `dy` spread out by the strides, padded, and convolved with the kernel
 * flipped in space and with its in/out channels swapped. Same numbers as tfjs'
 * Conv2DBackpropInput, several times faster on WASM, where conv2d has an optimised kernel.
 */
export function convInputGradient(
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  strides: readonly [number, number],
  padding: 'same' | 'valid',
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel.shape;
    const [, h, w] = inputShape;
    const [, ho, wo] = dy.shape;
    const [sh, sw] = strides;
    // TensorFlow's 'same': pad_total = max((out − 1)·s + k − in, 0), the smaller half on top.
    const padTop = padding === 'same' ? Math.floor(Math.max((ho - 1) * sh + kh - h, 0) / 2) : 0;
    const padLeft = padding === 'same' ? Math.floor(Math.max((wo - 1) * sw + kw - w, 0) / 2) : 0;
    const spread = dilate(dy, sh, sw);
    const top = kh - 1 - padTop;
    const left = kw - 1 - padLeft;
    const padded = tf.pad(spread, [
      [0, 0],
      [top, h + kh - 1 - spread.shape[1] - top],
      [left, w + kw - 1 - spread.shape[2] - left],
      [0, 0],
    ]);
    const flipped = flipKernel(kernel);
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
}

/** `conv2d(x, kernel)` whose gradient (to `x` only; the kernel is a constant here) is a conv too. */
function conv2dForGradient(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  strides: [number, number],
  padding: 'same' | 'valid',
): tf.Tensor4D {
  const inputShape = x.shape;
  // The kernel goes in as a second input so the backward pass still has it (an intermediate
  // such as a block-diagonal kernel is disposed after the forward pass); its gradient is zero.
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, k, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([k]);
    return {
      value: tf.conv2d(input, k, strides, padding),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const kept = saved[0] as tf.Tensor4D;
        return [
          convInputGradient(dy as tf.Tensor4D, kept, inputShape, strides, padding),
          tf.zerosLike(kept),
        ];
      },
    };
  });
  return f(x, kernel);
}

/**
 * A Conv2D or DepthwiseConv2D layer computed with plain (unfused) ops and a convolution as its
 * input gradient (see {@link convInputGradient}). tfjs' fused conv computes the filter gradient
 * too, and the WASM backend has no kernel for that, nor for a depthwise input gradient (hence
 * the block-diagonal stand-in there). Returns null for layers this does not cover; they run as
 * they are.
 */
function convForGradient(layer: Layer, input: tf.Tensor, logits: boolean): tf.Tensor | null {
  const type = layer.getClassName();
  if (type !== 'Conv2D' && type !== 'DepthwiseConv2D') return null;
  const config = layer.getConfig();
  const dilation = config['dilationRate'];
  const padding = config['padding'];
  if (
    config['dataFormat'] !== 'channelsLast' ||
    (padding !== 'same' && padding !== 'valid') ||
    (Array.isArray(dilation) ? dilation.some((d) => d !== 1) : dilation !== 1)
  ) {
    return null;
  }
  const strides = config['strides'] as [number, number];
  const own = layer as unknown as ConvInternals;
  const x = input as tf.Tensor4D;
  let y: tf.Tensor4D;
  if (type === 'Conv2D') {
    if (!own.kernel) return null;
    y = conv2dForGradient(x, own.kernel.read() as tf.Tensor4D, strides, padding);
  } else {
    if (!own.depthwiseKernel) return null;
    const kernel = own.depthwiseKernel.read() as tf.Tensor4D;
    y = tf.getKernel('DepthwiseConv2dNativeBackpropInput', tf.getBackend())
      ? tf.depthwiseConv2d(x, kernel, strides, padding)
      : conv2dForGradient(x, depthwiseAsConvKernel(kernel), strides, padding);
  }
  if (own.bias) y = tf.add(y, own.bias.read());
  const activation = own.activation;
  if (activation && !(logits && activation.getClassName?.() === 'softmax')) {
    y = activation.apply(y) as tf.Tensor4D;
  }
  return y;
}

interface BatchNormInternals {
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean?: tf.LayerVariable;
  movingVariance?: tf.LayerVariable;
}

/**
 * A BatchNormalization layer (inference form, channels last) with plain ops. tfjs' batchNorm op
 * cannot be differentiated without a scale (`scale: false`, as in every InceptionV3 conv block):
 * it saves the missing scale for the backward pass and fails. Returns null for other layers.
 */
function batchNormForGradient(layer: Layer, input: tf.Tensor): tf.Tensor | null {
  if (layer.getClassName() !== 'BatchNormalization') return null;
  const config = layer.getConfig();
  const axis = config['axis'];
  const last = input.rank - 1;
  if (axis !== -1 && axis !== last) return null;
  const own = layer as unknown as BatchNormInternals;
  if (!own.movingMean || !own.movingVariance) return null;
  const epsilon = typeof config['epsilon'] === 'number' ? config['epsilon'] : 1e-3;
  let factor = tf.rsqrt(tf.add(own.movingVariance.read(), epsilon));
  if (own.gamma) factor = tf.mul(factor, own.gamma.read());
  let y = tf.mul(tf.sub(input, own.movingMean.read()), factor);
  if (own.beta) y = tf.add(y, own.beta.read());
  return y;
}

/**
 * Applies one node's layer to concrete inputs. In 'gradient' mode a final softmax is left out
 * (a Softmax or softmax Activation layer passes its input through; a Dense or Conv layer with a
 * softmax activation runs with a linear one for this call: its `activation` field is swapped and
 * restored, and the worker is single threaded, so nothing else sees it), and convolutions and
 * batch normalisations run as plain ops (see {@link convForGradient}, {@link batchNormForGradient}).
 */
function applyNode(node: Node, inputs: tf.Tensor[], mode: Mode): tf.Tensor[] {
  const layer = node.outboundLayer;
  const arg = inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs;
  const logits = mode === 'gradient';
  let out: tf.Tensor | tf.Tensor[] | null = null;
  if (logits && inputs.length === 1) {
    const x = inputs[0] as tf.Tensor;
    out = convForGradient(layer, x, true) ?? batchNormForGradient(layer, x);
  }
  if (out) return [out];
  if (logits && appliesSoftmax(layer)) {
    const type = layer.getClassName();
    if (type === 'Softmax' || type === 'Activation') {
      out = arg;
    } else {
      const holder = layer as unknown as { activation: unknown };
      const saved = holder.activation;
      holder.activation = { getClassName: () => 'linear', apply: (x: tf.Tensor) => x };
      try {
        out = layer.apply(arg, callArgsOf(node)) as tf.Tensor | tf.Tensor[];
      } finally {
        holder.activation = saved;
      }
    }
  } else {
    out = layer.apply(arg, callArgsOf(node)) as tf.Tensor | tf.Tensor[];
  }
  return Array.isArray(out) ? out : [out];
}

/**
 * Runs `nodes` in order, reading and writing concrete tensors keyed by symbolic tensor id.
 * With `release`, a value is disposed as soon as no remaining node reads it, unless its id is in
 * `release.keep` (so the peak memory stays near that of a plain predict). Returns whether a
 * softmax was left out.
 */
function runNodes(
  nodes: Node[],
  values: Map<number, tf.Tensor>,
  mode: Mode,
  release?: { keep: Set<number> },
): boolean {
  const readers = new Map<number, number>();
  if (release) {
    for (const node of nodes) {
      for (const t of node.inputTensors) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
    }
  }
  let skipped = false;
  for (const node of nodes) {
    const inputs = node.inputTensors.map((t) => {
      const value = values.get(t.id);
      if (!value) {
        throw new Error(`cannot follow the graph: '${node.outboundLayer.name}' misses '${t.name}'`);
      }
      return value;
    });
    if (mode === 'gradient' && appliesSoftmax(node.outboundLayer)) skipped = true;
    const outputs = applyNode(node, inputs, mode);
    node.outputTensors.forEach((t, i) => {
      const value = outputs[i];
      if (value) values.set(t.id, value);
    });
    if (!release) continue;
    for (const t of node.inputTensors) {
      const left = (readers.get(t.id) ?? 0) - 1;
      readers.set(t.id, left);
      if (left > 0 || release.keep.has(t.id)) continue;
      const value = values.get(t.id);
      values.delete(t.id);
      // A layer may hand its input back unchanged (e.g. Dropout at inference): the same tensor
      // can live under several ids.
      if (value && ![...values.values()].includes(value)) value.dispose();
    }
  }
  return skipped;
}

/** A numerically stable softmax. */
function softmax(values: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const out = values.map((v) => Math.exp(v - max));
  const total = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / total);
}

/** What {@link gradCam} returns: the coarse heatmap and what it was made of. */
export interface GradCamMap {
  /** `height × width` values in 0..1, row-major */
  grid: Float32Array;
  width: number;
  height: number;
  /** largest value before normalising (0: no positive evidence anywhere) */
  rawMax: number;
  /** the class' probability for this input */
  probability: number;
}

/** Optional hooks of a Grad-CAM run. */
export interface GradCamHooks {
  /** called as each stage starts */
  onStage?(stage: GradCamStage): void;
  /** called between the stages; throwing (or true) stops the run with nothing left behind */
  shouldStop?(): boolean;
}

/** Thrown when {@link GradCamHooks.shouldStop} said stop. */
export class GradCamStopped extends Error {
  override name = 'GradCamStopped';
  constructor() {
    super('stopped');
  }
}

/**
 * Grad-CAM of `classIndex` (a raw output index) at `layerName` for one input image
 * `[1, height, width, channels]`, already preprocessed for the model. Leaves no tensors behind.
 */
export async function gradCam(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  classIndex: number,
  layerName: string,
  hooks: GradCamHooks = {},
): Promise<GradCamMap> {
  let layer: Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new Error(`the model has no layer named '${layerName}'`);
  }
  const shape = isInput(layer) ? null : spatialShape(layer);
  if (!shape) {
    throw new Error(
      `Grad-CAM needs a layer with a spatial (4-D) output; '${layerName}' outputs [${String(layer.outputShape)}]`,
    );
  }
  if (input.shape[0] !== 1)
    throw new Error(`Grad-CAM explains one image at a time, got ${input.shape[0]}`);
  const output = model.outputs[0];
  const modelInput = model.inputs[0];
  if (!output || !modelInput || model.inputs.length !== 1) {
    throw new Error('Grad-CAM needs a model with one input and an output');
  }
  const classes = output.shape[output.shape.length - 1];
  if (
    !Number.isInteger(classIndex) ||
    classIndex < 0 ||
    (typeof classes === 'number' && classIndex >= classes)
  ) {
    throw new Error(`class index ${classIndex} is outside the model's ${String(classes)} classes`);
  }

  const nodes = nodesInOrder(model).filter((n) => !isInput(n.outboundLayer));
  const targetNodes = nodes.filter((n) => n.outboundLayer === layer);
  if (targetNodes.length !== 1) {
    throw new Error(
      `'${layerName}' is used ${targetNodes.length} times in the model; pick another layer`,
    );
  }
  const target = targetNodes[0] as Node;
  const targetId = (target.outputTensors[0] as tf.SymbolicTensor).id;

  // Split the graph: nodes that (transitively) read the chosen layer's output, and the rest.
  const tainted = new Set<number>([targetId]);
  const downstream: Node[] = [];
  const upstream: Node[] = [];
  for (const node of nodes) {
    if (node === target) continue;
    if (node.inputTensors.some((t) => tainted.has(t.id))) {
      downstream.push(node);
      for (const t of node.outputTensors) tainted.add(t.id);
    } else {
      upstream.push(node);
    }
  }
  if (!tainted.has(output.id)) {
    throw new Error(`the model's output does not depend on '${layerName}'`);
  }
  // The upstream values the downstream part reads (its "frontier"), kept between the two passes.
  const needed = new Set<number>();
  for (const node of downstream)
    for (const t of node.inputTensors) if (!tainted.has(t.id)) needed.add(t.id);
  needed.add(targetId);

  const stop = (): void => {
    if (hooks.shouldStop?.()) throw new GradCamStopped();
  };

  // The upstream values the downstream part reads, kept (as clones) between the two passes.
  const frontier = new Map<number, tf.Tensor>();
  let logits: tf.Tensor | null = null;
  let softmaxSkipped = false;
  let cam: tf.Tensor2D | null = null;
  try {
    hooks.onStage?.('forward');
    tf.tidy(() => {
      const values = new Map<number, tf.Tensor>([[modelInput.id, input]]);
      runNodes([...upstream, target], values, 'forward', {
        keep: new Set([...needed, modelInput.id]),
      });
      for (const id of needed) {
        const value = values.get(id);
        if (!value) throw new Error(`cannot follow the graph up to '${layerName}'`);
        frontier.set(id, tf.keep(value.clone()));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 0)); // let a cancel message in
    stop();
    hooks.onStage?.('gradient');
    const activations = frontier.get(targetId) as tf.Tensor4D;
    cam = tf.tidy(() => {
      const score = (a: tf.Tensor): tf.Scalar => {
        const values = new Map(frontier);
        values.set(targetId, a);
        softmaxSkipped = runNodes(downstream, values, 'gradient');
        const out = (values.get(output.id) as tf.Tensor).reshape([-1]);
        logits = tf.keep(out.clone());
        // A one-hot product rather than gather: gather's gradient has no WASM kernel.
        const mask = new Float32Array(out.size);
        mask[classIndex] = 1;
        return out.mul(tf.tensor1d(mask)).sum();
      };
      const grads = tf.grad(score)(activations) as tf.Tensor4D;
      const weights = grads.mean([1, 2], true); // [1, 1, 1, k]: one weight per channel
      return tf.relu(activations.mul(weights).sum(3)).squeeze<tf.Tensor2D>([0]);
    });
    const [height, width] = cam.shape;
    const raw = (await cam.data()) as Float32Array;
    const scores = Float32Array.from((await (logits as tf.Tensor | null)?.data()) ?? []);
    let rawMax = 0;
    for (const v of raw) if (v > rawMax) rawMax = v;
    const grid = new Float32Array(raw.length);
    if (rawMax > 0) for (let i = 0; i < raw.length; i++) grid[i] = (raw[i] as number) / rawMax;
    return {
      grid,
      width,
      height,
      rawMax,
      probability: (softmaxSkipped ? softmax(scores) : asProbabilities(scores))[classIndex] ?? NaN,
    };
  } finally {
    for (const t of frontier.values()) t.dispose();
    (logits as tf.Tensor | null)?.dispose();
    cam?.dispose();
  }
}
