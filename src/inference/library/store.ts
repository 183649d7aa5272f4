/**
 * Models kept in this browser. The weights and topology go through TensorFlow.js' own IndexedDB
 * handler (`indexeddb://inception-lens/<key>`, which `tf.loadLayersModel` reads back, quantised
 * weights included); a small record per model (name, source, size, labels…) lives in a database
 * of ours, so the library can be listed without loading any model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { messageOf } from '../../lib/message-of';
import { RequestError } from '../seam/handlers';
import { idbRequest, openIdb, transactionDone } from '../seam/idb';
import type { StoredModel } from './protocol';

/** Where the library keeps models; tests use {@link memoryModelStore}. */
export interface ModelStore {
  /** newest first */
  list(): Promise<StoredModel[]>;
  /** stores the artifacts at `record.entry.url`, then the record; all or nothing */
  put(record: StoredModel, artifacts: tf.io.ModelArtifacts): Promise<void>;
  /** replaces the record of a stored model (e.g. its name), leaving its weights alone */
  update(record: StoredModel): Promise<void>;
  remove(key: string): Promise<void>;
}

/** What the page reads when a stored model is gone (named when the name is known). */
export function modelGoneMessage(name = 'That model'): string {
  return `${name} is no longer stored in this browser (its site data was cleared or it was deleted).`;
}

/** True when `error` says a stored model is gone: our coded error, or TensorFlow.js' loader's. */
export function isStoredModelGone(error: unknown): boolean {
  if (error instanceof RequestError) return error.code === 'model-deleted';
  // TensorFlow.js' IndexedDB handler says so only in English ("Cannot find model with path …"):
  // the one text check left, for an error that is not ours.
  return /cannot find model/i.test(messageOf(error));
}

/** Prefix of stored models' URLs. */
export const STORED_MODEL_PREFIX = 'indexeddb://inception-lens/';

/** The `indexeddb://` URL of a stored model. */
export function storedModelUrl(key: string): string {
  return `${STORED_MODEL_PREFIX}${key}`;
}

/** The registry entry of the model stored under `key`: loads it from IndexedDB by id `stored:<key>`. */
export function storedEntry(
  key: string,
  fields: Pick<
    ModelEntry,
    'name' | 'inputSize' | 'inputRange' | 'labels' | 'labelOffset' | 'preprocess'
  >,
): ModelEntry {
  return { id: `stored:${key}`, url: storedModelUrl(key), ...fields };
}

/** A fresh key: time-ordered, unique enough for one browser. */
export function newModelKey(now = Date.now()): string {
  return `m${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/** The precision of a set of weight specs, as the library shows it. */
export function precisionOf(specs: readonly tf.io.WeightsManifestEntry[]): string {
  const kinds = new Set(
    specs.filter((s) => s.dtype === 'float32').map((s) => s.quantization?.dtype ?? 'float32'),
  );
  return kinds.size === 1 ? [...kinds][0]! : kinds.size === 0 ? 'float32' : 'mixed';
}

/** Bytes of some weight data (one buffer or several). */
export function weightBytesOf(data: tf.io.WeightData | undefined): number {
  if (data === undefined) return 0;
  return Array.isArray(data) ? data.reduce((a, b) => a + b.byteLength, 0) : data.byteLength;
}

/** What a model made in Teach (trained, or an import of a Teach package) is stored with. */
export interface LabelledModelFields {
  name: string;
  labels: string[];
  inputSize: number;
  inputRange: [number, number];
  /** Keras' per-channel `preprocess_input` the model needs (a ResNet50 or VGG16 base), if any */
  preprocess?: 'caffe' | 'torch';
  params: number;
  /** how it was made, shown in the library */
  detail: string;
  note?: string;
}

/**
 * Stores a model with its class names under `key`; the names, labels and input range also go
 * into the artifacts' metadata, so an export carries them. Returns the record.
 */
export async function storeLabelledModel(
  store: ModelStore,
  key: string,
  artifacts: tf.io.ModelArtifacts,
  fields: LabelledModelFields,
  created: Date,
): Promise<StoredModel> {
  const { name, labels, inputRange, preprocess } = fields;
  const record: StoredModel = {
    key,
    entry: storedEntry(key, {
      name,
      inputSize: fields.inputSize,
      inputRange,
      labels: { kind: 'list', labels },
      labelOffset: 0,
      ...(preprocess ? { preprocess } : {}),
    }),
    source: { kind: 'trained', detail: fields.detail },
    bytes: weightBytesOf(artifacts.weightData),
    precision: precisionOf(artifacts.weightSpecs ?? []),
    params: fields.params,
    numClasses: labels.length,
    created: created.toISOString(),
    ...(fields.note ? { note: fields.note } : {}),
  };
  await store.put(record, {
    ...artifacts,
    userDefinedMetadata: {
      ...(artifacts.userDefinedMetadata ?? {}),
      name,
      labels,
      inputRange,
      ...(preprocess ? { preprocess } : {}),
    },
  });
  return record;
}

const byNewest = (a: StoredModel, b: StoredModel): number => b.created.localeCompare(a.created);

const DB_NAME = 'inception-lens-library';
const STORE = 'models';

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  return openIdb(factory, DB_NAME, STORE, { keyPath: 'key' });
}

async function withStore<T>(
  factory: IDBFactory,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb(factory);
  try {
    const tx = db.transaction(STORE, mode);
    const result = await idbRequest(body(tx.objectStore(STORE)));
    await transactionDone(tx);
    return result;
  } finally {
    db.close();
  }
}

/** Says plainly when the browser refused the space. */
function explainStorageError(error: unknown): Error {
  const name = (error as { name?: string } | null)?.name;
  const message = messageOf(error);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return new RequestError(
      'storage-full',
      'This browser has no room left to keep the model (storage quota exceeded). Delete a stored model, or store it as float16/uint8.',
    );
  }
  return new Error(`The model could not be stored in this browser: ${message}`);
}

/** The library in IndexedDB (page or worker). */
export function indexedDbModelStore(factory: IDBFactory = indexedDB): ModelStore {
  return {
    async list() {
      const all = await withStore(
        factory,
        'readonly',
        (s) => s.getAll() as IDBRequest<StoredModel[]>,
      );
      return all.sort(byNewest);
    },
    async put(record, artifacts) {
      try {
        const handler = tf.io.getSaveHandlers(record.entry.url)[0];
        if (!handler?.save) throw new Error('this browser offers no IndexedDB');
        await handler.save(artifacts);
      } catch (error) {
        throw explainStorageError(error);
      }
      try {
        await withStore(factory, 'readwrite', (s) => s.put(record));
      } catch (error) {
        await tf.io.removeModel(record.entry.url).catch(() => undefined);
        throw explainStorageError(error);
      }
    },
    async update(record) {
      // Only a record that is still there (a delete elsewhere must not be undone by a rename).
      const db = await openDb(factory);
      try {
        const tx = db.transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        const found = await idbRequest(store.count(record.key));
        if (found === 0) {
          tx.abort();
          throw new RequestError('model-deleted', modelGoneMessage());
        }
        store.put(record);
        await transactionDone(tx);
      } finally {
        db.close();
      }
    },
    async remove(key) {
      // Weights first: a record without weights would list a model that cannot load.
      await tf.io.removeModel(storedModelUrl(key)).catch(() => undefined);
      await withStore(factory, 'readwrite', (s) => s.delete(key));
    },
  };
}

/** An in-memory store with the same behaviour, for tests. */
export function memoryModelStore(): ModelStore & {
  artifacts: Map<string, tf.io.ModelArtifacts>;
} {
  const records = new Map<string, StoredModel>();
  const artifacts = new Map<string, tf.io.ModelArtifacts>();
  return {
    artifacts,
    list: () => Promise.resolve([...records.values()].sort(byNewest)),
    put(record, a) {
      artifacts.set(record.key, a);
      records.set(record.key, record);
      return Promise.resolve();
    },
    update(record) {
      if (!records.has(record.key)) return Promise.reject(new Error(`no model ${record.key}`));
      records.set(record.key, record);
      return Promise.resolve();
    },
    remove(key) {
      artifacts.delete(key);
      records.delete(key);
      return Promise.resolve();
    },
  };
}
