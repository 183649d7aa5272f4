/**
 * The `export-h5` handler: reads the model (Teach's last trained one, or a stored one), decides
 * how Keras rebuilds it (`models/keras-h5-export.ts`) and writes the `.h5` with h5wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { planKerasExport } from '../../models/keras-h5-export';
import { kerasH5Bytes, type H5Writer } from '../../models/keras-h5-write';
import { exportFileName, type LibraryDeps } from '../library/handlers';
import { modelGoneMessage } from '../library/store';
import { RequestError, type Handler, type Handlers } from '../seam/handlers';
import type { KerasExportRequests } from './protocol';

/** The model Teach trained last, while it is not saved. */
export interface TrainedModel {
  model: tf.LayersModel;
  classNames: string[];
}

/** What the export needs from its surroundings (the worker's, or a test's). */
export interface KerasExportDeps {
  /** Teach's last trained model, or null */
  trained(): TrainedModel | null;
  library(): LibraryDeps;
  /** h5wasm with a file system to write into */
  writer(): Promise<H5Writer>;
}

/** `<name>.h5` from a model name (letters, digits and dashes). */
export function h5FileName(name: string): string {
  return exportFileName(name).replace(/\.tfjs\.zip$/, '.h5');
}

/** Creates the export handler over `getDeps()`. */
export function createKerasExportHandlers(
  getDeps: () => KerasExportDeps,
): Handlers<keyof KerasExportRequests> {
  const exportH5: Handler<'export-h5'> = async ({ key }, context) => {
    const deps = getDeps();
    let model: tf.LayersModel;
    let classNames: string[];
    let name: string;
    let owned = false;
    if (key === null) {
      const trained = deps.trained();
      if (!trained) {
        throw new Error(
          'There is no newly trained model to export: train one (a saved model exports from its entry).',
        );
      }
      ({ model, classNames } = trained);
      name = classNames.join(' vs ').slice(0, 60) || 'custom model';
    } else {
      const library = deps.library();
      const record = (await library.store.list()).find((r) => r.key === key);
      if (!record) throw new RequestError('model-deleted', modelGoneMessage());
      const artifacts = await library.loadArtifacts(record.entry.url);
      model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      owned = true;
      const { labels } = record.entry;
      classNames = labels.kind === 'list' ? [...labels.labels] : [];
      name = record.entry.name;
    }
    try {
      const fileName = h5FileName(name);
      const plan = await planKerasExport(model, { fileName, classNames });
      const bytes = kerasH5Bytes(await deps.writer(), plan.layers, plan.attributes);
      const buffer = bytes.buffer as ArrayBuffer;
      context.transfer(buffer);
      return {
        bytes: buffer,
        fileName,
        kind: plan.kind,
        description: plan.description,
        python: plan.python,
      };
    } finally {
      if (owned) model.dispose();
    }
  };
  return { 'export-h5': exportH5 };
}

/** h5wasm in the worker, loaded on first use (writes go to Emscripten's in-memory /tmp). */
export async function browserH5Writer(): Promise<H5Writer> {
  const h5 = await import('h5wasm');
  const { FS } = await h5.ready;
  return { File: h5.File, FS };
}
