import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { inceptionV3 } from '../../models/zoo/inception-v3';
import { zooEntry } from '../../models/zoo/zoo';
import { loadNsfwjsInception } from '../../test/nsfwjs-inception';
import { useWasmBackend } from '../../test/tf-node';
import type { SummaryRow } from './protocol';
import { freezeBoundaryOf, summarizeModel } from './summary';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

/**
 * A small branching model. Keras' `model.summary(show_trainable=True)` for the same model reads:
 *
 *   Layer (type)              Output Shape        Param #  Connected to                Trainable
 *   image (InputLayer)        (None, 8, 8, 3)     0        []                          Y
 *   conv (Conv2D)             (None, 8, 8, 4)     112      ['image[0][0]']             Y
 *   bn (BatchNormalization)   (None, 8, 8, 4)     16       ['conv[0][0]']              Y
 *   relu (Activation)         (None, 8, 8, 4)     0        ['bn[0][0]']                Y
 *   branch_a (Conv2D)         (None, 8, 8, 2)     10       ['relu[0][0]']              Y
 *   branch_b (MaxPooling2D)   (None, 8, 8, 4)     0        ['relu[0][0]']              Y
 *   concat (Concatenate)      (None, 8, 8, 6)     0        ['branch_a[0][0]',          Y
 *                                                           'branch_b[0][0]']
 *   gap (GlobalAveragePooling2D) (None, 6)        0        ['concat[0][0]']            Y
 *   logits (Dense)            (None, 3)           21       ['gap[0][0]']               Y
 *   Total params: 159   Trainable params: 151   Non-trainable params: 8
 */
function smallModel(): tfTypes.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' })
    .apply(input) as tfTypes.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(conv) as tfTypes.SymbolicTensor;
  const relu = tf.layers
    .activation({ activation: 'relu', name: 'relu' })
    .apply(bn) as tfTypes.SymbolicTensor;
  const a = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, name: 'branch_a' })
    .apply(relu) as tfTypes.SymbolicTensor;
  const b = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'branch_b' })
    .apply(relu) as tfTypes.SymbolicTensor;
  const concat = tf.layers.concatenate({ name: 'concat' }).apply([a, b]) as tfTypes.SymbolicTensor;
  const gap = tf.layers
    .globalAveragePooling2d({ name: 'gap' })
    .apply(concat) as tfTypes.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'logits' })
    .apply(gap) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'small' });
}

type RowCore = Pick<
  SummaryRow,
  'name' | 'type' | 'outputShape' | 'params' | 'connectedTo' | 'trainable'
>;
const core = (r: SummaryRow): RowCore => ({
  name: r.name,
  type: r.type,
  outputShape: r.outputShape,
  params: r.params,
  connectedTo: r.connectedTo,
  trainable: r.trainable,
});

describe('summarizeModel', () => {
  test("InceptionV3 totals equal Keras' (with and without the top)", () => {
    const top = inceptionV3();
    const notop = inceptionV3({ includeTop: false });
    try {
      expect(summarizeModel(top).totals).toEqual({
        total: 23_851_784,
        trainable: 23_817_352,
        nonTrainable: 34_432,
      });
      expect(summarizeModel(notop).totals).toEqual({
        total: 21_802_784,
        trainable: 21_768_352,
        nonTrainable: 34_432,
      });
    } finally {
      top.dispose();
      notop.dispose();
    }
  });

  test('per-layer rows of a small known model match Keras exactly', () => {
    const model = smallModel();
    const summary = summarizeModel(model);
    // Keras marks an InputLayer trainable; TensorFlow.js does not (it has nothing to train).
    expect(summary.rows.map(core)).toEqual([
      {
        name: 'image',
        type: 'InputLayer',
        outputShape: [null, 8, 8, 3],
        params: 0,
        connectedTo: [],
        trainable: false,
      },
      {
        name: 'conv',
        type: 'Conv2D',
        outputShape: [null, 8, 8, 4],
        params: 112,
        connectedTo: ['image[0][0]'],
        trainable: true,
      },
      {
        name: 'bn',
        type: 'BatchNormalization',
        outputShape: [null, 8, 8, 4],
        params: 16,
        connectedTo: ['conv[0][0]'],
        trainable: true,
      },
      {
        name: 'relu',
        type: 'Activation',
        outputShape: [null, 8, 8, 4],
        params: 0,
        connectedTo: ['bn[0][0]'],
        trainable: true,
      },
      {
        name: 'branch_a',
        type: 'Conv2D',
        outputShape: [null, 8, 8, 2],
        params: 10,
        connectedTo: ['relu[0][0]'],
        trainable: true,
      },
      {
        name: 'branch_b',
        type: 'MaxPooling2D',
        outputShape: [null, 8, 8, 4],
        params: 0,
        connectedTo: ['relu[0][0]'],
        trainable: true,
      },
      {
        name: 'concat',
        type: 'Concatenate',
        outputShape: [null, 8, 8, 6],
        params: 0,
        connectedTo: ['branch_a[0][0]', 'branch_b[0][0]'],
        trainable: true,
      },
      {
        name: 'gap',
        type: 'GlobalAveragePooling2D',
        outputShape: [null, 6],
        params: 0,
        connectedTo: ['concat[0][0]'],
        trainable: true,
      },
      {
        name: 'logits',
        type: 'Dense',
        outputShape: [null, 3],
        params: 21,
        connectedTo: ['gap[0][0]'],
        trainable: true,
      },
    ]);
    const bn = summary.rows.find((r) => r.name === 'bn');
    expect(bn).toMatchObject({ trainableParams: 8, nonTrainableParams: 8, hasWeights: true });
    expect(summary.totals).toEqual({ total: 159, trainable: 151, nonTrainable: 8 });
    expect(summary.groups).toEqual([
      { id: 'layers', title: 'All layers', start: 0, end: 9, params: 159 },
    ]);
    expect(summary.freezeBoundary).toBeNull();
    expect(summary.rows.filter((r) => r.spatial).map((r) => r.name)).toEqual([
      'image',
      'conv',
      'bn',
      'relu',
      'branch_a',
      'branch_b',
      'concat',
    ]);
    model.dispose();
  });

  test('a frozen base shows in the totals, the rows and the boundary', () => {
    const model = smallModel();
    for (const name of ['conv', 'bn', 'relu']) model.getLayer(name).trainable = false;
    const summary = summarizeModel(model);
    expect(summary.totals).toEqual({ total: 159, trainable: 31, nonTrainable: 128 });
    expect(summary.rows.find((r) => r.name === 'bn')).toMatchObject({
      trainable: false,
      trainableParams: 0,
      nonTrainableParams: 16,
    });
    expect(summary.freezeBoundary).toBe(4); // the divider goes before branch_a
    expect(summary.frozenLayers).toBe(2);
    // Everything frozen: no boundary to show.
    model.trainable = false;
    const all = summarizeModel(model);
    expect(all.totals).toEqual({ total: 159, trainable: 0, nonTrainable: 159 });
    expect(all.freezeBoundary).toBeNull();
    model.dispose();
  });

  test('InceptionV3 rows and blocks: stem, mixed0 … mixed10, head', () => {
    const model = inceptionV3();
    const { rows, groups } = summarizeModel(model);
    expect(rows).toHaveLength(313);
    expect(core(rows[1]!)).toEqual({
      name: 'conv2d_1',
      type: 'Conv2D',
      outputShape: [null, 149, 149, 32],
      params: 864,
      connectedTo: ['input_1[0][0]'],
      trainable: true,
    });
    expect(rows[2]).toMatchObject({ params: 96, trainableParams: 32, nonTrainableParams: 64 });
    expect(rows.find((r) => r.name === 'mixed0')?.connectedTo).toEqual([
      'activation_6[0][0]',
      'activation_8[0][0]',
      'activation_11[0][0]',
      'activation_12[0][0]',
    ]);
    expect(rows.find((r) => r.name === 'predictions')).toMatchObject({
      outputShape: [null, 1000],
      params: 2_049_000,
    });
    expect(groups.map((g) => g.id)).toEqual([
      'stem',
      ...Array.from({ length: 11 }, (_, i) => `mixed${i}`),
      'head',
    ]);
    // Groups tile the rows; each block ends with its own output; params add up.
    groups.forEach((g, i) => expect(g.start).toBe(i === 0 ? 0 : groups[i - 1]!.end));
    expect(groups.at(-1)!.end).toBe(rows.length);
    for (const g of groups.slice(1, -1)) expect(rows[g.end - 1]!.name).toBe(g.id);
    expect(rows[groups[0]!.end - 1]!.name).toBe('max_pooling2d_2');
    expect(rows.slice(groups.at(-1)!.start).map((r) => r.name)).toEqual([
      'avg_pool',
      'predictions',
    ]);
    expect(groups.reduce((n, g) => n + g.params, 0)).toBe(23_851_784);
    model.dispose();
  });

  test.each([
    ['mobilenet-0.25', 32, 'conv1_relu', 'conv_pw_1_relu'],
    ['mobilenetv2', 32, 'Conv1_relu', 'expanded_conv_project_BN'],
    ['efficientnetb0', 32, 'stem_activation', 'block1a_project_bn'],
    ['resnet50', 32, 'pool1_pool', 'conv2_block1_out'],
    ['xception', 71, null, 'block1_conv2_act'],
    ['vgg16', 32, null, 'block1_pool'],
  ] as const)('%s: the stem as Keras names it, then its blocks', (name, size, stem, first) => {
    // VGG16 without its top: the same blocks, without 100 M parameters of fully connected layers
    const model = zooEntry(name).build({
      inputShape: [size, size, 3],
      ...(name === 'vgg16' ? { includeTop: false } : { classes: 10 }),
    });
    try {
      const { rows, groups } = summarizeModel(model);
      const blocks = groups.filter((g) => g.id !== 'stem' && g.id !== 'head');
      expect(blocks.map((g) => g.id)).toEqual([...zooEntry(name).blocks]);
      expect(blocks[0]!.id).toBe(first);
      if (stem === null) {
        expect(groups[0]!.id).toBe(first);
      } else {
        expect(groups[0]!.id).toBe('stem');
        expect(rows[groups[0]!.end - 1]!.name).toBe(stem);
      }
      // groups tile the rows and each block ends with its own output
      groups.forEach((g, i) => expect(g.start).toBe(i === 0 ? 0 : groups[i - 1]!.end));
      expect(groups.at(-1)!.end).toBe(rows.length);
      for (const g of blocks) expect(rows[g.end - 1]!.name).toBe(g.id);
    } finally {
      model.dispose();
    }
  });

  test("nsfwjs' real Keras export: frozen up to conv2d_56, fine-tuned after", async () => {
    const model = await loadNsfwjsInception();
    try {
      const summary = summarizeModel(model);
      const boundary = summary.freezeBoundary;
      expect(boundary).not.toBeNull();
      const rows = summary.rows;
      expect(rows.slice(1, boundary!).every((r) => !r.trainable)).toBe(true);
      // Keras fine-tuning froze `layers[:N]`: the cut falls inside block mixed6.
      expect(rows[boundary! - 1]!.name).toBe('activation_55');
      expect(rows[boundary!]!.name).toBe('conv2d_56');
      expect(rows.slice(boundary!).some((r) => r.trainable && r.hasWeights)).toBe(true);
      expect(summary.totals.total).toBe(model.countParams());
      expect(summary.totals.trainable + summary.totals.nonTrainable).toBe(model.countParams());
      expect(summary.totals.nonTrainable).toBeGreaterThan(34_432);
    } finally {
      model.dispose();
    }
  });
});

describe('freezeBoundaryOf', () => {
  const row = (
    name: string,
    trainable: boolean,
    hasWeights = true,
    type = 'Dense',
  ): SummaryRow => ({
    name,
    type,
    outputShape: [null, 1],
    params: hasWeights ? 1 : 0,
    trainableParams: 0,
    nonTrainableParams: 0,
    connectedTo: [],
    trainable,
    hasWeights,
    spatial: false,
  });

  test('after the last frozen layer, only when something trainable follows', () => {
    const input = row('in', false, false, 'InputLayer');
    expect(freezeBoundaryOf([input, row('a', true), row('b', true)])).toBeNull();
    expect(freezeBoundaryOf([input, row('a', false), row('p', false, false), row('b', true)])).toBe(
      3,
    );
    expect(freezeBoundaryOf([input, row('a', false), row('p', true, false)])).toBeNull();
    expect(freezeBoundaryOf([])).toBeNull();
  });
});
