/**
 * Worker side of "Open model…": turns what the user opened into a stored model.
 *
 * - a Keras `.h5` weight file of any zoo architecture (InceptionV3, MobileNet, ResNet50, …, with
 *   or without the top; recognised from the file) is read with h5wasm and
 *   converted here, in the worker, with the same code `npm run model:fetch` uses, then quantised
 *   to the precision asked for;
 * - a TensorFlow.js layers-model folder (model.json + the weight files it names, optionally our
 *   metadata.json) is checked file by file: every shard present, sizes adding up, SHA-256 hashes
 *   matching metadata.json when it has them, and the model building;
 * - a URL of either is downloaded with progress first.
 *
 * Nothing touches the active model: an import that fails leaves everything as it was.
 */
import { messageOf } from '../../lib/message-of';
import * as tf from '@tensorflow/tfjs';
import type * as H5 from 'h5wasm';
import { ConversionCancelled } from '../../models/keras-h5-inception';
import { zooFromKerasWeights, type ZooConversion } from '../../models/keras-h5-zoo';
import { checkHdf5Head, HDF5_HEAD_BYTES, readKerasWeightFile } from '../../models/keras-h5';
import { modelNameFromUrl, type LabelSource, type ModelEntry } from '../../models/registry';
import {
  artifactsOf,
  expectedWeightBytes,
  quantizeWeights,
  sha256Hex,
  shardHashesOf,
  weightBundleOf,
} from '../../models/tfjs-artifacts';
import type { WeightPrecision } from '../../models/weight-precision';
import { inputSizeOf, numClassesOf } from '../classify/classifier';
import { isImageNetSized } from '../classify/labels';
import type { FolderFile, ImportSource, ImportStage, StoredModel } from './protocol';
import { precisionOf, storedEntry, weightBytesOf, type ModelStore } from './store';

/** An opened HDF5 file and how to let go of it. */
export interface OpenedH5 {
  file: H5.File;
  close(): void;
}

/** What an import needs from its surroundings (the worker's, or a test's). */
export interface ImportDeps {
  store: ModelStore;
  /** opens an `.h5` blob with h5wasm (the worker mounts it without copying) */
  openH5(blob: Blob, name: string): Promise<OpenedH5>;
  fetch: typeof fetch;
  now(): Date;
  newKey(): string;
}

/** Progress and cancellation of one import. */
export interface ImportContext {
  progress(stage: ImportStage, fraction: number | null, detail?: string): void;
  isCancelled(): boolean;
}

/** Raised inside an import when the page cancelled it. */
export class ImportCancelled extends Error {
  override name = 'ImportCancelled';
  constructor() {
    super('cancelled');
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function checkCancelled(context: ImportContext): void {
  if (context.isCancelled()) throw new ImportCancelled();
}

/** Reads a response body with progress; `total` from Content-Length when the server sends it. */
async function readBody(
  response: Response,
  onBytes: (received: number, total: number | null) => void,
  context: ImportContext,
): Promise<Uint8Array> {
  const total = Number(response.headers.get('content-length')) || null;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    if (context.isCancelled()) {
      await reader.cancel();
      throw new ImportCancelled();
    }
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onBytes(received, total);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** fetch() that names the URL and the problem when it fails. */
async function download(deps: ImportDeps, url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await deps.fetch(url);
  } catch {
    throw new Error(
      `${what} could not be downloaded from ${url}: the network or the server is unreachable ` +
        '(or the server does not allow downloads from other sites).',
    );
  }
  if (!response.ok) throw new Error(`${what} was not found at ${url} (HTTP ${response.status}).`);
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`${what} was not found at ${url} (the server answered with a web page).`);
  }
  return response;
}

/** Labels, input size and notes for a model with `numClasses` outputs. */
function labelsFor(
  numClasses: number,
  metadataLabels: unknown,
  featureExtractor: boolean,
): { labels: LabelSource; labelOffset: number } {
  if (Array.isArray(metadataLabels) && metadataLabels.every((l) => typeof l === 'string')) {
    const offset = numClasses - metadataLabels.length;
    if (offset === 0 || offset === 1) {
      return { labels: { kind: 'list', labels: metadataLabels }, labelOffset: offset };
    }
  }
  if (featureExtractor) {
    return {
      labels: {
        kind: 'list',
        labels: Array.from({ length: numClasses }, (_, i) => `feature ${i}`),
      },
      labelOffset: 0,
    };
  }
  if (isImageNetSized(numClasses)) return { labels: { kind: 'imagenet' }, labelOffset: 0 };
  return {
    labels: { kind: 'list', labels: Array.from({ length: numClasses }, (_, i) => `class ${i}`) },
    labelOffset: 0,
  };
}

async function storeModel(
  deps: ImportDeps,
  context: ImportContext,
  artifacts: tf.io.ModelArtifacts,
  fields: {
    name: string;
    source: StoredModel['source'];
    inputSize: number;
    inputRange: [number, number];
    preprocess?: ModelEntry['preprocess'];
    numClasses: number;
    params: number;
    labels: LabelSource;
    labelOffset: number;
    note?: string;
  },
): Promise<StoredModel> {
  const key = deps.newKey();
  const entry = storedEntry(key, {
    name: fields.name,
    inputSize: fields.inputSize,
    inputRange: fields.inputRange,
    labels: fields.labels,
    labelOffset: fields.labelOffset,
    ...(fields.preprocess ? { preprocess: fields.preprocess } : {}),
  });
  const record: StoredModel = {
    key,
    entry,
    source: fields.source,
    bytes: weightBytesOf(artifacts.weightData),
    precision: precisionOf(artifacts.weightSpecs ?? []),
    params: fields.params,
    numClasses: fields.numClasses,
    created: deps.now().toISOString(),
    ...(fields.note ? { note: fields.note } : {}),
  };
  checkCancelled(context);
  context.progress('storing', null, mb(record.bytes));
  await deps.store.put(record, artifacts);
  return record;
}

/**
 * Converts a Keras `.h5` of any zoo architecture (recognised from the file: with or without the
 * top, or with a Dense head as Teach's Keras export writes it) and stores it at `precision`.
 */
export async function importKerasH5(
  blob: Blob,
  name: string,
  precision: WeightPrecision,
  source: StoredModel['source'],
  deps: ImportDeps,
  context: ImportContext,
): Promise<StoredModel> {
  context.progress('reading', 0, mb(blob.size));
  const head = new Uint8Array(await blob.slice(0, HDF5_HEAD_BYTES).arrayBuffer());
  checkHdf5Head(head, blob.size, name);
  const opened = await deps.openH5(blob, name);
  let converted: ZooConversion;
  try {
    const keras = readKerasWeightFile(opened.file, name);
    try {
      converted = await zooFromKerasWeights(keras, name, {
        onProgress: (f) => context.progress('converting', f),
        isCancelled: () => context.isCancelled(),
      });
    } catch (error) {
      if (error instanceof ConversionCancelled) throw new ImportCancelled();
      throw error;
    }
  } finally {
    opened.close();
  }
  const { model, entry } = converted;
  let artifacts: tf.io.ModelArtifacts;
  let params: number;
  let numClasses: number;
  try {
    artifacts = await artifactsOf(model);
    params = model.countParams();
    const shape = model.outputs[0]?.shape ?? [];
    numClasses = Number(shape[shape.length - 1]);
  } finally {
    model.dispose();
  }
  const bundle = quantizeWeights(weightBundleOf(artifacts), precision);
  const featureExtractor = !converted.includeTop && !converted.head;
  const notes: string[] = [];
  if (featureExtractor) {
    notes.push(
      `${entry.displayName} without its top: it outputs ${numClasses} pooled features, not classes (a base for transfer learning).`,
    );
  }
  return storeModel(
    deps,
    context,
    { ...artifacts, weightSpecs: bundle.specs, weightData: bundle.data },
    {
      name: name.replace(/\.(h5|hdf5)$/i, ''),
      source,
      inputSize: entry.inputSize,
      // 'tf' mode is [-1, 1]; EfficientNet rescales [0, 255] pixels itself.
      inputRange: entry.preprocess === 'tf' ? [-1, 1] : [0, 255],
      // 'caffe' (ResNet50, VGG16) and 'torch' are per channel: the entry carries the mode.
      ...(entry.preprocess === 'caffe' || entry.preprocess === 'torch'
        ? { preprocess: entry.preprocess }
        : {}),
      numClasses,
      params,
      ...labelsFor(numClasses, null, featureExtractor),
      ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
    },
  );
}

/** Reads files of a tfjs folder (picked, dropped or downloaded) by their path in model.json. */
interface ShardReader {
  /** model.json's parsed content */
  modelJson: unknown;
  metadata: unknown;
  read(path: string): Promise<ArrayBuffer>;
  /** paths model.json names that are not there (checked before any reading) */
  missing(paths: string[]): string[];
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const dirnameOf = (path: string): string => path.slice(0, path.lastIndexOf('/') + 1);

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

async function parseJson(blob: Blob | Uint8Array, what: string): Promise<unknown> {
  const text = blob instanceof Blob ? await blob.text() : new TextDecoder().decode(blob);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${what} is not valid JSON.`);
  }
}

async function folderReader(files: FolderFile[]): Promise<ShardReader> {
  const normalized = files.map((f) => ({ path: normalizePath(f.path), file: f.file }));
  const models = normalized.filter((f) => basename(f.path) === 'model.json');
  if (models.length === 0) {
    const h5 = normalized.find((f) => /\.(h5|hdf5)$/i.test(f.path));
    throw new Error(
      h5
        ? `Open ${basename(h5.path)} on its own: a Keras .h5 is one file, not a folder.`
        : `There is no model.json among the ${files.length} files: a TensorFlow.js model folder holds model.json and the weight files it names.`,
    );
  }
  if (models.length > 1) {
    throw new Error(
      `There are ${models.length} model.json files (${models.map((m) => m.path).join(', ')}): open one model folder at a time.`,
    );
  }
  const model = models[0]!;
  const dir = dirnameOf(model.path);
  const find = (path: string): Blob | undefined => {
    const full = normalizePath(dir + path);
    return (
      normalized.find((f) => f.path === full)?.file ??
      // Files dropped without their folder arrive with bare names.
      normalized.find((f) => basename(f.path) === basename(path))?.file
    );
  };
  const metadataFile = find('metadata.json');
  return {
    modelJson: await parseJson(model.file, 'model.json'),
    metadata: metadataFile
      ? await parseJson(metadataFile, 'metadata.json').catch(() => null)
      : null,
    missing: (paths) => paths.filter((p) => !find(p)),
    read: async (path) => find(path)!.arrayBuffer(),
  };
}

async function urlReader(
  url: string,
  deps: ImportDeps,
  context: ImportContext,
): Promise<ShardReader> {
  const response = await download(deps, url, 'The model');
  const modelJson = await parseJson(
    await readBody(response, () => undefined, context),
    `The file at ${url}`,
  );
  let metadata: unknown = null;
  try {
    const m = await deps.fetch(new URL('metadata.json', url).href);
    if (m.ok && !(m.headers.get('content-type') ?? '').includes('text/html')) {
      metadata = (await m.json()) as unknown;
    }
  } catch {
    metadata = null; // optional
  }
  return {
    modelJson,
    metadata,
    missing: () => [],
    read: async (path) => {
      const shardUrl = new URL(path, url).href;
      const r = await download(deps, shardUrl, `The weight file ${path}`);
      const bytes = await readBody(r, () => undefined, context);
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  };
}

/** Imports a tfjs layers-model folder through `reader`, checking everything it can. */
async function importTfjsFolder(
  reader: ShardReader,
  name: string,
  source: StoredModel['source'],
  deps: ImportDeps,
  context: ImportContext,
): Promise<StoredModel> {
  const json = reader.modelJson as (Partial<tf.io.ModelJSON> & { format?: string }) | null;
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new Error('model.json has no modelTopology: it is not a TensorFlow.js model.');
  }
  if (json.format === 'graph-model') {
    throw new Error(
      'This is a TensorFlow.js graph model; only layers models (Keras models converted with tfjs) can be opened.',
    );
  }
  const manifest = json.weightsManifest ?? [];
  const paths = manifest.flatMap((group) => group.paths);
  const specs = manifest.flatMap((group) => group.weights);
  const missing = reader.missing(paths);
  if (missing.length > 0) {
    throw new Error(
      `model.json names ${missing.length === 1 ? 'a weight file' : `${missing.length} weight files`} ` +
        `that ${missing.length === 1 ? 'is' : 'are'} not among the files: ${missing.slice(0, 5).join(', ')}` +
        `${missing.length > 5 ? '…' : ''}. Open the whole folder.`,
    );
  }
  const hashes = shardHashesOf(reader.metadata);
  const expected = expectedWeightBytes(specs);
  const buffers: ArrayBuffer[] = [];
  let received = 0;
  for (const [i, path] of paths.entries()) {
    checkCancelled(context);
    const data = await reader.read(path);
    buffers.push(data);
    received += data.byteLength;
    context.progress(
      source.kind === 'url' ? 'downloading' : 'reading',
      expected ? Math.min(1, received / expected) : (i + 1) / paths.length,
      `${path} (${i + 1} of ${paths.length})`,
    );
    const hash = hashes?.get(path);
    if (hash) {
      context.progress('verifying', (i + 1) / paths.length, path);
      const sha = await sha256Hex(data);
      if (sha !== hash.sha256) {
        throw new Error(
          `${path} is corrupt: its SHA-256 is ${sha.slice(0, 12)}…, metadata.json says ${hash.sha256.slice(0, 12)}… ` +
            `(${data.byteLength} bytes, ${hash.bytes} expected).`,
        );
      }
    }
  }
  if (expected !== null && received !== expected) {
    throw new Error(
      `The weight files hold ${received.toLocaleString('en')} bytes but model.json describes ` +
        `${expected.toLocaleString('en')}: ${received < expected ? 'a weight file is truncated' : 'a weight file belongs to another model'}.`,
    );
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: buffers,
    ...(json.format ? { format: json.format } : {}),
    ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
  };
  context.progress('verifying', null, 'building the model');
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new Error(`model.json and its weights do not make a working model: ${messageOf(error)}`);
  }
  const meta = (reader.metadata ?? {}) as {
    name?: unknown;
    labels?: unknown;
    inputRange?: unknown;
  };
  const range =
    Array.isArray(meta.inputRange) &&
    meta.inputRange.length === 2 &&
    meta.inputRange.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    meta.inputRange[0] !== meta.inputRange[1]
      ? (meta.inputRange as [number, number])
      : ([-1, 1] as [number, number]);
  let fields;
  try {
    const probe: ModelEntry = {
      id: 'probe',
      name: typeof meta.name === 'string' ? meta.name : name,
      url: '',
      inputSize: null,
      inputRange: range,
      labels: { kind: 'auto' },
      labelOffset: 0,
    };
    const numClasses = numClassesOf(model, probe);
    fields = {
      name: probe.name,
      source,
      inputSize: inputSizeOf(model, probe),
      inputRange: range,
      numClasses,
      params: model.countParams(),
      ...labelsFor(numClasses, meta.labels, false),
    };
  } finally {
    model.dispose();
  }
  return storeModel(deps, context, artifacts, fields);
}

/** Runs one import from whatever source. */
export async function importModel(
  source: ImportSource,
  precision: WeightPrecision,
  deps: ImportDeps,
  context: ImportContext,
): Promise<StoredModel> {
  switch (source.kind) {
    case 'h5':
      return importKerasH5(
        source.file,
        source.name,
        precision,
        { kind: 'h5', detail: source.name },
        deps,
        context,
      );
    case 'folder':
      return importTfjsFolder(
        await folderReader(source.files),
        source.name,
        { kind: 'folder', detail: source.name },
        deps,
        context,
      );
    case 'url': {
      let url: URL;
      try {
        url = new URL(source.url);
      } catch {
        throw new Error(`“${source.url}” is not a valid address.`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`“${source.url}” is not an http(s) address.`);
      }
      const fileName = basename(url.pathname) || url.host;
      if (/\.(h5|hdf5)$/i.test(url.pathname)) {
        context.progress('downloading', 0, url.href);
        const response = await download(deps, url.href, 'The weight file');
        const bytes = await readBody(
          response,
          (received, total) =>
            context.progress('downloading', total ? received / total : null, mb(received)),
          context,
        );
        return importKerasH5(
          new Blob([bytes as Uint8Array<ArrayBuffer>]),
          decodeURIComponent(fileName),
          precision,
          { kind: 'url', detail: url.href },
          deps,
          context,
        );
      }
      context.progress('downloading', 0, url.href);
      return importTfjsFolder(
        await urlReader(url.href, deps, context),
        modelNameFromUrl(url.href),
        { kind: 'url', detail: url.href },
        deps,
        context,
      );
    }
  }
}
