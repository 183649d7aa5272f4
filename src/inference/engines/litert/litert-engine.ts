/**
 * LiteRT.js as a {@link PhotoEngine} of the inference worker: the loaded model (its TensorFlow.js
 * inference form, batch norm folded) is written as a `.tflite` here, handed to a helper worker
 * (litert.worker.ts) that compiles it for XNNPACK, and each photo's input goes there and back.
 *
 * Memory: reading the weights out of TensorFlow.js and writing the file briefly hold two float32
 * copies in this worker (the graph's arrays, released as the file is written, and the file);
 * the file is then transferred to the helper, which keeps LiteRT's own copy in its WASM memory
 * for as long as LiteRT.js is the engine. Nothing of it stays in this worker.
 */
// The runtimes come from our own origin (emitted into the build, precached), never a CDN. Only
// the relaxed-SIMD builds: where relaxed SIMD is missing, TensorFlow.js stays the engine.
import threadedScript from '@litertjs/core/wasm/litert_wasm_threaded_internal.js?url';
import threadedWasm from '@litertjs/core/wasm/litert_wasm_threaded_internal.wasm?url';
import plainScript from '@litertjs/core/wasm/litert_wasm_internal.js?url';
import plainWasm from '@litertjs/core/wasm/litert_wasm_internal.wasm?url';
import type { EngineOutput, PhotoEngine } from '../engine-choice';
import type { LiteRtReply, LiteRtRequest } from './litert-messages';

/** The LiteRT.js version we ship (package.json pins it). */
export const LITERT_VERSION = '2.5.3';

/** How long LiteRT.js may take to start and compile InceptionV3 before it counts as failed. */
const START_TIMEOUT_MS = 120_000;

/** Options of {@link startLiteRt}. */
export interface LiteRtOptions {
  threads: number;
  /** whether the helper may use threads (cross-origin isolated, SharedArrayBuffer) */
  isolated: boolean;
}

/**
 * Starts LiteRT.js on `file` (transferred: the caller's copy is gone afterwards). The runtime
 * starts loading at once; `file` may still be on its way (a promise: read from storage), and
 * its failure fails the start.
 */
export async function startLiteRt(
  file: Uint8Array | Promise<Uint8Array>,
  options: LiteRtOptions,
): Promise<PhotoEngine> {
  const threaded = options.isolated && options.threads > 1;
  const threads = threaded ? options.threads : 1;
  const worker = new Worker(new URL('./litert.worker.ts', import.meta.url), { name: 'litert' });
  const waiting = new Map<number, (reply: LiteRtReply) => void>();
  let onLoad: ((reply: LiteRtReply) => void) | null = null;
  let dead: string | null = null;
  const failAll = (message: string): void => {
    dead = message;
    const reply: LiteRtReply = { type: 'error', message };
    onLoad?.(reply);
    for (const w of waiting.values()) w(reply);
    waiting.clear();
  };
  worker.onmessage = (event: MessageEvent<LiteRtReply>) => {
    const reply = event.data;
    if (reply.type === 'loaded' || (reply.type === 'error' && reply.id === undefined)) {
      onLoad?.(reply);
    } else if (reply.id !== undefined) {
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    failAll(event.message || 'the LiteRT.js worker failed');
  };

  const absolute = (url: string): string => new URL(url, self.location.href).href;
  const script = absolute(threaded ? threadedScript : plainScript);
  const wasm = absolute(threaded ? threadedWasm : plainWasm);
  worker.postMessage({ type: 'runtime', script, wasm } satisfies LiteRtRequest);
  let bytes: Uint8Array;
  try {
    // The view travels with its whole buffer (the writer's slack included): no copy is made.
    bytes = await file;
  } catch (error) {
    worker.terminate();
    throw error;
  }
  const request: LiteRtRequest = { type: 'load', model: bytes, threads, script, wasm };
  const loaded = await new Promise<LiteRtReply>((resolve) => {
    const timer = setTimeout(
      () => resolve({ type: 'error', message: `no answer within ${START_TIMEOUT_MS / 1000} s` }),
      START_TIMEOUT_MS,
    );
    onLoad = (reply) => {
      clearTimeout(timer);
      resolve(reply);
    };
    worker.postMessage(request, [bytes.buffer]);
  });
  onLoad = null;
  if (loaded.type !== 'loaded') {
    worker.terminate();
    throw new Error(loaded.type === 'error' ? loaded.message : 'LiteRT.js did not load');
  }

  let next = 1;
  /**
   * Input buffers between runs. Each run's input is copied into one (under 1 ms) and transferred
   * to the helper, which hands it back with the answer: no photo makes a new 1 MB array or a
   * structured clone of one (in Chromium on the 2-core machines, 5–8 ms and ≈ 12 ms a photo,
   * the pages being new to the process). Two photos in flight use two.
   */
  const spare: Float32Array[] = [];
  return {
    name: 'litert',
    threads: loaded.threads,
    started: { runtimeMs: loaded.runtimeMs, compileMs: loaded.compileMs },
    detail: `LiteRT.js ${LITERT_VERSION} (XNNPACK, ${loaded.threads} thread${loaded.threads === 1 ? '' : 's'})`,
    async run(input: Float32Array): Promise<EngineOutput> {
      if (dead) throw new Error(dead);
      const id = next++;
      // Copied into a buffer of ours, so the caller's input is free once this returns (and
      // TensorFlow.js can still run it if LiteRT.js fails).
      let sent = spare.pop();
      if (sent?.length !== input.length) sent = new Float32Array(input.length);
      sent.set(input);
      const reply = await new Promise<LiteRtReply>((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ type: 'run', id, input: sent } satisfies LiteRtRequest, [sent.buffer]);
      });
      if ((reply.type === 'result' || reply.type === 'error') && reply.input) {
        spare.push(reply.input);
      }
      if (reply.type === 'error') throw new Error(`LiteRT.js: ${reply.message}`);
      if (reply.type !== 'result' || !reply.outputs[0]) throw new Error('LiteRT.js: no output');
      return { probs: reply.outputs[0], features: reply.outputs[1] ?? null };
    },
    dispose() {
      failAll('LiteRT.js was closed');
      worker.terminate();
    },
  };
}
