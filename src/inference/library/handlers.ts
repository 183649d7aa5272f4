/**
 * The model library's handlers: one vocabulary (list, import, rename, delete, export) for every
 * model kept in this browser, whether the Models view imported it or Teach made it.
 */
import { messageOf } from '../../lib/message-of';
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../models/registry';
import { inputSizeOf, numClassesOf } from '../classify/classifier';
import type { LibraryRequests } from '../protocol';
import { RequestError, type Handler, type Handlers } from '../seam/handlers';
import { importModel, type ImportDeps } from './import-model';
import type { StoredModel } from './protocol';
import {
  isStoredModelGone,
  modelGoneMessage,
  storeLabelledModel,
  storedModelUrl,
  type LabelledModelFields,
} from './store';
import { packModel, unpackModel } from './transfer-package';

/** What the library needs from its surroundings (the worker's, or a test's). */
export interface LibraryDeps extends ImportDeps {
  /** the artifacts of a stored model, by its `indexeddb://` URL */
  loadArtifacts(url: string): Promise<tf.io.ModelArtifacts>;
}

/** A file name for an export: letters, digits and dashes. */
export function exportFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .toLowerCase()
    .slice(0, 60);
  return `${slug || 'custom-model'}.tfjs.zip`;
}

/** A throwaway entry so the classifier helpers can name the model in their errors. */
export function namedEntry(name: string): ModelEntry {
  return {
    id: 'teach',
    name,
    url: '',
    inputSize: null,
    inputRange: [-1, 1],
    labels: { kind: 'auto' },
    labelOffset: 0,
  };
}

/** The stored model under `key`, or a coded error when it is gone. */
async function findStored(deps: LibraryDeps, key: string): Promise<StoredModel> {
  const record = (await deps.store.list()).find((r) => r.key === key);
  if (!record) throw new RequestError('model-deleted', modelGoneMessage());
  return record;
}

/** Creates the library's handlers over `getDeps()` (made on first use). */
export function createLibraryHandlers(getDeps: () => LibraryDeps): Handlers<keyof LibraryRequests> {
  const list: Handler<'library-list'> = async () => ({ models: await getDeps().store.list() });

  const importOne: Handler<'library-import'> = async ({ source, precision }, context) => {
    const deps = getDeps();
    let last = { stage: '', fraction: -1, at: 0 };
    // A cancelled import throws ImportCancelled; the service answers 'cancelled'.
    const model = await importModel(source, precision, deps, {
      isCancelled: () => context.isCancelled(),
      progress: (stage, fraction, detail) => {
        // At most ~1 message per percent per stage: progress must not flood the page.
        const now = Date.now();
        if (
          stage === last.stage &&
          fraction !== null &&
          fraction < 1 &&
          fraction - last.fraction < 0.01 &&
          now - last.at < 250
        ) {
          return;
        }
        last = { stage, fraction: fraction ?? -1, at: now };
        context.progress({ stage, fraction, ...(detail ? { detail } : {}) });
      },
    });
    return { model, models: await deps.store.list() };
  };

  const importPackage: Handler<'library-import-package'> = async ({ bytes, fileName }, context) => {
    const deps = getDeps();
    const fallback = fileName.replace(/(\.tfjs)?\.zip$/i, '') || 'imported model';
    const { artifacts, metadata } = await unpackModel(new Uint8Array(bytes), fallback);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new Error(
        `the file's model.json and weights do not make a working model: ${messageOf(error)}`,
      );
    }
    let fields: LabelledModelFields;
    try {
      const entry = namedEntry(metadata.name);
      const numClasses = numClassesOf(model, entry);
      if (numClasses !== metadata.labels.length) {
        throw new Error(
          `the model has ${numClasses} outputs but the file names ${metadata.labels.length} classes`,
        );
      }
      fields = {
        name: metadata.name,
        labels: metadata.labels,
        inputSize: inputSizeOf(model, entry),
        inputRange: metadata.inputRange,
        ...(metadata.preprocess ? { preprocess: metadata.preprocess } : {}),
        params: model.countParams(),
        detail: `imported in Teach from ${fileName}`,
      };
    } finally {
      model.dispose();
    }
    if (context.isCancelled()) throw new Error('cancelled');
    const key = deps.newKey();
    return { model: await storeLabelledModel(deps.store, key, artifacts, fields, deps.now()) };
  };

  const rename: Handler<'library-rename'> = async ({ key, name }) => {
    const clean = name.trim();
    if (!clean) throw new Error('Give the model a name.');
    const deps = getDeps();
    const record = await findStored(deps, key);
    // Only the record changes: the name shown, used and exported is the record's.
    const updated: StoredModel = { ...record, entry: { ...record.entry, name: clean } };
    await deps.store.update(updated);
    return { model: updated };
  };

  const remove: Handler<'library-delete'> = async ({ key }) => {
    const { store } = getDeps();
    await store.remove(key);
    return { models: await store.list() };
  };

  const exportOne: Handler<'library-export'> = async ({ key }, context) => {
    const deps = getDeps();
    const record = await findStored(deps, key);
    const name = record.entry.name;
    const artifacts = await deps.loadArtifacts(storedModelUrl(key));
    const meta = (artifacts.userDefinedMetadata ?? {}) as {
      labels?: unknown;
      inputRange?: unknown;
      preprocess?: unknown;
    };
    const labels = Array.isArray(meta.labels) ? (meta.labels as string[]) : null;
    if (!labels)
      throw new Error(`${name} has no class names stored with it, so it cannot be exported.`);
    const inputRange = (Array.isArray(meta.inputRange) ? meta.inputRange : [-1, 1]) as [
      number,
      number,
    ];
    const preprocess =
      meta.preprocess === 'caffe' || meta.preprocess === 'torch' ? meta.preprocess : null;
    const zip = packModel({
      artifacts,
      metadata: { name, labels, inputRange, ...(preprocess ? { preprocess } : {}) },
    });
    if (context.isCancelled()) throw new Error('cancelled');
    const bytes = zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
    // The zip can be the size of the model: moved to the page, not copied.
    context.transfer(bytes);
    return { bytes, fileName: exportFileName(name) };
  };

  return {
    'library-list': list,
    'library-import': importOne,
    'library-import-package': importPackage,
    'library-rename': rename,
    'library-delete': remove,
    'library-export': exportOne,
  };
}

/** Reads a stored model's artifacts through TensorFlow.js' IndexedDB handler. */
export async function loadStoredArtifacts(url: string): Promise<tf.io.ModelArtifacts> {
  const handler = tf.io.getLoadHandlers(url)[0];
  if (!handler?.load) throw new Error(`${url} cannot be read in this browser`);
  try {
    return await handler.load();
  } catch (error) {
    if (isStoredModelGone(error)) {
      throw new RequestError('model-deleted', modelGoneMessage());
    }
    throw error;
  }
}
