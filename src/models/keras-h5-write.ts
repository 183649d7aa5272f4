/**
 * Writes Keras weight files (the layout `model.save_weights('x.h5')` gives in Keras 2, and that
 * Keras' own application files use; {@link readKerasWeightFile} reads it back):
 *
 *   /                      attrs: layer_names (fixed-length byte strings, every layer in the
 *                                 model's order), backend, keras_version (byte-string scalars)
 *   /<layer>               attrs: weight_names (byte strings `<layer>/<weight>:0`; a layer
 *                                 without weights has an empty float64 array, as h5py stores [])
 *   /<layer>/<layer>/<weight>:0   one float32 dataset per weight
 *
 * The same code runs in Node (`h5wasm/node`, writing to disk) and in the inference worker
 * (`h5wasm`, writing to Emscripten's in-memory file system), so it only uses the API both share.
 */
import type * as H5 from 'h5wasm';

/** One weight as it goes into the file. */
export interface KerasWeightValues {
  /** Keras' name without the `:0`, e.g. `conv2d_1/kernel` */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** One layer as it goes into the file (layers without weights too: Keras lists every layer). */
export interface KerasLayerValues {
  name: string;
  weights: KerasWeightValues[];
}

/** Root attributes besides `layer_names`. */
export interface KerasFileAttributes {
  backend?: string;
  /**
   * Keras reads this to decide whether weights need converting from Keras 1's layouts; any 2.x
   * value means "as they are". Default: {@link KERAS_VERSION_STAMP}.
   */
  kerasVersion?: string;
  /** extra byte-string attributes on the root (e.g. `model_config`, Keras' JSON of the model) */
  extra?: Record<string, string>;
}

/** The `keras_version` written by default: the last Keras 2 release, whose layout this is. */
export const KERAS_VERSION_STAMP = '2.15.0';

const byteLength = (text: string): number => new TextEncoder().encode(text).length;
/** numpy's fixed-length byte-string dtype wide enough for every value (h5py writes `|S<n>`). */
const fixedString = (values: string[]): string => `S${Math.max(1, ...values.map(byteLength))}`;

/**
 * Writes `layers` into `file` (an h5wasm file opened for writing) in Keras' weight-file layout.
 * The caller opens and closes the file.
 */
export function writeKerasLayers(
  file: H5.File,
  layers: readonly KerasLayerValues[],
  attributes: KerasFileAttributes = {},
): void {
  const names = layers.map((l) => l.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`two layers are named ${duplicate}`);
  file.create_attribute('layer_names', names, null, fixedString(names));
  const scalar = (name: string, value: string): void =>
    file.create_attribute(name, value, null, fixedString([value]));
  scalar('backend', attributes.backend ?? 'tensorflow');
  scalar('keras_version', attributes.kerasVersion ?? KERAS_VERSION_STAMP);
  for (const [name, value] of Object.entries(attributes.extra ?? {})) scalar(name, value);
  for (const layer of layers) {
    const group = file.create_group(layer.name);
    const weightNames = layer.weights.map((w) => `${w.name}:0`);
    if (weightNames.length === 0) {
      group.create_attribute('weight_names', new Float64Array(0), [0], '<d');
    } else {
      group.create_attribute('weight_names', weightNames, null, fixedString(weightNames));
    }
    for (const weight of layer.weights) {
      const expected = weight.shape.reduce((a, b) => a * b, 1);
      if (weight.values.length !== expected) {
        throw new Error(
          `layer ${layer.name}: ${weight.name} has ${weight.values.length} values for shape [${weight.shape.join(',')}]`,
        );
      }
      // `conv2d_1/kernel:0` is a dataset `kernel:0` in a subgroup `conv2d_1`, as h5py makes it.
      const parts = `${weight.name}:0`.split('/');
      const leaf = parts.pop()!;
      let node: H5.Group = group;
      for (const part of parts) {
        const existing = node.get(part);
        node = existing && 'keys' in existing ? existing : node.create_group(part);
      }
      node.create_dataset({ name: leaf, data: weight.values, shape: weight.shape, dtype: '<f' });
    }
  }
}

/** The parts of an h5wasm build that {@link kerasH5Bytes} uses (the browser's or Node's). */
export interface H5Writer {
  File: typeof H5.File;
  FS: { readFile(path: string): Uint8Array; unlink(path: string): void };
}

let written = 0;

/**
 * The bytes of a Keras weight file holding `layers`: written to a scratch path of h5wasm's file
 * system (memory in the browser), read back and removed.
 */
export function kerasH5Bytes(
  h5: H5Writer,
  layers: readonly KerasLayerValues[],
  attributes: KerasFileAttributes = {},
  dir = '/tmp',
): Uint8Array {
  const path = `${dir}/lens-keras-export-${++written}-${Date.now()}.h5`;
  const file = new h5.File(path, 'w');
  try {
    try {
      writeKerasLayers(file, layers, attributes);
    } finally {
      file.close();
    }
    // A copy: the file system's buffer is released with the file.
    return new Uint8Array(h5.FS.readFile(path));
  } finally {
    try {
      h5.FS.unlink(path);
    } catch {
      // already gone
    }
  }
}
