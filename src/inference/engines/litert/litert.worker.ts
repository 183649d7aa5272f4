/// <reference lib="webworker" />
/**
 * LiteRT.js in a classic helper worker of the inference worker (see litert-messages.ts): loads
 * its runtime from our own build (never a CDN), compiles the `.tflite` the inference worker wrote
 * for XNNPACK on `threads` threads, and runs one input at a time. The threaded runtime's helper
 * threads start from LiteRT's own script, hence `mainScriptUrlOrBlob`.
 */
import { loadAndCompile, loadLiteRt, Tensor, type CompiledModel } from '@litertjs/core';
import type { LiteRtReply, LiteRtRequest } from './litert-messages';

const scope = self as unknown as DedicatedWorkerGlobalScope & { Module?: object };
let model: CompiledModel | null = null;
let shape: number[] = [];
/** the runtime loading or loaded (once per helper) */
let runtime: Promise<void> | null = null;
/** when the runtime was ready, in ms since this helper was made */
let runtimeMs = 0;

function startRuntime(script: string, wasm: string): Promise<void> {
  runtime ??= (async () => {
    scope.Module = {
      locateFile: (file: string) => (file.endsWith('.wasm') ? wasm : new URL(file, script).href),
      mainScriptUrlOrBlob: script,
    };
    // A full script path: LiteRT.js loads exactly the build we chose (threaded or not).
    await loadLiteRt(script);
    runtimeMs = performance.now();
  })();
  return runtime;
}

const post = (reply: LiteRtReply, transfer: Transferable[] = []): void =>
  scope.postMessage(reply, transfer);

scope.onmessage = async (event: MessageEvent<LiteRtRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'runtime') {
      // A failure here is reported by the 'load' that follows (it awaits the same promise).
      await startRuntime(request.script, request.wasm).catch(() => undefined);
      return;
    }
    if (request.type === 'load') {
      await startRuntime(request.script, request.wasm);
      const start = performance.now();
      model = await loadAndCompile(request.model, {
        accelerator: 'wasm',
        cpuOptions: { numThreads: request.threads },
      });
      const input = model.getInputDetails()[0];
      shape = input ? [...input.shape] : [];
      post({
        type: 'loaded',
        threads: request.threads,
        runtimeMs,
        compileMs: performance.now() - start,
      });
      return;
    }
    if (!model) throw new Error('LiteRT.js has no model');
    // The tensor is a copy in LiteRT.js' heap; the input's buffer goes back with the answer.
    const input = new Tensor(request.input, shape);
    let outputs: Tensor[] = [];
    try {
      outputs = await model.run(input);
      const arrays = outputs.map((t) => new Float32Array(t.toTypedArray() as Float32Array));
      post({ type: 'result', id: request.id, outputs: arrays, input: request.input }, [
        ...arrays.map((a) => a.buffer),
        request.input.buffer,
      ]);
    } finally {
      input.delete();
      for (const t of outputs) t.delete();
    }
  } catch (error) {
    // A run that failed before it was answered still hands its buffer back (not detached: length > 0).
    const input = request.type === 'run' && request.input.length > 0 ? request.input : null;
    post(
      {
        type: 'error',
        ...(request.type === 'run' ? { id: request.id } : {}),
        ...(input ? { input } : {}),
        message: error instanceof Error ? error.message : String(error),
      },
      input ? [input.buffer] : [],
    );
  }
};
