/**
 * The model library's dependencies as the inference worker provides them: h5wasm (bundled with the
 * worker's chunks, its WebAssembly inlined, so nothing comes from another origin) reads `.h5`
 * files in place through Emscripten's WORKERFS, without copying them into memory; models are
 * kept in IndexedDB.
 */
import { openH5 } from '../../models/keras-h5';
import { loadStoredArtifacts, type LibraryDeps } from './handlers';
import type { OpenedH5 } from './import-model';
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

/** The library's dependencies in the worker: IndexedDB, h5wasm, the network and real time. */
export function browserLibraryDeps(): LibraryDeps {
  return {
    store: indexedDbModelStore(),
    openH5: openH5InWorker,
    fetch: (input, init) => fetch(input, init),
    now: () => new Date(),
    newKey: () => newModelKey(),
    loadArtifacts: loadStoredArtifacts,
  };
}
