import { ByteBuffer } from 'flatbuffers';
import { describe, expect, test } from 'vitest';
import {
  bytes,
  FbTable,
  finish,
  offsets,
  ref,
  scalar,
  str,
  table,
  vector,
} from '../../../src/inference/engines/litert/flatbuffer';
import {
  foldedGraphOf,
  roundFloat16,
  samePads,
  type ModelJsonLike,
} from '../../../src/inference/engines/keras-graph';
import { ONNX_IR_VERSION, ONNX_OPSET, writeOnnx } from './onnx-writer';
import { decodeFields, Message, varint } from './protobuf';
import { OP, writeTflite } from '../../../src/inference/engines/litert/tflite-writer';

/** A tiny InceptionV3-like Keras model: conv+BN+relu, a same-padded average pool, concat, GAP, dense. */
function tinyModel(): { json: ModelJsonLike; data: ArrayBuffer; values: Record<string, number[]> } {
  const node = (...names: string[]) => [names.map((n) => [n, 0, 0, {}])];
  const layers = [
    {
      class_name: 'InputLayer',
      config: { name: 'input_1', batch_input_shape: [null, 5, 5, 2] },
      inbound_nodes: [],
    },
    {
      class_name: 'Conv2D',
      config: {
        name: 'conv',
        filters: 3,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'same',
        activation: 'linear',
        use_bias: false,
      },
      inbound_nodes: node('input_1'),
    },
    {
      class_name: 'BatchNormalization',
      config: { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: false },
      inbound_nodes: node('conv'),
    },
    {
      class_name: 'Activation',
      config: { name: 'act', activation: 'relu' },
      inbound_nodes: node('bn'),
    },
    {
      class_name: 'AveragePooling2D',
      config: { name: 'avg', pool_size: [3, 3], strides: [1, 1], padding: 'same' },
      inbound_nodes: node('act'),
    },
    {
      class_name: 'MaxPooling2D',
      config: { name: 'max', pool_size: [3, 3], strides: [2, 2], padding: 'valid' },
      inbound_nodes: node('input_1'),
    },
    {
      class_name: 'Concatenate',
      config: { name: 'mixed', axis: -1 },
      inbound_nodes: node('act', 'avg'),
    },
    { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' }, inbound_nodes: node('mixed') },
    {
      class_name: 'Dense',
      config: { name: 'predictions', units: 4, activation: 'softmax', use_bias: true },
      inbound_nodes: node('gap'),
    },
  ];
  const specs = [
    ['conv/kernel', [3, 3, 2, 3]],
    ['bn/beta', [3]],
    ['bn/moving_mean', [3]],
    ['bn/moving_variance', [3]],
    ['predictions/kernel', [6, 4]],
    ['predictions/bias', [4]],
  ] as const;
  const values: Record<string, number[]> = {};
  const all: number[] = [];
  let seed = 1;
  for (const [name, shape] of specs) {
    const n = shape.reduce((a, b) => a * b, 1);
    values[name] = Array.from({ length: n }, () => {
      seed = (seed * 16807) % 2147483647;
      const v = seed / 2147483647;
      return Math.fround(name.endsWith('variance') ? 0.5 + v : v - 0.5);
    });
    all.push(...values[name]);
  }
  return {
    json: {
      modelTopology: { class_name: 'Model', config: { layers } },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: specs.map(([name, shape]) => ({ name, shape: [...shape], dtype: 'float32' })),
        },
      ],
    },
    data: new Float32Array(all).buffer,
    values,
  };
}

describe('the bench converter', () => {
  test('folds batch norm into the convolution (kernel · s, (−mean) · s + beta) and fuses the relu', () => {
    const { json, data, values } = tinyModel();
    const g = foldedGraphOf(json, data);
    const conv = g.nodes[0];
    if (conv?.kind !== 'conv') throw new Error('first node is not a conv');
    expect(conv.relu).toBe(true);
    expect(g.nodes.map((n) => n.kind)).toEqual([
      'conv',
      'avgpool',
      'maxpool',
      'concat',
      'gap',
      'dense',
    ]);
    const v = values;
    for (let o = 0; o < 3; o++) {
      const s = 1 / Math.sqrt((v['bn/moving_variance']?.[o] as number) + 0.001);
      expect(conv.bias[o]).toBeCloseTo(
        -(v['bn/moving_mean']?.[o] as number) * s + (v['bn/beta']?.[o] as number),
        6,
      );
      // kernel element (h=1, w=2, i=1, o)
      const i = ((1 * 3 + 2) * 2 + 1) * 3 + o;
      expect(conv.kernel[i]).toBeCloseTo((v['conv/kernel']?.[i] as number) * s, 6);
    }
    // the concat reads the folded conv's output where Keras named the activation
    const concat = g.nodes[3];
    expect(concat?.kind === 'concat' && concat.inputs).toEqual(['conv', 'avg']);
    expect(g.shapes.get('max')).toEqual([1, 2, 2, 2]);
    expect(g.shapes.get('mixed')).toEqual([1, 5, 5, 6]);
    expect(g.output).toBe('predictions');
  });

  test('refuses layers it does not know, by name', () => {
    const { json, data } = tinyModel();
    const layers = (json.modelTopology as { config: { layers: { class_name: string }[] } }).config
      .layers;
    (layers[4] as { class_name: string }).class_name = 'Dropout';
    expect(() => foldedGraphOf(json, data)).toThrow(/avg: Dropout is not supported/);
  });

  test('float16 rounding matches IEEE half precision', () => {
    expect(roundFloat16(1)).toBe(1);
    expect(roundFloat16(0.1)).toBe(0.0999755859375);
    expect(roundFloat16(1 + 2 ** -11)).toBe(1); // a tie rounds to even
    expect(roundFloat16(2 ** -24)).toBe(2 ** -24); // smallest subnormal
  });

  test('TensorFlow SAME padding', () => {
    expect(samePads(5, 3, 1)).toEqual([1, 1]);
    expect(samePads(17, 7, 1)).toEqual([3, 3]);
    expect(samePads(6, 3, 2)).toEqual([0, 1]);
  });
});

describe('the FlatBuffers writer', () => {
  test('round-trips tables, vectors, strings and aligned bytes; the flatbuffers library reads it too', () => {
    const blob = new Uint8Array([1, 2, 3, 4, 5]);
    const buf = finish(
      table(
        scalar('u32', 7),
        ref(offsets([table(scalar('i8', -3), ref(str('héllo'))), table(scalar('f32', 1.5))])),
        undefined,
        ref(vector('i32', [-1, 2, 300000])),
        ref(bytes(blob, 16)),
      ),
      'TEST',
    );
    const root = FbTable.root(buf);
    expect(root.scalar(0, 'u32')).toBe(7);
    expect(root.field(2)).toBeNull();
    const items = root.tables(1);
    expect(items.map((t) => t.scalar(0, 'i8'))).toEqual([-3, 0]);
    expect(items[0]?.string(1)).toBe('héllo');
    expect(items[1]?.scalar(0, 'f32')).toBe(1.5);
    expect(root.scalars(3, 'i32')).toEqual([-1, 2, 300000]);
    const b = root.bytes(4);
    expect(Array.from(b?.data ?? [])).toEqual([1, 2, 3, 4, 5]);
    expect((b?.start ?? 1) % 16).toBe(0);
    // Independent reader: the flatbuffers package.
    const bb = new ByteBuffer(buf);
    expect(bb.getBufferIdentifier()).toBe('TEST');
    const rootPos = bb.readInt32(bb.position()) + bb.position();
    const vt = bb.__offset(rootPos, 4);
    expect(bb.readUint32(rootPos + vt)).toBe(7);
    const vecField = bb.__offset(rootPos, 10);
    expect(bb.__vector_len(rootPos + vecField)).toBe(3);
    expect(bb.readInt32(bb.__vector(rootPos + vecField) + 8)).toBe(300000);
  });
});

describe('the TFLite writer', () => {
  test('writes a TFL3 model: operators in order, OHWI conv weights, fused relu, 16-byte aligned data', () => {
    const { json, data } = tinyModel();
    const g = foldedGraphOf(json, data);
    const buf = writeTflite(g);
    expect(new TextDecoder().decode(buf.subarray(4, 8))).toBe('TFL3');
    const model = FbTable.root(buf);
    expect(model.scalar(0, 'u32')).toBe(3);
    const codes = model.tables(1).map((c) => c.scalar(3, 'i32'));
    const sub = model.tables(2)[0] as FbTable;
    const ops = sub.tables(3);
    expect(ops.map((o) => codes[o.scalar(0, 'u32')])).toEqual([
      OP.CONV_2D,
      OP.AVERAGE_POOL_2D,
      OP.MAX_POOL_2D,
      OP.CONCATENATION,
      OP.MEAN,
      OP.FULLY_CONNECTED,
      OP.SOFTMAX,
    ]);
    const tensors = sub.tables(0);
    const buffers = model.tables(4);
    expect(buffers[0]?.bytes(0)).toBeNull(); // the empty sentinel
    const conv = ops[0] as FbTable;
    const [input, weights, bias] = conv.scalars(1, 'i32') as [number, number, number];
    expect(tensors[input]?.scalars(0, 'i32')).toEqual([1, 5, 5, 2]);
    expect(tensors[weights]?.scalars(0, 'i32')).toEqual([3, 3, 3, 2]);
    expect(tensors[bias]?.scalars(0, 'i32')).toEqual([3]);
    // Conv2DOptions: fused relu (field 3), stride 1
    expect(conv.scalar(3, 'u8')).toBe(1);
    expect(conv.table(4)?.scalar(3, 'i8')).toBe(1);
    expect(conv.table(4)?.scalar(1, 'i32')).toBe(1);
    const w = buffers[tensors[weights]?.scalar(2, 'u32') as number]?.bytes(0);
    expect((w?.start ?? 1) % 16).toBe(0);
    const ohwi = new Float32Array(w?.data.slice().buffer as ArrayBuffer);
    const node = g.nodes[0] as { kernel: Float32Array };
    // OHWI[o=2][h=1][w=0][i=1] is HWIO[h=1][w=0][i=1][o=2]
    expect(ohwi[((2 * 3 + 1) * 3 + 0) * 2 + 1]).toBe(node.kernel[((1 * 3 + 0) * 2 + 1) * 3 + 2]);
    const sub0 = sub.scalars(2, 'i32')[0] as number;
    expect(tensors[sub0]?.string(3)).toBe('predictions');
  });
});

describe('the protobuf and ONNX writers', () => {
  test('varints as the wire format has them', () => {
    expect(Array.from(varint(1))).toEqual([1]);
    expect(Array.from(varint(300))).toEqual([0xac, 0x02]);
    expect(varint(-1).length).toBe(10);
    const m = new Message().int(1, 150).string(2, 'ab').float(3, 0.5);
    expect(Array.from(m.finish().subarray(0, 3))).toEqual([0x08, 0x96, 0x01]);
    expect(decodeFields(m.finish()).map((f) => f.field)).toEqual([1, 2, 3]);
  });

  test('writes an ONNX model: IR 8, opset 13, NCHW graph, OIHW weights, SAME pads', () => {
    const { json, data } = tinyModel();
    const g = foldedGraphOf(json, data);
    const model = decodeFields(writeOnnx(g));
    expect(model.find((f) => f.field === 1)?.value).toBe(BigInt(ONNX_IR_VERSION));
    const opset = decodeFields(model.find((f) => f.field === 8)?.value as Uint8Array);
    expect(opset.find((f) => f.field === 2)?.value).toBe(BigInt(ONNX_OPSET));
    const graph = decodeFields(model.find((f) => f.field === 7)?.value as Uint8Array);
    const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
    const nodes = graph
      .filter((f) => f.field === 1)
      .map((f) => decodeFields(f.value as Uint8Array));
    expect(nodes.map((n) => text(n.find((f) => f.field === 4)?.value))).toEqual([
      'Transpose',
      'Conv',
      'Relu',
      'AveragePool',
      'MaxPool',
      'Concat',
      'GlobalAveragePool',
      'Flatten',
      'Gemm',
      'Softmax',
    ]);
    const attrs = (n: (typeof nodes)[number]) =>
      Object.fromEntries(
        n
          .filter((f) => f.field === 5)
          .map((f) => decodeFields(f.value as Uint8Array))
          .map((a) => [
            text(a.find((f) => f.field === 1)?.value),
            a.filter((f) => f.field === 8 || f.field === 3).map((f) => Number(f.value)),
          ]),
      );
    expect(attrs(nodes[1] as (typeof nodes)[number]).pads).toEqual([1, 1, 1, 1]);
    expect(attrs(nodes[4] as (typeof nodes)[number]).pads).toEqual([0, 0, 0, 0]);
    expect(attrs(nodes[5] as (typeof nodes)[number]).axis).toEqual([1]);
    const inits = graph
      .filter((f) => f.field === 5)
      .map((f) => decodeFields(f.value as Uint8Array));
    const kernel = inits.find((t) => text(t.find((f) => f.field === 8)?.value) === 'conv/kernel');
    expect(kernel?.filter((f) => f.field === 1).map((f) => Number(f.value))).toEqual([3, 2, 3, 3]);
    const raw = kernel?.find((f) => f.field === 9)?.value as Uint8Array;
    const oihw = new Float32Array(raw.slice().buffer);
    const node = g.nodes[0] as { kernel: Float32Array };
    // OIHW[o=2][i=1][h=1][w=0] is HWIO[h=1][w=0][i=1][o=2]
    expect(oihw[((2 * 2 + 1) * 3 + 1) * 3 + 0]).toBe(node.kernel[((1 * 3 + 0) * 2 + 1) * 3 + 2]);
  });
});
