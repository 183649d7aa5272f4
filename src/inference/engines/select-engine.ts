/**
 * The worker's engine choice after a load (engine-choice.ts with the browser's effects): convert
 * the loaded model for LiteRT.js, check it, time it against TensorFlow.js, and hand the photos to
 * the winner through the classifier's {@link EngineHost}.
 */
import type { Classifier, EngineHost } from '../classify/classifier';
import type { BackendName, EngineReport, LoadTuning } from '../protocol';
import { canUseWasmThreads, logicalCores, wasmThreadCount } from '../backends/wasm-threads';
import { chooseEngine, type EngineOutput } from './engine-choice';
import { browserEngineStore } from './engine-store';
import { startLiteRt } from './litert/litert-engine';
import { tfliteOf } from './litert/tflite-of-model';
import { browserKeptTflite } from './litert/kept-tflite';

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

/**
 * The key a choice is remembered under: this device, the backend TF.js runs on, the model (its
 * registry id and address).
 */
export function engineKey(
  model: { id: string; url: string },
  backend: BackendName,
  threads: number,
): string {
  const nav = globalThis.navigator as Navigator | undefined;
  return [
    `${model.id} ${model.url}`,
    backend,
    nav?.userAgent ?? 'unknown agent',
    `threads ${threads}`,
  ].join('\n');
}

/**
 * LiteRT.js' thread count: fixed when it compiles, one per core (as TensorFlow.js starts with),
 * or one when threads are off (?threads=off) or impossible (no cross-origin isolation).
 */
export function litertThreads(tuning: LoadTuning): { threads: number; isolated: boolean } {
  const isolated = canUseWasmThreads();
  const threads = tuning.wasmThreads === 'off' || !isolated ? 1 : wasmThreadCount(logicalCores());
  return { threads, isolated };
}

/**
 * Keeps the `.tflite` LiteRT.js was chosen with for the next visit (`kept-engine.ts` starts
 * from it), with TensorFlow.js' answer it was checked against; a failure only means the next
 * visit converts again.
 */
async function keepTflite(
  classifier: Classifier,
  host: EngineHost,
  file: Uint8Array,
  answer: EngineOutput,
): Promise<void> {
  const store = browserKeptTflite();
  if (!store || !classifier.identity) return;
  await store
    .put(classifier.info.url, classifier.identity, file, {
      answer,
      inputSize: host.inputSize,
      numClasses: classifier.info.numClasses,
      params: classifier.info.params,
      feature: host.featureSource,
    })
    .catch((error: unknown) => console.warn('the .tflite could not be kept:', error));
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
  const { threads, isolated } = litertThreads(tuning);
  const measuringFallback = (tuning.failKnownAnswer?.length ?? 0) > 0;
  // Kept for the next visit if LiteRT.js is chosen: a copy of the file (the original goes to
  // LiteRT.js' worker) and TensorFlow.js' answer in the check.
  // A file already kept for this version (a visit that could not start from it, e.g. one that
  // measured backends) is not copied and written again.
  const kept = classifier.identity && !measuringFallback ? browserKeptTflite() : null;
  const keeping =
    !!kept && !(await kept.has(classifier.info.url, classifier.identity ?? '').catch(() => false));
  let file: Uint8Array | null = null;
  let answer: EngineOutput | null = null;
  const decision = await chooseEngine(
    tuning.engine ?? 'auto',
    {
      start: async () => {
        const convert = (): Promise<Uint8Array> =>
          new Promise((resolve) => resolve(tfliteOf(host.model, host.featuresLayer)));
        const bytes = await (turn ? turn(convert) : convert());
        if (keeping) file = bytes.slice();
        return startLiteRt(bytes, { threads, isolated });
      },
      tfjs: async (input) => {
        const out = await host.infer(input);
        answer ??= out; // the first is the check's, on the known-answer input
        return out;
      },
      input: host.input(knownAnswerRgba(host.inputSize)),
      store,
      now: () => performance.now(),
      date: () => Date.now(),
      settle: () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS)),
      ...(turn ? { turn } : {}),
    },
    {
      key: measuringFallback ? null : engineKey(classifier.info, backend, threads),
      remeasure: tuning.remeasure === true,
      ...(onProgress ? { onProgress } : {}),
    },
  );
  if (!stillWanted()) {
    decision.engine?.dispose();
    return undefined;
  }
  host.use(decision.engine);
  if (decision.engine && file && answer) {
    // Written when the worker is idle, like the folded copy (the service calls it).
    const [bytes, checked] = [file, answer];
    classifier.keepEngineFile = () => {
      delete classifier.keepEngineFile;
      return keepTflite(classifier, host, bytes, checked);
    };
  } else if (decision.report.engine === 'tfjs' && classifier.identity && tuning.engine !== 'tfjs') {
    // TensorFlow.js won (or LiteRT.js failed here): a file kept earlier must not start next time.
    await browserKeptTflite()
      ?.drop(classifier.info.url)
      .catch(() => undefined);
  }
  file = null;
  return decision.report;
}
