/**
 * Reads Keras weight files (`model.save_weights('x.h5')`, or the `model_weights` group of a full
 * `model.save('x.h5')`) through h5wasm. The layout, as Keras writes it:
 *
 *   /                      attrs: layer_names (byte strings, in the model's layer order),
 *                                 backend, keras_version
 *   /<layer>               attrs: weight_names (byte strings, e.g. `conv2d_1/kernel:0`)
 *   /<layer>/<weight name> one float dataset per weight
 *
 * Long attributes may be split into `layer_names0`, `layer_names1`, … (Keras does that past
 * 64 KB). The same code runs in Node (scripts, tests: `h5wasm/node`) and in the inference worker
 * (`h5wasm`), so it only uses the API both builds share.
 */
import { messageOf } from '../lib/message-of';
import type * as H5 from 'h5wasm';

/** HDF5's 8-byte file signature. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes of a file's head that {@link checkHdf5Head} wants to see (superblock at 0…2048). */
export const HDF5_HEAD_BYTES = 2048 + 64;

/** Something that went wrong with a weight file, written for the person who chose the file. */
export class WeightFileError extends Error {
  override name = 'WeightFileError';
}

function readUint(bytes: Uint8Array, at: number, size: number): number | null {
  if (at + size > bytes.length) return null;
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

/**
 * Checks a file's first bytes before HDF5 sees it: the signature (at 0, 512, 1024 or 2048, where
 * a user block may push it) and the end-of-file address the superblock records, so a file cut
 * short in a download gets "truncated" rather than an HDF5 error. Throws {@link WeightFileError}.
 */
export function checkHdf5Head(head: Uint8Array, fileSize: number, fileName: string): void {
  const at = [0, 512, 1024, 2048].find((offset) =>
    SIGNATURE.every((b, i) => head[offset + i] === b),
  );
  if (at === undefined) {
    throw new WeightFileError(
      fileSize === 0
        ? `${fileName} is empty.`
        : `${fileName} is not an HDF5 file (Keras weight files are HDF5, usually named .h5).`,
    );
  }
  const version = head[at + 8];
  let eof: number | null = null;
  let base: number | null = null;
  if (version === 0 || version === 1) {
    const offsets = head[at + 13] ?? 8;
    // signature 8, versions 4, sizes 2, reserved 1+? (see HDF5 format spec, superblock v0/v1)
    const fixed = at + 24 + (version === 1 ? 4 : 0);
    base = readUint(head, fixed, offsets);
    eof = readUint(head, fixed + 2 * offsets, offsets);
  } else if (version === 2 || version === 3) {
    const offsets = head[at + 9] ?? 8;
    base = readUint(head, at + 12, offsets);
    eof = readUint(head, at + 12 + 2 * offsets, offsets);
  }
  if (eof !== null && base !== null && eof + base > fileSize && eof < Number.MAX_SAFE_INTEGER) {
    throw new WeightFileError(
      `${fileName} is truncated: it has ${fileSize.toLocaleString('en')} bytes but its HDF5 header ` +
        `says ${(eof + base).toLocaleString('en')}. The download or copy stopped early; get it again.`,
    );
  }
}

/** One weight of a layer, read on demand. */
export interface KerasWeight {
  /** as Keras names it, e.g. `conv2d_1/kernel:0` */
  name: string;
  shape: number[];
  /** Reads the values as float32 (float64 files are narrowed). */
  read(): Float32Array;
}

/** One layer group of the file (layers without weights included, with none). */
export interface KerasLayer {
  name: string;
  weights: KerasWeight[];
}

/** What a Keras weight file holds. */
export interface KerasWeightFile {
  kerasVersion: string | null;
  backend: string | null;
  /** every layer named in `layer_names`, in that order */
  layers: KerasLayer[];
}

/** Strings of a string (or string array) attribute; `[]` for an empty or non-string one. */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [trimNul(value)];
  if (value instanceof Uint8Array) return [trimNul(new TextDecoder().decode(value))];
  if (Array.isArray(value)) return value.flatMap((v) => stringList(v));
  return [];
}

function trimNul(text: string): string {
  return text.replace(/\0+$/, '');
}

/** Keras' own attribute reader: `name`, else `name0`, `name1`, … concatenated. */
function readChunkedAttr(node: H5.Group, name: string): string[] | null {
  const attrs = node.attrs;
  if (name in attrs) return stringList(attrs[name]?.value);
  if (!(`${name}0` in attrs)) return null;
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) out.push(...stringList(attrs[`${name}${i}`]?.value));
  return out;
}

function scalarString(node: H5.Group, name: string): string | null {
  if (!(name in node.attrs)) return null;
  return stringList(node.attrs[name]?.value)[0] ?? null;
}

const isGroup = (entity: unknown): entity is H5.Group =>
  typeof entity === 'object' && entity !== null && 'keys' in entity && !('shape' in entity);
const isDataset = (entity: unknown): entity is H5.Dataset =>
  typeof entity === 'object' && entity !== null && 'shape' in entity && 'metadata' in entity;

function toFloat32(value: unknown, where: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new WeightFileError(`${where} holds ${describeValue(value)}, not float32 values.`);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/**
 * Reads the layer list of a Keras weight file opened with h5wasm. Weight values are read later,
 * one dataset at a time, through {@link KerasWeight.read}. Throws {@link WeightFileError}.
 */
export function readKerasWeightFile(file: H5.Group, fileName: string): KerasWeightFile {
  let root: H5.Group = file;
  let layerNames = readChunkedAttr(root, 'layer_names');
  if (layerNames === null) {
    // A whole-model file (`model.save('x.h5')`) keeps the weights in /model_weights.
    const nested = file.get('model_weights');
    if (isGroup(nested)) {
      root = nested;
      layerNames = readChunkedAttr(root, 'layer_names');
    }
  }
  if (layerNames === null) {
    throw new WeightFileError(
      `${fileName} is an HDF5 file but not a Keras weight file: it has no layer_names attribute.`,
    );
  }
  const kerasVersion = scalarString(root, 'keras_version') ?? scalarString(file, 'keras_version');
  const backend = scalarString(root, 'backend') ?? scalarString(file, 'backend');
  const layers = layerNames.map((name): KerasLayer => {
    const group = root.get(name);
    if (!isGroup(group)) {
      throw new WeightFileError(
        `${fileName}: layer ${name} is listed in layer_names but its group is missing (the file is damaged).`,
      );
    }
    const weightNames = readChunkedAttr(group, 'weight_names') ?? [];
    const weights = weightNames.map((weightName): KerasWeight => {
      const where = `layer ${name}: weight ${weightName}`;
      let dataset: H5.Entity | null;
      try {
        dataset = group.get(weightName);
      } catch (error) {
        throw new WeightFileError(`${fileName}: ${where} cannot be read (${messageOf(error)}).`);
      }
      if (!isDataset(dataset)) {
        throw new WeightFileError(
          `${fileName}: ${where} is listed in weight_names but missing from the file.`,
        );
      }
      const shape = dataset.shape ?? [];
      return {
        name: weightName,
        shape,
        read: () => {
          let value: unknown;
          try {
            value = dataset.value;
          } catch (error) {
            throw new WeightFileError(
              `${fileName}: ${where} cannot be read; the file is damaged (${messageOf(error)}).`,
            );
          }
          const values = toFloat32(value, `${fileName}: ${where}`);
          const expected = shape.reduce((a, b) => a * b, 1);
          if (values.length !== expected) {
            throw new WeightFileError(
              `${fileName}: ${where} has ${values.length} values for shape [${shape.join(',')}] (the file is damaged).`,
            );
          }
          return values;
        },
      };
    });
    return { name, weights };
  });
  return { kerasVersion, backend, layers };
}

/** Opens a file with h5wasm, turning its failure into a {@link WeightFileError}. */
export function openH5(h5: typeof H5, path: string, fileName: string): H5.File {
  let file: H5.File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    throw new WeightFileError(`${fileName} cannot be opened as HDF5 (${messageOf(error)}).`);
  }
  // h5wasm reports a failed open through a negative id on some builds rather than throwing.
  if (typeof file.file_id === 'bigint' && file.file_id < 0n) {
    throw new WeightFileError(`${fileName} cannot be opened as HDF5 (the file is damaged).`);
  }
  return file;
}
