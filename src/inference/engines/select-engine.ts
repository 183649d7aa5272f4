/**
 * The worker's engine choice after a load (engine-choice.ts with the browser's effects): convert
 * the loaded model for LiteRT.js, check it, time it against TensorFlow.js, and hand the photos to
 * the winner through the classifier's {@link EngineHost}.
 */
import type { Classifier, EngineHost } from '../classify/classifier';
import type { BackendName, EngineReport, LoadTuning } from '../protocol';
import { canUseWasmThreads, wasmThreadCount } from '../backends/wasm-threads';
import { chooseEngine } from './engine-choice';
import { browserEngineStore } from './engine-store';
import { startLiteRt } from './litert/litert-engine';
import { tfliteOf } from './litert/tflite-of-model';

const store = browserEngineStore();

/** Idle time before each timed run of the engine choice (see `EngineChoiceDeps.settle`). */
const SETTLE_MS = 100;

/** A fixed, photo-like RGBA pattern (smooth gradients plus a little deterministic noise). */
export function knownAnswerRgba(size: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  let seed = 12345;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) & 31;
      const i = (y * size + x) * 4;
      rgba[i] = ((x * 255) / size + noise) & 255;
      rgba[i + 1] = ((y * 255) / size + noise) & 255;
      rgba[i + 2] = (((x + y) * 127) / size + noise) & 255;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

/** The key a choice is remembered under: this device, the backend TF.js runs on, the model. */
function engineKey(classifier: Classifier, backend: BackendName, threads: number): string {
  const nav = globalThis.navigator as Navigator | undefined;
  return [
    `${classifier.info.id} ${classifier.info.url}`,
    backend,
    nav?.userAgent ?? 'unknown agent',
    `threads ${threads}`,
  ].join('\n');
}

/**
 * Picks the photo engine for a freshly loaded, warm classifier on `backend` and installs it.
 * Returns the report, or undefined when the classifier offers no seam (fakes). `turn`: runs each
 * step that uses the worker's models (the conversion, the check, the timed runs) when photos
 * leave it the worker, for a choice made after the first photos; LiteRT.js compiles meanwhile
 * in its own worker. When `stillWanted` turns false (another model was loaded) the engine is
 * not installed and is freed.
 */
export async function selectEngine(
  classifier: Classifier,
  backend: BackendName,
  tuning: LoadTuning,
  onProgress?: (fraction: number) => void,
  turn?: <T>(step: () => Promise<T>) => Promise<T>,
  stillWanted: () => boolean = () => true,
): Promise<EngineReport | undefined> {
  const host: EngineHost | undefined = classifier.engineHost;
  if (!host) return undefined;
  host.use(null);
  // LiteRT.js runs on the CPU (WebAssembly): it competes with TensorFlow.js' WebAssembly path only.
  // On a GPU backend the backend choice has already measured GPU against WebAssembly; starting a
  // second WebAssembly engine there would take photos off the GPU the user (or the measurement)
  // chose, and on SwiftShader it cost the WebGPU device its life.
  if (backend !== 'wasm') {
    return {
      engine: 'tfjs',
      detail: `TensorFlow.js on ${backend}: LiteRT.js is compared only when photos run on WebAssembly.`,
    };
  }
  const isolated = canUseWasmThreads();
  // LiteRT.js' threads are fixed when it compiles: one per core, as TensorFlow.js starts with,
  // or one when threads are off (?threads=off) or impossible (no cross-origin isolation).
  const threads =
    tuning.wasmThreads === 'off' || !isolated ? 1 : wasmThreadCount(navigator.hardwareConcurrency);
  const measuringFallback = (tuning.failKnownAnswer?.length ?? 0) > 0;
  const decision = await chooseEngine(
    tuning.engine ?? 'auto',
    {
      start: async () => {
        const convert = (): Promise<Uint8Array> =>
          new Promise((resolve) => resolve(tfliteOf(host.model, host.featuresLayer)));
        return startLiteRt(await (turn ? turn(convert) : convert()), { threads, isolated });
      },
      tfjs: (input) => host.infer(input),
      input: host.input(knownAnswerRgba(host.inputSize)),
      store,
      now: () => performance.now(),
      date: () => Date.now(),
      settle: () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS)),
      ...(turn ? { turn } : {}),
    },
    {
      key: measuringFallback ? null : engineKey(classifier, backend, threads),
      remeasure: tuning.remeasure === true,
      ...(onProgress ? { onProgress } : {}),
    },
  );
  if (!stillWanted()) {
    decision.engine?.dispose();
    return undefined;
  }
  host.use(decision.engine);
  return decision.report;
}
