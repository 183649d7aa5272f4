/**
 * LiteRT.js (`@litertjs/core`) behind the bench's peer protocol, in a classic worker: LiteRT
 * loads its Emscripten script with `importScripts`. Threads need relaxed SIMD; its helper threads
 * must start from LiteRT's own script, not this worker's, hence `mainScriptUrlOrBlob`.
 */
import { loadAndCompile, loadLiteRt, Tensor, type CompiledModel } from '@litertjs/core';
import { toInput, type PeerReply, type PeerRequest } from './peer-protocol';

let model: CompiledModel | null = null;
const post = (reply: PeerReply, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = async (event: MessageEvent<PeerRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'load') {
      const start = performance.now();
      const dir = new URL(request.assetsUrl, self.location.href).href;
      const threaded = request.threads > 1;
      (self as unknown as { Module: object }).Module = {
        locateFile: (file: string) => dir + file,
        ...(threaded ? { mainScriptUrlOrBlob: `${dir}litert_wasm_threaded_internal.js` } : {}),
      };
      await loadLiteRt(dir, { threads: threaded });
      const compileOptions = {
        accelerator: 'wasm' as const,
        cpuOptions: { numThreads: request.threads },
      };
      model = await loadAndCompile(
        new URL(request.modelUrl, self.location.href).href,
        compileOptions,
      );
      post({
        type: 'loaded',
        threads: request.threads,
        ms: performance.now() - start,
        detail: `LiteRT.js, XNNPACK, ${threaded ? 'threaded relaxed-SIMD build' : 'single-thread build'}`,
      });
      return;
    }
    if (!model) throw new Error('LiteRT: no model loaded');
    const start = performance.now();
    const input = new Tensor(toInput(request.pixels, request.width, request.height), [
      1,
      request.height,
      request.width,
      3,
    ]);
    const outputs = await model.run(input);
    input.delete();
    const out = outputs[0];
    if (!out) throw new Error('LiteRT: no output');
    const probs = new Float32Array(out.toTypedArray() as Float32Array);
    for (const t of outputs) t.delete();
    post({ type: 'result', id: request.id, probs, ms: performance.now() - start }, [probs.buffer]);
  } catch (error) {
    post({
      type: 'error',
      ...(request.type === 'run' ? { id: request.id } : {}),
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
