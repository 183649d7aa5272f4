/**
 * A return visit that starts photos on LiteRT.js straight from the `.tflite` an earlier visit
 * kept (`litert/kept-tflite.ts`), without building TensorFlow.js' model first.
 *
 * When it applies: LiteRT.js was chosen for this model here before (measured and remembered, or
 * forced with `?engine=litert`), its file is kept for this version of the model's files, and the
 * load settles on WebAssembly without measuring backends. Then step 1 of the load stops after
 * `model.json` (`PrepareOptions.keptEngine`), and instead of reading the folded copy, building
 * the TF.js model and warming it up, the load reads the kept file, starts LiteRT.js on it and
 * checks it: on the known-answer input it must give TensorFlow.js' answer kept with the file
 * (within the engine check's 1e-4). That check is its warm-up.
 *
 * TensorFlow.js' model is built the first time something needs it (a photo at another size,
 * LiteRT.js failing on a photo, Inspect, Grad-CAM, Teach): from the folded copy, as a load would.
 * Anything that goes wrong before `ready` (no file, LiteRT.js does not start, a different answer)
 * gives the usual load; a file that answers differently is dropped.
 */
import type { ModelEntry } from '../../models/registry';
import { answerOf, checkRgba, type Classifier, type PhotoRun } from '../classify/classifier';
import type { StartupClock, PreparedModel } from '../classify/inference-model';
import { resolveLabels, type ResolvedLabels } from '../classify/labels';
import { inputMaker, modelInputPixels } from '../classify/model-input';
import type { EngineReport, LoadTuning, LoadedModelInfo } from '../protocol';
import {
  ENGINE_TOLERANCE,
  outputDiff,
  rememberedEngineValid,
  type EngineStore,
  type PhotoEngine,
} from './engine-choice';
import { browserEngineStore } from './engine-store';
import { browserKeptTflite, type KeptTfliteMeta, type KeptTfliteStore } from './litert/kept-tflite';
import { startLiteRt, type LiteRtOptions } from './litert/litert-engine';
import { engineKey, knownAnswerRgba, litertThreads } from './select-engine';

/** The effects a kept start needs (the browser's by default; fakes in tests). */
export interface KeptEngineDeps {
  kept: KeptTfliteStore | null;
  remembered: EngineStore;
  startEngine(file: Uint8Array | Promise<Uint8Array>, options: LiteRtOptions): Promise<PhotoEngine>;
  threads(tuning: LoadTuning): LiteRtOptions;
  now(): number;
  date(): number;
}

let browserDeps: KeptEngineDeps | null = null;

function defaultDeps(): KeptEngineDeps {
  browserDeps ??= {
    kept: browserKeptTflite(),
    remembered: browserEngineStore(),
    startEngine: startLiteRt,
    threads: litertThreads,
    now: () => performance.now(),
    date: () => Date.now(),
  };
  return browserDeps;
}

/** The remembered choice that lets an automatic load start on the kept file, if any. */
async function rememberedLiteRt(
  entry: ModelEntry,
  tuning: LoadTuning,
  deps: KeptEngineDeps,
): Promise<{ tfjsMs: number; litertMs: number } | null> {
  const key = engineKey(entry, 'wasm', deps.threads(tuning).threads);
  const remembered = await deps.remembered.get(key).catch(() => null);
  return rememberedEngineValid(remembered, deps.date()) && remembered.engine === 'litert'
    ? remembered
    : null;
}

/**
 * Step 1's question (`PrepareOptions.keptEngine`): may a load of `entry`, whose files are at
 * version `identity`, start on a kept `.tflite`? Reads records only, never the file.
 */
export async function keptEngineUsable(
  entry: ModelEntry,
  identity: string,
  tuning: LoadTuning,
  deps: KeptEngineDeps = defaultDeps(),
): Promise<boolean> {
  const choice = tuning.engine ?? 'auto';
  if (!deps.kept || choice === 'tfjs' || tuning.remeasure) return false;
  if ((tuning.failKnownAnswer?.length ?? 0) > 0) return false;
  if (choice === 'auto' && !(await rememberedLiteRt(entry, tuning, deps))) return false;
  return deps.kept.has(entry.url, identity);
}

/** What {@link engineFirstClassifier} is made of. */
export interface EngineFirst {
  entry: ModelEntry;
  labels: ResolvedLabels;
  meta: KeptTfliteMeta;
  engine: PhotoEngine;
  /** the check's inference (its warm-up), ms */
  warmupMs: number;
  report: EngineReport;
  identity: string;
  /** builds TensorFlow.js' classifier of the same model (called once, when first needed) */
  loadTf(): Promise<Classifier>;
}

/**
 * A classifier whose photos run on `engine`, with TensorFlow.js' classifier of the same model
 * built on first need: photos at another size, once the engine failed, and every feature that
 * inspects, explains or trains the model. Owns both; a failure of the engine hands photos to
 * TensorFlow.js for good (this photo included), as the usual classifier does.
 */
export function engineFirstClassifier(parts: EngineFirst): Classifier {
  const { entry, labels, meta, report } = parts;
  const info: LoadedModelInfo = {
    id: entry.id,
    name: entry.name,
    url: entry.url,
    inputSize: meta.inputSize,
    inputRange: entry.inputRange,
    numClasses: meta.numClasses,
    labelSource: labels.source,
    params: meta.params,
  };
  let engine: PhotoEngine | null = parts.engine;
  let tfjs: Promise<Classifier> | null = null;
  let built: Classifier | null = null;
  let disposed = false;
  let warmUps = 0;

  function tf(): Promise<Classifier> {
    if (disposed) return Promise.reject(new Error(`${info.name} is no longer loaded`));
    if (!tfjs) {
      const building = parts.loadTf().then((c) => {
        if (disposed) {
          c.dispose();
          throw new Error(`${info.name} is no longer loaded`);
        }
        built = c;
        return c;
      });
      building.catch(() => {
        if (tfjs === building) tfjs = null; // tried again next time (offline, say)
      });
      tfjs = building;
    }
    return tfjs;
  }

  // Each photo's input, made in one kept buffer and used at once (classify/model-input.ts).
  const photoInput = inputMaker(entry);
  const run: PhotoRun = async (rgba, width, height, k, withFeatures) => {
    if (engine && width === info.inputSize && height === info.inputSize) {
      checkRgba(rgba, width, height);
      const source = withFeatures ? meta.feature : null;
      try {
        const out = await engine.run(photoInput(rgba));
        if (!source || out.features) return answerOf(out.probs, out.features, source, labels, k);
        // no features from the engine this time: TensorFlow.js answers this photo
      } catch (error) {
        console.warn('the photo engine failed; TensorFlow.js takes over:', error);
        engine.dispose();
        engine = null;
      }
    }
    const c = await tf();
    return withFeatures && c.classifyWithFeatures
      ? c.classifyWithFeatures(rgba, width, height, k)
      : { predictions: await c.classify(rgba, width, height, k), features: null };
  };

  return {
    info,
    entry,
    labels,
    identity: parts.identity,
    engineReport: report,
    async original() {
      const c = await tf();
      if (!c.original) throw new Error(`${info.name} has no Keras-structured model`);
      return c.original();
    },
    async classify(rgba, width, height, k) {
      return (await run(rgba, width, height, k, false)).predictions;
    },
    classifyWithFeatures(rgba, width, height, k) {
      return run(rgba, width, height, k, true);
    },
    async warmUp(options) {
      // The load's warm-up was the check; later ones warm whichever engine runs photos.
      if (warmUps++ === 0) return parts.warmupMs;
      if (engine) {
        const zeros = new Uint8Array(info.inputSize * info.inputSize * 4);
        const start = performance.now();
        await engine.run(modelInputPixels(zeros, entry));
        return performance.now() - start;
      }
      return (await tf()).warmUp(options);
    },
    dispose() {
      disposed = true;
      engine?.dispose();
      engine = null;
      built?.dispose();
    },
  };
}

const ms = (v: number): string => `${Math.round(v)} ms`;

/**
 * The load's part (`LoadDeps.startKept`): when step 1 said 'kept', reads the kept file, starts
 * LiteRT.js on it and checks it; resolves the classifier, or null for the usual load.
 */
export async function startKeptEngine(
  entry: ModelEntry,
  prefetched: Promise<PreparedModel | null>,
  tuning: LoadTuning,
  loadTf: (prepared: PreparedModel) => Promise<Classifier>,
  clock?: StartupClock,
  deps: KeptEngineDeps = defaultDeps(),
): Promise<Classifier | null> {
  const prepared = await prefetched;
  if (prepared?.kind !== 'kept' || !deps.kept) return null;
  // The file is read while LiteRT.js' runtime loads.
  const reading = deps.kept.get(entry.url, prepared.identity).catch(() => null);
  const file = reading.then((k) => {
    if (!k) throw new Error('the kept .tflite is gone');
    clock?.mark('kept .tflite read');
    return k.file;
  });
  file.catch(() => undefined); // the start sees it fail; this only marks it handled
  const starting = deps.startEngine(file, deps.threads(tuning));
  const kept = await reading;
  let engine: PhotoEngine;
  try {
    engine = await starting;
  } catch (error) {
    if (kept) console.warn('LiteRT.js did not start from the kept .tflite:', error);
    return null;
  }
  if (!kept) {
    engine.dispose();
    return null;
  }
  const started = engine.started
    ? ` (runtime ready ${ms(engine.started.runtimeMs)} into its worker, compile ${ms(engine.started.compileMs)})`
    : '';
  clock?.mark(`LiteRT.js started${started}`);
  const input = modelInputPixels(knownAnswerRgba(kept.meta.inputSize), entry);
  let diff: number;
  let warmupMs: number;
  try {
    const start = deps.now();
    const got = await engine.run(input);
    warmupMs = deps.now() - start;
    diff = outputDiff(kept.meta.answer, got);
  } catch (error) {
    console.warn('LiteRT.js failed its check on the kept .tflite:', error);
    engine.dispose();
    return null;
  }
  if (!(diff <= ENGINE_TOLERANCE)) {
    console.warn(`the kept .tflite answers differently (off by ${diff}); converting again`);
    engine.dispose();
    await deps.kept.drop(entry.url).catch(() => undefined);
    return null;
  }
  clock?.mark('warm-up (LiteRT.js, checked)');
  let labels: ResolvedLabels;
  try {
    labels = await resolveLabels(entry, kept.meta.numClasses, () => prepared.metadata);
  } catch (error) {
    engine.dispose();
    throw error;
  }
  const remembered =
    (tuning.engine ?? 'auto') === 'auto' ? await rememberedLiteRt(entry, tuning, deps) : null;
  const why = remembered
    ? `measured faster here earlier (${ms(remembered.litertMs)} against TensorFlow.js' ${ms(remembered.tfjsMs)})`
    : 'as asked (engine=litert)';
  const report: EngineReport = {
    engine: 'litert',
    detail: `${engine.detail}: ${why}; started from the .tflite kept on an earlier visit`,
    maxAbsDiff: diff,
    litertThreads: engine.threads,
    ...(remembered ? { tfjsMs: remembered.tfjsMs, litertMs: remembered.litertMs } : {}),
  };
  return engineFirstClassifier({
    entry,
    labels,
    meta: kept.meta,
    engine,
    warmupMs,
    report,
    identity: prepared.identity,
    loadTf: async () => {
      const files = await prepared.folded();
      return loadTf(files ?? prepared);
    },
  });
}
