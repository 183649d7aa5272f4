import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../../../test/tf-node';
import { foldBatchNorm } from '../../classify/fold-batch-norm';
import { FbTable } from './flatbuffer';
import { tfliteOf } from './tflite-of-model';
import { OP } from './tflite-writer';
import { seeded } from '../../../test/seeded';

beforeAll(async () => {
  await useWasmBackend();
});

/** An InceptionV3-shaped miniature: conv+BN+relu, same/valid pools, concat, strided conv, GAP, dense. */
function miniInception(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  const convBn = (
    x: tf.SymbolicTensor,
    filters: number,
    k: number,
    stride: number,
    pad: string,
    name: string,
  ) => {
    const c = tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: pad as 'same',
        useBias: false,
        name,
      })
      .apply(x) as tf.SymbolicTensor;
    const b = tf.layers
      .batchNormalization({ scale: false, name: `${name}_bn` })
      .apply(c) as tf.SymbolicTensor;
    return tf.layers
      .activation({ activation: 'relu', name: `${name}_relu` })
      .apply(b) as tf.SymbolicTensor;
  };
  const a = convBn(input, 4, 3, 1, 'same', 'conv_a');
  const avg = tf.layers
    .averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'avg' })
    .apply(a) as tf.SymbolicTensor;
  const max = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'max' })
    .apply(a) as tf.SymbolicTensor;
  const mixed = tf.layers.concatenate({ name: 'mixed0' }).apply([a, avg, max]) as tf.SymbolicTensor;
  const d = convBn(mixed, 6, 3, 2, 'valid', 'conv_d');
  const gap = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(d) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 5, activation: 'softmax', name: 'predictions' })
    .apply(gap) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const values = model.weights.map((w, k) => {
    const shape = w.shape as number[];
    const data = seeded(
      shape.reduce((n, v) => n * v, 1),
      7 + k,
      0.5,
    );
    if (w.originalName.endsWith('moving_variance'))
      for (let i = 0; i < data.length; i++) data[i] = 0.5 + Math.abs(data[i]!);
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/**
 * A reference interpreter for the operators the writer emits, reading the file as TFLite's
 * schema defines it and computing with TensorFlow.js: so the file itself is checked, not the graph.
 */
function runTflite(file: Uint8Array, input: tf.Tensor4D): tf.Tensor[] {
  const model = FbTable.root(file);
  const codes = model.tables(1).map((c) => c.scalar(3, 'i32'));
  const buffers = model.tables(4);
  const sub = model.tables(2)[0]!;
  const tensors = sub.tables(0);
  const values = new Map<number, tf.Tensor>();
  const constant = (index: number, dtype: 'float32' | 'int32'): tf.Tensor => {
    const t = tensors[index]!;
    const bytes = buffers[t.scalar(2, 'u32')]!.bytes(0)!.data.slice();
    const shape = t.scalars(0, 'i32');
    return dtype === 'int32'
      ? tf.tensor(new Int32Array(bytes.buffer), shape, 'int32')
      : tf.tensor(new Float32Array(bytes.buffer), shape);
  };
  values.set(sub.scalars(1, 'i32')[0]!, input);
  const pad = (o: FbTable) => (o.scalar(0, 'i8') === 0 ? 'same' : 'valid');
  return tf.tidy(() => {
    for (const op of sub.tables(3)) {
      const [x0, x1, x2] = op.scalars(1, 'i32');
      const x = values.get(x0!)!;
      const o = op.table(4)!;
      let y: tf.Tensor;
      switch (codes[op.scalar(0, 'u32')]) {
        case OP.CONV_2D: {
          const w = constant(x1!, 'float32').transpose<tf.Tensor4D>([1, 2, 3, 0]); // OHWI → HWIO
          y = tf
            .conv2d(x as tf.Tensor4D, w, [o.scalar(2, 'i32'), o.scalar(1, 'i32')], pad(o))
            .add(constant(x2!, 'float32'));
          if (o.scalar(3, 'i8') === 1) y = y.relu();
          break;
        }
        case OP.AVERAGE_POOL_2D:
        case OP.MAX_POOL_2D: {
          const pool = codes[op.scalar(0, 'u32')] === OP.MAX_POOL_2D ? tf.maxPool : tf.avgPool;
          y = pool(
            x as tf.Tensor4D,
            [o.scalar(4, 'i32'), o.scalar(3, 'i32')],
            [o.scalar(2, 'i32'), o.scalar(1, 'i32')],
            pad(o),
          );
          break;
        }
        case OP.CONCATENATION:
          y = tf.concat(
            op.scalars(1, 'i32').map((i) => values.get(i)!),
            o.scalar(0, 'i32'),
          );
          break;
        case OP.MEAN:
          y = tf.mean(x, Array.from(constant(x1!, 'int32').dataSync()), o.scalar(0, 'bool') === 1);
          break;
        case OP.FULLY_CONNECTED:
          y = tf
            .matMul(x as tf.Tensor2D, constant(x1!, 'float32') as tf.Tensor2D, false, true)
            .add(constant(x2!, 'float32'));
          break;
        case OP.SOFTMAX:
          y = tf.softmax(x);
          break;
        default:
          throw new Error(`operator ${codes[op.scalar(0, 'u32')]} not in the reference`);
      }
      values.set(op.scalars(2, 'i32')[0]!, y);
    }
    return sub.scalars(2, 'i32').map((i) => values.get(i)!.clone());
  });
}

describe('the worker converter (a loaded model → .tflite)', () => {
  let model: tf.LayersModel;
  let folded: tf.LayersModel;
  beforeAll(async () => {
    model = miniInception();
    folded = (await foldBatchNorm(model)).model;
  });
  afterAll(() => {
    folded.dispose();
    model.dispose();
  });

  test('round trip: the file computes what the original model does (probabilities and pooled features)', () => {
    const file = tfliteOf(folded, 'avg_pool');
    expect(new TextDecoder().decode(file.subarray(4, 8))).toBe('TFL3');
    const x = tf.tensor4d(seeded(9 * 9 * 3, 99), [1, 9, 9, 3]);
    const [probs, features] = runTflite(file, x);
    const [wantProbs, wantFeatures] = model.execute(
      x,
      [model.outputs[0]!.name, model.getLayer('avg_pool').output as tf.SymbolicTensor].map((t) =>
        typeof t === 'string' ? t : t.name,
      ),
    ) as tf.Tensor[];
    expect(probs!.shape).toEqual([1, 5]);
    expect(features!.shape).toEqual([1, 6]);
    const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff(probs!, wantProbs!)).toBeLessThan(1e-5);
    expect(diff(features!, wantFeatures!)).toBeLessThan(1e-5);
    // A wrong answer would show: the probabilities are not uniform.
    expect(tf.max(wantProbs!).dataSync()[0]! - tf.min(wantProbs!).dataSync()[0]!).toBeGreaterThan(
      1e-3,
    );
    tf.dispose([x, probs!, features!, wantProbs!, wantFeatures!]);
  });

  test('without features the file has one output; the original (unfolded) model converts too', () => {
    const sub = FbTable.root(tfliteOf(folded, null)).tables(2)[0]!;
    expect(sub.scalars(2, 'i32')).toHaveLength(1);
    const x = tf.tensor4d(seeded(9 * 9 * 3, 5), [1, 9, 9, 3]);
    const [probs] = runTflite(tfliteOf(model, null), x);
    const want = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(probs!, want))).dataSync()[0]!).toBeLessThan(1e-5);
    tf.dispose([x, probs!, want]);
  });

  test('refuses a layer it does not know, by name, and leaves TensorFlow.js tensors alone', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const dw = tf.layers
      .depthwiseConv2d({ kernelSize: 3, name: 'dw' })
      .apply(input) as tf.SymbolicTensor;
    const other = tf.model({ inputs: input, outputs: dw });
    const before = tf.memory().numTensors;
    expect(() => tfliteOf(other, null)).toThrow(/dw: DepthwiseConv2D is not supported/);
    expect(tf.memory().numTensors).toBe(before);
    other.dispose();
  });
});
