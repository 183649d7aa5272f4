/**
 * A custom model as one file: a ZIP holding exactly what TensorFlow.js loads from a folder —
 * `model.json` (topology + weights manifest), `weights.bin`, and `metadata.json` with the class
 * names (the format this app's `?model=` loader reads). Unzipped, it can be served and opened as
 * any layers model; zipped, the app imports it back. Entries are written *stored* (no
 * compression: float weights barely compress, and it keeps the writer small); the reader also
 * accepts deflated entries, in case someone re-zips the folder.
 */
import * as tf from '@tensorflow/tfjs';
import { bytesPerValue } from '../../models/tfjs-artifacts';

/** One file inside a ZIP. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the ZIP / PNG polynomial) of some bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS time and date fields for a Date. */
function dosDateTime(date: Date): [number, number] {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1);
  const day =
    ((Math.max(date.getFullYear(), 1980) - 1980) << 9) |
    ((date.getMonth() + 1) << 5) |
    date.getDate();
  return [time, day];
}

/** Writes a ZIP archive of stored (uncompressed) entries. */
export function writeZip(entries: readonly ZipEntry[], date = new Date()): Uint8Array {
  const encoder = new TextEncoder();
  const [time, day] = dosDateTime(date);
  const names = entries.map((e) => encoder.encode(e.name));
  let size = 22;
  entries.forEach(
    (e, i) => (size += 30 + 46 + 2 * (names[i] as Uint8Array).length + e.data.length),
  );
  if (size > 0xffffffff || entries.length > 0xffff) {
    throw new Error('the model is too large for a ZIP file without ZIP64 (over 4 GB)');
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  const crcs = entries.map((e) => crc32(e.data));
  const header = (signature: number): void => {
    view.setUint32(at, signature, true);
    at += 4;
  };
  const u16 = (v: number): void => {
    view.setUint16(at, v, true);
    at += 2;
  };
  const u32 = (v: number): void => {
    view.setUint32(at, v, true);
    at += 4;
  };
  // Version needed 2.0; flag bit 11: names are UTF-8; method 0: stored.
  const common = (i: number): void => {
    const entry = entries[i] as ZipEntry;
    u16(20);
    u16(0x0800);
    u16(0);
    u16(time);
    u16(day);
    u32(crcs[i] as number);
    u32(entry.data.length);
    u32(entry.data.length);
    u16((names[i] as Uint8Array).length);
    u16(0);
  };
  entries.forEach((entry, i) => {
    offsets.push(at);
    header(0x04034b50);
    common(i);
    out.set(names[i] as Uint8Array, at);
    at += (names[i] as Uint8Array).length;
    out.set(entry.data, at);
    at += entry.data.length;
  });
  const directory = at;
  entries.forEach((_, i) => {
    header(0x02014b50);
    u16(20); // made by: version 2.0
    common(i);
    u16(0); // comment length
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(offsets[i] as number);
    out.set(names[i] as Uint8Array, at);
    at += (names[i] as Uint8Array).length;
  });
  const directorySize = at - directory;
  header(0x06054b50);
  u16(0);
  u16(0);
  u16(entries.length);
  u16(entries.length);
  u32(directorySize);
  u32(directory);
  u16(0);
  return out;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads every file of a ZIP archive (stored or deflated entries), checking their CRCs. */
export async function readZip(bytes: Uint8Array): Promise<ZipEntry[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP file');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) {
      throw new Error('the ZIP file is damaged (its directory is unreadable)');
    }
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
    if (name.endsWith('/')) continue; // a folder
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) {
      throw new Error(`the ZIP file is damaged (${name} cannot be found)`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw new Error(`the ZIP file is truncated (${name})`);
    const raw = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw.slice();
    else if (method === 8) data = await inflateRaw(raw);
    else throw new Error(`${name} uses a ZIP compression method (${method}) this app cannot read`);
    if (crc32(data) !== crc)
      throw new Error(`the ZIP file is damaged (${name} fails its checksum)`);
    entries.push({ name, data });
  }
  return entries;
}

/** Facts about a custom model kept beside its weights. */
export interface ModelMetadata {
  name: string;
  labels: string[];
  inputRange: [number, number];
  /** Keras' per-channel `preprocess_input` the model needs (a ResNet50 or VGG16 base), if any */
  preprocess?: 'caffe' | 'torch';
}

/** A custom model as TensorFlow.js artifacts plus its metadata. */
export interface ModelPackage {
  artifacts: tf.io.ModelArtifacts;
  metadata: ModelMetadata;
}

const WEIGHTS_FILE = 'weights.bin';

/** One ZIP with model.json, weights.bin and metadata.json. */
export function packModel(pkg: ModelPackage): Uint8Array {
  const { artifacts, metadata } = pkg;
  if (!artifacts.modelTopology || !artifacts.weightSpecs || artifacts.weightData === undefined) {
    throw new Error('the model has no topology or weights to export');
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), ...metadata },
  };
  const encoder = new TextEncoder();
  return writeZip([
    { name: 'model.json', data: encoder.encode(JSON.stringify(modelJson)) },
    { name: WEIGHTS_FILE, data: weights },
    { name: 'metadata.json', data: encoder.encode(JSON.stringify(metadata, null, 2)) },
  ]);
}

/** Bytes a weight takes in the weights file (honouring quantisation). */
function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = bytesPerValue(dtype);
  if (per === undefined) throw new Error(`weight ${spec.name} has an unsupported type ${dtype}`);
  return size * per;
}

function parseJson(data: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    throw new Error(`${name} in the file is not valid JSON`);
  }
}

function isRange(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    value[0] !== value[1]
  );
}

/**
 * Reads a model ZIP back (ours, or any zipped TensorFlow.js layers model with a `metadata.json`
 * or `userDefinedMetadata` carrying `labels`). Errors say what is missing or wrong.
 */
export async function unpackModel(bytes: Uint8Array, fallbackName: string): Promise<ModelPackage> {
  const entries = await readZip(bytes);
  const jsons = entries.filter((e) => e.name === 'model.json' || e.name.endsWith('/model.json'));
  const modelEntry = jsons.find((e) => e.name === 'model.json') ?? jsons[0];
  if (!modelEntry) throw new Error('the file has no model.json: it is not a TensorFlow.js model');
  if (jsons.length > 1 && modelEntry.name !== 'model.json') {
    throw new Error('the file holds several model.json files; import one model at a time');
  }
  const dir = modelEntry.name.slice(0, modelEntry.name.length - 'model.json'.length);
  const json = parseJson(modelEntry.data, 'model.json') as Partial<tf.io.ModelJSON> | null;
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new Error('model.json has no model topology');
  }
  if (json.format && json.format !== 'layers-model') {
    throw new Error(
      `model.json is a ${json.format}, not a layers model; only layers models can be imported`,
    );
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new Error('model.json lists no weights');
  }
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    for (const path of group.paths) {
      const data = byName.get(dir + path.replace(/^\.\//, ''));
      if (!data) throw new Error(`the weights file ${path} named in model.json is missing`);
      parts.push(data);
    }
    specs.push(...group.weights);
  }
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    weightData.set(part, at);
    at += part.length;
  }
  const expected = specs.reduce((n, s) => n + specBytes(s), 0);
  if (expected !== weightData.length) {
    throw new Error(
      `the weights hold ${weightData.length} bytes but model.json describes ${expected}: the file is damaged`,
    );
  }

  const metaEntry = byName.get(`${dir}metadata.json`);
  const userMeta = (json.userDefinedMetadata ?? {}) as Record<string, unknown>;
  const meta = {
    ...userMeta,
    ...((metaEntry ? parseJson(metaEntry, 'metadata.json') : {}) as Record<string, unknown>),
  };
  const labels = meta.labels;
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    !labels.every((l) => typeof l === 'string')
  ) {
    throw new Error('the file has no class names (metadata.json with "labels": [...])');
  }
  const name = typeof meta.name === 'string' && meta.name.trim() ? meta.name.trim() : fallbackName;
  const inputRange: [number, number] = isRange(meta.inputRange) ? meta.inputRange : [-1, 1];
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: 'layers-model',
    weightSpecs: specs,
    weightData: weightData.buffer,
  };
  if (json.userDefinedMetadata) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  const preprocess =
    meta.preprocess === 'caffe' || meta.preprocess === 'torch' ? meta.preprocess : null;
  return {
    artifacts,
    metadata: { name, labels: labels, inputRange, ...(preprocess ? { preprocess } : {}) },
  };
}
