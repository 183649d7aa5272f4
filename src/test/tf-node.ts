/** Test helper: TensorFlow.js on its WASM backend inside Node (fast, no native addon needed). */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** Selects the WASM backend once; later calls are no-ops. */
export async function useWasmBackend(): Promise<typeof tf> {
  if (tf.getBackend() !== 'wasm') {
    const dir = dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
    );
    setWasmPaths(`${dir}/`);
    await tf.setBackend('wasm');
    await tf.ready();
  }
  return tf;
}
