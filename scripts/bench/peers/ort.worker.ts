/**
 * onnxruntime-web (WASM execution provider, threads) behind the bench's peer protocol. Its
 * `.mjs`/`.wasm` files are served from `assetsUrl`; ORT starts with one thread unless
 * `env.wasm.numThreads` says otherwise.
 */
import * as ort from 'onnxruntime-web/wasm';
import { toInput, type PeerReply, type PeerRequest } from './peer-protocol';

let session: ort.InferenceSession | null = null;
const post = (reply: PeerReply, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = async (event: MessageEvent<PeerRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'load') {
      const start = performance.now();
      ort.env.wasm.numThreads = request.threads;
      ort.env.wasm.wasmPaths = new URL(request.assetsUrl, self.location.href).href;
      ort.env.wasm.proxy = false;
      const bytes = new Uint8Array(await (await fetch(request.modelUrl)).arrayBuffer());
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      });
      post({
        type: 'loaded',
        threads: request.threads,
        ms: performance.now() - start,
        detail: `onnxruntime-web ${ort.env.versions.web ?? ''} WASM EP`,
      });
      return;
    }
    if (!session) throw new Error('ORT: no model loaded');
    const start = performance.now();
    const input = new ort.Tensor(
      'float32',
      toInput(request.pixels, request.width, request.height),
      [1, request.height, request.width, 3],
    );
    const inputName = session.inputNames[0] as string;
    const outputs = await session.run({ [inputName]: input });
    const out = outputs[session.outputNames[0] as string];
    if (!out) throw new Error('ORT: no output');
    const probs = new Float32Array(out.data as Float32Array);
    input.dispose();
    out.dispose();
    post({ type: 'result', id: request.id, probs, ms: performance.now() - start }, [probs.buffer]);
  } catch (error) {
    post({
      type: 'error',
      ...(request.type === 'run' ? { id: request.id } : {}),
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
