/**
 * Writes an {@link InferenceGraph} as a float32 `.tflite` model (TFLite's FlatBuffer schema,
 * file identifier "TFL3", schema version 3) for LiteRT.js: in the worker (litert-engine.ts) and for
 * the bench's peer.
 *
 * Schema facts used (tflite schema.fbs): Model{version, operator_codes, subgraphs, description,
 * buffers}; OperatorCode{deprecated_builtin_code, custom_code, version, builtin_code};
 * SubGraph{tensors, inputs, outputs, operators, name}; Tensor{shape, type, buffer, name};
 * Operator{opcode_index, inputs, outputs, builtin_options_type, builtin_options}; Buffer{data};
 * buffer 0 is the empty sentinel. Conv weights are OHWI, fully-connected weights [out, in].
 */
import { bytes, finish, offsets, ref, scalar, str, table, vector, type FbNode } from './flatbuffer';
import type { InferenceGraph } from '../keras-graph';

/** BuiltinOperator codes. */
export const OP = {
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  SOFTMAX: 25,
  MEAN: 40,
} as const;

/** BuiltinOptions union member indices. */
export const OPTIONS = {
  Conv2DOptions: 1,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  ReducerOptions: 27,
} as const;

const FLOAT32 = 0;
const INT32 = 2;
const PAD_SAME = 0;
const PAD_VALID = 1;
const ACT_NONE = 0;
const ACT_RELU = 1;

/** Options of {@link writeTflite}. */
export interface TfliteOptions {
  /** lands in the model's description string */
  description?: string;
  /**
   * Let go of each weight array of `graph` once it is written (the graph is unusable after): the
   * worker converts a 95 MB model and should not hold the graph's copy beside the file's.
   */
  consume?: boolean;
}

/**
 * Serialises the graph (outputs: `graph.output`, then `graph.features` when set). A string
 * second argument is the description (the bench's form).
 */
export function writeTflite(
  graph: InferenceGraph,
  options: TfliteOptions | string = {},
): Uint8Array {
  const { description = 'inception-lens', consume = false } =
    typeof options === 'string' ? { description: options } : options;
  const EMPTY = new Float32Array(0);
  const buffers: FbNode[] = [table()]; // buffer 0: no data
  const tensors: FbNode[] = [];
  const tensorIndex = new Map<string, number>();
  const opcodes: number[] = [];
  const operators: FbNode[] = [];

  const addTensor = (name: string, shape: number[], data?: Uint8Array, type = FLOAT32): number => {
    let buffer = 0;
    if (data) {
      buffers.push(table(ref(bytes(data, 16))));
      buffer = buffers.length - 1;
    }
    tensors.push(
      table(ref(vector('i32', shape)), scalar('i8', type), scalar('u32', buffer), ref(str(name))),
    );
    tensorIndex.set(name, tensors.length - 1);
    return tensors.length - 1;
  };
  const idx = (name: string): number => {
    const i = tensorIndex.get(name);
    if (i === undefined) throw new Error(`tensor ${name} used before it is made`);
    return i;
  };
  const op = (
    code: number,
    inputs: number[],
    outputs: number[],
    optionsType: number,
    options: FbNode,
  ) => {
    let opcode = opcodes.indexOf(code);
    if (opcode < 0) {
      opcodes.push(code);
      opcode = opcodes.length - 1;
    }
    operators.push(
      table(
        scalar('u32', opcode),
        ref(vector('i32', inputs)),
        ref(vector('i32', outputs)),
        scalar('u8', optionsType),
        ref(options),
      ),
    );
  };
  const shapeOf = (name: string): number[] => {
    const s = graph.shapes.get(name);
    if (!s) throw new Error(`no shape for ${name}`);
    return s;
  };
  const f32 = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

  addTensor(graph.input.name, graph.input.shape);
  for (const node of graph.nodes) {
    switch (node.kind) {
      case 'conv': {
        const [kh, kw, ci, co] = node.kernelShape;
        const ohwi = new Float32Array(node.kernel.length);
        for (let h = 0; h < kh; h++)
          for (let w = 0; w < kw; w++)
            for (let i = 0; i < ci; i++)
              for (let o = 0; o < co; o++)
                ohwi[((o * kh + h) * kw + w) * ci + i] = node.kernel[
                  ((h * kw + w) * ci + i) * co + o
                ] as number;
        const weights = addTensor(`${node.name}/kernel`, [co, kh, kw, ci], f32(ohwi));
        const bias = addTensor(`${node.name}/bias`, [co], f32(node.bias));
        if (consume) node.kernel = EMPTY;
        const out = addTensor(node.name, shapeOf(node.name));
        op(
          OP.CONV_2D,
          [idx(node.input), weights, bias],
          [out],
          OPTIONS.Conv2DOptions,
          table(
            scalar('i8', node.padding === 'same' ? PAD_SAME : PAD_VALID),
            scalar('i32', node.strides[1]),
            scalar('i32', node.strides[0]),
            scalar('i8', node.relu ? ACT_RELU : ACT_NONE),
            scalar('i32', 1),
            scalar('i32', 1),
          ),
        );
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const out = addTensor(node.name, shapeOf(node.name));
        op(
          node.kind === 'maxpool' ? OP.MAX_POOL_2D : OP.AVERAGE_POOL_2D,
          [idx(node.input)],
          [out],
          OPTIONS.Pool2DOptions,
          table(
            scalar('i8', node.padding === 'same' ? PAD_SAME : PAD_VALID),
            scalar('i32', node.strides[1]),
            scalar('i32', node.strides[0]),
            scalar('i32', node.pool[1]),
            scalar('i32', node.pool[0]),
            scalar('i8', ACT_NONE),
          ),
        );
        break;
      }
      case 'concat': {
        const out = addTensor(node.name, shapeOf(node.name));
        op(
          OP.CONCATENATION,
          node.inputs.map(idx),
          [out],
          OPTIONS.ConcatenationOptions,
          table(scalar('i32', 3), scalar('i8', ACT_NONE)),
        );
        break;
      }
      case 'gap': {
        const axes = addTensor(
          `${node.name}/axes`,
          [2],
          new Uint8Array(new Int32Array([1, 2]).buffer),
          INT32,
        );
        const out = addTensor(node.name, shapeOf(node.name));
        op(
          OP.MEAN,
          [idx(node.input), axes],
          [out],
          OPTIONS.ReducerOptions,
          table(scalar('bool', 0)),
        );
        break;
      }
      case 'dense': {
        const [n, m] = node.kernelShape;
        const outIn = new Float32Array(n * m);
        for (let i = 0; i < n; i++)
          for (let o = 0; o < m; o++) outIn[o * n + i] = node.kernel[i * m + o] as number;
        const weights = addTensor(`${node.name}/kernel`, [m, n], f32(outIn));
        const bias = addTensor(`${node.name}/bias`, [m], f32(node.bias));
        if (consume) node.kernel = EMPTY;
        const logits = node.softmax ? `${node.name}/logits` : node.name;
        const out = addTensor(logits, [1, m]);
        op(
          OP.FULLY_CONNECTED,
          [idx(node.input), weights, bias],
          [out],
          OPTIONS.FullyConnectedOptions,
          table(scalar('i8', ACT_NONE)),
        );
        if (node.softmax) {
          const probs = addTensor(node.name, [1, m]);
          op(OP.SOFTMAX, [out], [probs], OPTIONS.SoftmaxOptions, table(scalar('f32', 1)));
        }
        break;
      }
    }
  }

  const subgraph = table(
    ref(offsets(tensors)),
    ref(vector('i32', [idx(graph.input.name)])),
    ref(
      vector(
        'i32',
        graph.features === undefined
          ? [idx(graph.output)]
          : [idx(graph.output), idx(graph.features)],
      ),
    ),
    ref(offsets(operators)),
    ref(str('main')),
  );
  const codes = opcodes.map((code) =>
    table(scalar('i8', Math.min(code, 127)), undefined, scalar('i32', 1), scalar('i32', code)),
  );
  // The file is the weights plus a little: sized up front, the writer never regrows it.
  const weightBytes = buffers.reduce((n, b) => n + dataBytes(b), 0);
  return finish(
    table(
      scalar('u32', 3),
      ref(offsets(codes)),
      ref(offsets([subgraph])),
      ref(str(description)),
      ref(offsets(buffers)),
    ),
    'TFL3',
    weightBytes + (1 << 20),
  );
}

function dataBytes(buffer: FbNode): number {
  const field = buffer.kind === 'table' ? buffer.fields[0] : undefined;
  return field?.type === 'offset' && field.node.kind === 'bytes' ? field.node.data.length + 16 : 0;
}
