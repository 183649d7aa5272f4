/** Test helper: {@link ByteFiles} in memory. */
import type { ByteFiles } from '../inference/seam/byte-files';

/** In memory, for tests: the same contract, plus the files themselves to look at or spoil. */
export function memoryByteFiles(): ByteFiles & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    write(name, parts) {
      const total = parts.reduce((n, p) => n + p.byteLength, 0);
      const file = new Uint8Array(total);
      let at = 0;
      for (const part of parts) {
        file.set(part, at);
        at += part.byteLength;
      }
      files.set(name, file);
      return Promise.resolve();
    },
    read(name) {
      const file = files.get(name);
      return Promise.resolve(file ? file.slice().buffer : null);
    },
    remove(name) {
      files.delete(name);
      return Promise.resolve();
    },
    names: () => Promise.resolve([...files.keys()]),
  };
}
