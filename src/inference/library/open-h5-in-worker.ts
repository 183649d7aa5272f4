/**
 * The model library's handlers as the inference worker runs them: h5wasm (bundled with the
 * worker's chunks, its WebAssembly inlined, so nothing comes from another origin) reads `.h5`
 * files in place through Emscripten's WORKERFS, without copying them into memory; models are
 * kept in IndexedDB.
 */
import { openH5 } from '../../models/keras-h5';
import { createModelLibraryFeatures, type ImportDeps, type OpenedH5 } from './import-model';
import { indexedDbModelStore, newModelKey } from './store';

let mounts = 0;

/** Mounts `blob` read-only (WORKERFS reads slices on demand) and opens it with h5wasm. */
async function openH5InWorker(blob: Blob, name: string): Promise<OpenedH5> {
  // Loaded on first use: the HDF5 library is ~4 MB and only needed for .h5 imports.
  const h5 = await import('h5wasm');
  const { FS } = await h5.ready;
  const dir = `/lens-import-${++mounts}`;
  FS.mkdir(dir);
  // WORKERFS reads the blob in slices on demand (FileReaderSync): no copy into WASM memory.
  const { WORKERFS } = FS.filesystems as { WORKERFS: typeof FS };
  FS.mount(WORKERFS, { blobs: [{ name: 'weights.h5', data: blob }] }, dir);
  const release = (): void => {
    FS.unmount(dir);
    FS.rmdir(dir);
  };
  try {
    const file = openH5(h5, `${dir}/weights.h5`, name);
    return {
      file,
      close: () => {
        file.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

let deps: ImportDeps | null = null;

/** `import-model`, `list-models` and `delete-model` for the worker's InferenceService. */
export const modelLibraryFeatures = createModelLibraryFeatures(
  () =>
    (deps ??= {
      store: indexedDbModelStore(),
      openH5: openH5InWorker,
      fetch: (input, init) => fetch(input, init),
      now: () => new Date(),
      newKey: () => newModelKey(),
    }),
);
