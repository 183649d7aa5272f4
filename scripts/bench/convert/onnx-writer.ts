/**
 * Writes an {@link InferenceGraph} as an ONNX model (onnx.proto, IR version 8, opset 13) for
 * onnxruntime-web in the bench. The input stays NHWC like ours (`[1, 299, 299, 3]`); one
 * Transpose turns it into ONNX's NCHW, and the graph runs NCHW from there.
 *
 * Proto facts used: ModelProto{ir_version 1, producer_name 2, graph 7, opset_import 8};
 * OperatorSetIdProto{domain 1, version 2}; GraphProto{node 1, name 2, initializer 5, input 11,
 * output 12}; NodeProto{input 1, output 2, name 3, op_type 4, attribute 5};
 * AttributeProto{name 1, f 2, i 3, ints 8, type 20} with FLOAT 1, INT 2, INTS 7;
 * TensorProto{dims 1, data_type 2, name 8, raw_data 9} with FLOAT 1;
 * ValueInfoProto{name 1, type 2}; TypeProto{tensor_type 1}; TypeProto.Tensor{elem_type 1,
 * shape 2}; TensorShapeProto{dim 1}; Dimension{dim_value 1}.
 */
import { samePads, type InferenceGraph } from '../../../src/inference/engines/keras-graph';
import { Message } from './protobuf';

/** IR version and opset written. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attr = [name: string, value: number | number[], kind?: 'float'];

function attribute([name, value, kind]: Attr): Message {
  const m = new Message().string(1, name);
  if (Array.isArray(value)) return m.ints(8, value).int(20, ATTR_INTS);
  if (kind === 'float') return m.float(2, value).int(20, ATTR_FLOAT);
  return m.int(3, value).int(20, ATTR_INT);
}

function valueInfo(name: string, shape: number[]): Message {
  const dims = new Message();
  for (const d of shape) dims.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).message(2, dims);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

function initializer(name: string, dims: number[], data: Float32Array): Message {
  return new Message()
    .ints(1, dims)
    .int(2, FLOAT)
    .string(8, name)
    .bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Serialises the graph. */
export function writeOnnx(graph: InferenceGraph, producer = 'inception-lens bench'): Uint8Array {
  const g = new Message();
  const inits: Message[] = [];
  const node = (op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): void => {
    const n = new Message();
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, outputs[0] as string).string(4, op);
    for (const a of attrs) n.message(5, attribute(a));
    g.message(1, n);
  };
  const hw = (name: string): [number, number] => {
    const s = graph.shapes.get(name);
    if (!s) throw new Error(`no shape for ${name}`);
    return [s[1] as number, s[2] as number];
  };
  /** ONNX pads [top, left, bottom, right] for TensorFlow's SAME or VALID */
  const pads = (input: string, k: [number, number], s: [number, number], padding: string) => {
    if (padding === 'valid') return [0, 0, 0, 0];
    const [h, w] = hw(input);
    const [t, b] = samePads(h, k[0], s[0]);
    const [l, r] = samePads(w, k[1], s[1]);
    return [t, l, b, r];
  };

  const nchw = `${graph.input.name}/nchw`;
  node('Transpose', [graph.input.name], [nchw], [['perm', [0, 3, 1, 2]]]);
  const nameOf = (t: string): string => (t === graph.input.name ? nchw : t);
  for (const n of graph.nodes) {
    switch (n.kind) {
      case 'conv': {
        const [kh, kw, ci, co] = n.kernelShape;
        const oihw = new Float32Array(n.kernel.length);
        for (let h = 0; h < kh; h++)
          for (let w = 0; w < kw; w++)
            for (let i = 0; i < ci; i++)
              for (let o = 0; o < co; o++)
                oihw[((o * ci + i) * kh + h) * kw + w] = n.kernel[
                  ((h * kw + w) * ci + i) * co + o
                ] as number;
        inits.push(initializer(`${n.name}/kernel`, [co, ci, kh, kw], oihw));
        inits.push(initializer(`${n.name}/bias`, [co], n.bias));
        const conv = n.relu ? `${n.name}/conv` : n.name;
        node(
          'Conv',
          [nameOf(n.input), `${n.name}/kernel`, `${n.name}/bias`],
          [conv],
          [
            ['kernel_shape', [kh, kw]],
            ['strides', n.strides],
            ['pads', pads(n.input, [kh, kw], n.strides, n.padding)],
          ],
        );
        if (n.relu) node('Relu', [conv], [n.name]);
        break;
      }
      case 'maxpool':
      case 'avgpool':
        // AveragePool's count_include_pad defaults to 0: the border averages only real pixels,
        // as TensorFlow's SAME average pooling does.
        node(
          n.kind === 'maxpool' ? 'MaxPool' : 'AveragePool',
          [nameOf(n.input)],
          [n.name],
          [
            ['kernel_shape', n.pool],
            ['strides', n.strides],
            ['pads', pads(n.input, n.pool, n.strides, n.padding)],
          ],
        );
        break;
      case 'concat':
        node('Concat', n.inputs.map(nameOf), [n.name], [['axis', 1]]);
        break;
      case 'gap':
        node('GlobalAveragePool', [nameOf(n.input)], [`${n.name}/pooled`]);
        node('Flatten', [`${n.name}/pooled`], [n.name], [['axis', 1]]);
        break;
      case 'dense': {
        inits.push(initializer(`${n.name}/kernel`, n.kernelShape, n.kernel));
        inits.push(initializer(`${n.name}/bias`, [n.kernelShape[1]], n.bias));
        const logits = n.softmax ? `${n.name}/logits` : n.name;
        node('Gemm', [nameOf(n.input), `${n.name}/kernel`, `${n.name}/bias`], [logits]);
        if (n.softmax) node('Softmax', [logits], [n.name], [['axis', 1]]);
        break;
      }
    }
  }
  g.string(2, 'main');
  for (const i of inits) g.message(5, i);
  g.message(11, valueInfo(graph.input.name, graph.input.shape));
  const outShape = graph.shapes.get(graph.output) ?? [];
  g.message(12, valueInfo(graph.output, outShape));
  return new Message()
    .int(1, ONNX_IR_VERSION)
    .string(2, producer)
    .message(7, g)
    .message(8, new Message().string(1, '').int(2, ONNX_OPSET))
    .finish();
}
