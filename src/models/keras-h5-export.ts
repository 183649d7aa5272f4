/**
 * A trained model as a Keras weight file (`.h5`, the layout of Keras' own application files) and
 * the few lines of Python that rebuild it and load the file.
 *
 * - A base that is a Keras application (recognised from its weight-owning layers, see
 *   {@link identifyZoo}) plus Teach's Dense head is written as Keras builds
 *   `Application(include_top=False, pooling='avg')` + `Dense(n, softmax)`: every layer of that
 *   model in Keras' order (our builder's), because Keras' `load_weights` pairs layers by order.
 *   Head-only and fine-tuned models have this same structure; only their weights differ. A model
 *   trained from scratch on an application with its own top is written as `Application(classes=n)`.
 * - Any other model (a `?model=` folder as a base) is written as built in the page: its layers in
 *   its order, with Keras' JSON of the architecture in a `model_config` attribute, which the
 *   Python reads to rebuild it.
 */
import type * as tf from '@tensorflow/tfjs';
import {
  buildForMatch,
  identifyZoo,
  pairByNameOrOrder,
  ZOO_SIGNATURES,
  type ZooMatch,
} from './keras-h5-zoo';
import type { KerasFileAttributes, KerasLayerValues } from './keras-h5-write';
import type { ZooModelName } from './zoo/zoo';

/** What {@link planKerasExport} decided. */
export interface KerasExportPlan {
  /** 'application': a Keras application (+ head); 'whole': any other model, as built */
  kind: 'application' | 'whole';
  layers: KerasLayerValues[];
  attributes: KerasFileAttributes;
  /** Python that rebuilds the model and loads the file */
  python: string;
  /** e.g. "InceptionV3 (include_top=False, pooling='avg') + Dense(3, softmax)" */
  description: string;
}

/** What the exporter needs to know besides the model. */
export interface KerasExportInfo {
  /** the `.h5` file's name, as the Python refers to it */
  fileName: string;
  /** class names, in output order */
  classNames: readonly string[];
}

/** Keras' module of each application, where its `preprocess_input` lives. */
const PREPROCESS_MODULE: Record<ZooModelName, string> = {
  inceptionv3: 'inception_v3',
  mobilenet: 'mobilenet',
  'mobilenet-0.75': 'mobilenet',
  'mobilenet-0.5': 'mobilenet',
  'mobilenet-0.25': 'mobilenet',
  mobilenetv2: 'mobilenet_v2',
  resnet50: 'resnet50',
  xception: 'xception',
  efficientnetb0: 'efficientnet',
  vgg16: 'vgg16',
};

const ALPHA: Partial<Record<ZooModelName, string>> = {
  'mobilenet-0.75': '0.75',
  'mobilenet-0.5': '0.5',
  'mobilenet-0.25': '0.25',
};

const shapesOf = (layer: tf.layers.Layer): number[][] =>
  layer.weights.map((w) => [...w.shape] as number[]);
const shapeKey = (shapes: readonly (readonly (number | null)[])[]): string =>
  shapes.map((s) => s.join('x')).join(';');

async function valuesOf(
  layer: tf.layers.Layer,
  name: string,
  names: readonly string[],
): Promise<KerasLayerValues> {
  const weights = await Promise.all(
    layer.weights.map(async (w, i) => ({
      name: names[i]!,
      shape: [...w.shape] as number[],
      values: (await w.read().data()) as Float32Array,
    })),
  );
  return { name, weights };
}

const pyString = (text: string): string => JSON.stringify(text);

/** Python that rebuilds an application model and loads the file. */
function applicationPython(
  match: ZooMatch,
  inputSize: number,
  head: { units: number; name: string; activation: string } | null,
  info: KerasExportInfo,
): string {
  const { entry } = match;
  const args: string[] = [];
  const alpha = ALPHA[entry.name];
  if (alpha) args.push(`alpha=${alpha}`);
  if (head) args.push('include_top=False', 'pooling="avg"');
  else args.push(`classes=${match.classes}`);
  // Keras builds EfficientNet's extra ImageNet Rescaling only for weights="imagenet"; the weights
  // it downloads are replaced by load_weights below.
  args.push(entry.name === 'efficientnetb0' ? 'weights="imagenet"' : 'weights=None');
  args.push(`input_shape=(${inputSize}, ${inputSize}, 3)`);
  const lines = [
    'import keras  # Keras 3, or TensorFlow 2\'s tf.keras: "from tensorflow import keras"',
    'import numpy as np',
    '',
    `base = keras.applications.${entry.kerasFunction}(${args.join(', ')})`,
  ];
  if (head) {
    lines.push(
      `outputs = keras.layers.Dense(${head.units}, activation=${pyString(head.activation)}, name=${pyString(head.name)})(base.output)`,
      'model = keras.Model(base.input, outputs)',
    );
  } else {
    lines.push('model = base');
  }
  lines.push(
    `model.load_weights(${pyString(info.fileName)})`,
    `class_names = ${JSON.stringify(info.classNames)}`,
    '',
    `img = keras.utils.load_img("photo.jpg", target_size=(${inputSize}, ${inputSize}))`,
    `x = keras.applications.${PREPROCESS_MODULE[entry.name]}.preprocess_input(np.array(img, dtype="float32")[None])`,
    'print(class_names[int(np.argmax(model.predict(x)[0]))])',
  );
  return lines.join('\n');
}

/** Python that rebuilds any model from the `model_config` attribute and loads the file. */
function wholePython(info: KerasExportInfo): string {
  return [
    'import h5py',
    "import keras  # tf.keras (TensorFlow 2) reads TensorFlow.js' Keras JSON as it is",
    '',
    `with h5py.File(${pyString(info.fileName)}, "r") as f:`,
    '    config = f.attrs["model_config"]',
    'model = keras.models.model_from_json(config.decode() if isinstance(config, bytes) else config)',
    `model.load_weights(${pyString(info.fileName)})`,
    `class_names = ${JSON.stringify(info.classNames)}`,
    '# inputs: pixels scaled as the model was trained in the page (see its input range)',
  ].join('\n');
}

/**
 * The Keras application `model` is (with Teach's Dense head, or with Keras' own top), with the
 * layers to write in Keras' order; null when it is not one, or its layers do not fit exactly.
 */
async function applicationPlan(
  model: tf.LayersModel,
  info: KerasExportInfo,
): Promise<KerasExportPlan | null> {
  const weighted = model.layers.filter((l) => l.weights.length > 0);
  const shapes = weighted.map((l) => ({ name: l.name, shapes: shapesOf(l) }));
  const found = identifyZoo(shapes);
  if (!found || (!found.includeTop && !found.head)) return null;
  const last = weighted.at(-1)!;
  // One Dense layer on the pooled features is written as Teach builds it, a head on the base
  // without the top (for InceptionV3 and the like, Keras' top is exactly that, under other names).
  const kernel = last.weights[0]?.shape ?? [];
  const units = kernel[1];
  const signature = ZOO_SIGNATURES[found.entry.name];
  const single =
    last.getClassName() === 'Dense' &&
    kernel.length === 2 &&
    kernel[0] === signature.featureSize &&
    typeof units === 'number' &&
    weighted.length === signature.weighted + 1;
  const match: ZooMatch = single
    ? { entry: found.entry, includeTop: false, classes: units, head: { name: last.name, units } }
    : found;
  const withHead = match.head !== undefined;
  const [, height, width] = model.inputs[0]?.shape ?? [];
  if (typeof height !== 'number' || height !== width) return null;

  let reference: tf.LayersModel;
  try {
    // The head is written from the model itself; the reference gives the base's layers.
    reference = buildForMatch({
      ...match,
      head: undefined,
      includeTop: withHead ? false : match.includeTop,
      inputShape: [height, height, 3],
    });
  } catch {
    return null; // e.g. an input size the application refuses
  }
  try {
    const refWeighted = reference.layers.filter((l) => l.weights.length > 0);
    const ours = withHead ? weighted.slice(0, -1) : weighted;
    let paired: tf.layers.Layer[];
    try {
      paired = pairByNameOrOrder(
        ours,
        refWeighted.map((l) => l.name),
        model.name,
      );
    } catch {
      return null;
    }
    if (
      refWeighted.some(
        (ref, i) =>
          shapeKey(shapesOf(ref)) !== shapeKey(shapesOf(paired[i]!)) ||
          ref.getClassName() !== paired[i]!.getClassName(),
      )
    ) {
      return null;
    }
    const source = new Map(refWeighted.map((ref, i) => [ref, paired[i]!]));
    const layers: KerasLayerValues[] = [];
    for (const ref of reference.layers) {
      const from = source.get(ref);
      layers.push(
        from
          ? await valuesOf(
              from,
              ref.name,
              ref.weights.map((w) => w.originalName),
            )
          : { name: ref.name, weights: [] },
      );
    }
    let head: { units: number; name: string; activation: string } | null = null;
    if (withHead) {
      const config = last.getConfig() as { units?: number; activation?: string };
      head = {
        units: Number(config.units),
        name: last.name,
        activation: String(config.activation ?? 'softmax'),
      };
      if (layers.some((l) => l.name === last.name)) return null;
      layers.push(
        await valuesOf(
          last,
          last.name,
          last.weights.map((w) => w.originalName),
        ),
      );
    }
    const { entry } = match;
    const alpha = ALPHA[entry.name];
    const base = `${entry.kerasFunction}(${alpha ? `alpha=${alpha}, ` : ''}`;
    return {
      kind: 'application',
      layers,
      attributes: {},
      python: applicationPython(match, height, head, info),
      description: head
        ? `${base}include_top=False, pooling='avg') + Dense(${head.units}, ${head.activation})`
        : `${base}classes=${match.classes})`,
    };
  } finally {
    reference.dispose();
  }
}

/**
 * Decides how to write `model` as a Keras weight file and reads its weights. The model is left
 * as it was (nothing disposed, nothing changed).
 */
export async function planKerasExport(
  model: tf.LayersModel,
  info: KerasExportInfo,
): Promise<KerasExportPlan> {
  const application = await applicationPlan(model, info);
  if (application) return application;
  const layers: KerasLayerValues[] = [];
  for (const layer of model.layers) {
    layers.push(
      await valuesOf(
        layer,
        layer.name,
        layer.weights.map((w) => w.originalName),
      ),
    );
  }
  const config = model.toJSON(null, true) as string;
  return {
    kind: 'whole',
    layers,
    attributes: { extra: { model_config: config } },
    python: wholePython(info),
    description: `the whole model as built (${model.layers.length} layers)`,
  };
}
