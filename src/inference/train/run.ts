/**
 * One transfer-learning run, from stored example photos to a trained classifier and its report.
 *
 * Every strategy trains the same way: a joined model (a copy of the base up to its features, plus
 * a new softmax head; for "from scratch" the same with every weight fresh) is split at a *boundary*
 * tensor.
 * Below it nothing learns, so its output is computed with a plain forward pass (and cached where
 * it does not change); above it the layers run eagerly inside the gradient tape, so backprop costs
 * only what actually learns.
 *   - head only: boundary = the feature layer (e.g. `avg_pool`); features are computed once per
 *     photo and cached for the session (augmentation adds two fixed variants per photo);
 *   - fine-tune: boundary = the output of the block below the unfrozen ones (e.g. `mixed9`);
 *     BatchNormalization stays in inference mode (Keras' advice for fine-tuning on small data);
 *   - scratch: boundary = the input; BatchNormalization trains on batch statistics.
 * The base model (the app's active classifier) is only read, never changed.
 */
import * as tf from '@tensorflow/tfjs';
import {
  augmentBatch,
  augmentsNothing,
  batchRanges,
  drawAugmentation,
  imagesToTensor,
  perChannelInput,
  seededRandom,
  type PerChannelMode,
  shuffled,
  splitExamples,
  type AugmentDraw,
  type Random,
  type StoredPixels,
} from './data';
import { ensureTrainingKernels } from './kernels';
import { argMax, evaluatePredictions } from './metrics';
import {
  attachHead,
  blocksOf,
  cloneModel,
  featureCutOf,
  fineTuneBoundary,
  freezeFor,
  modelInputSize,
  patchBatchNormForTraining,
  planCounts,
  poolFeatures,
  reportedCounts,
  runFrom,
  scratchModel,
  type ParamCounts,
} from './model';
import {
  checkSettings,
  type EpochLog,
  type ExamplePrediction,
  type TrainEstimate,
  type TrainExampleRef,
  type TrainProgress,
  type TrainReport,
  type TrainSettings,
} from './protocol';

/** Thrown when the user cancelled; nothing is left allocated. */
export class TrainCancelled extends Error {
  override name = 'TrainCancelled';
  constructor() {
    super('training was cancelled');
  }
}

/** How a run talks to the world (the worker's context in the app, plain functions in tests). */
export interface RunHooks {
  onProgress(progress: TrainProgress): void;
  isCancelled(): boolean;
  /** lets other messages (a cancel) through between steps */
  pause(): Promise<void>;
  now(): number;
}

/** What a run needs. */
export interface RunInputs {
  /** the model the new classes build on; only read */
  base: tf.LayersModel;
  baseName: string;
  /**
   * pixel range the base expects; with {@link perChannel}, the range (0..255) photos are made and
   * augmented in before that mode is applied
   */
  inputRange: readonly [number, number];
  /** Keras' per-channel `preprocess_input` of the base ('caffe': ResNet50, VGG16), if any */
  perChannel?: PerChannelMode;
  photos: ReadonlyMap<string, StoredPixels>;
  examples: readonly TrainExampleRef[];
  classNames: readonly string[];
  settings: TrainSettings;
  /** head-only features by key ({@link headCacheKey}), kept between runs on the same base */
  featureCache: Map<string, Float32Array>;
  /** the photos kept for validation, when the dataset gives its own split (else a random one) */
  validationIds?: ReadonlySet<string>;
}

/** A finished run: the trained model (the caller owns it) and its report. */
export interface RunResult {
  model: tf.LayersModel;
  report: TrainReport;
}

/** Augmented variants per photo cached for head-only training. */
const HEAD_VARIANTS = 2;
/** Photos per forward pass when computing features or evaluating. */
const FORWARD_BATCH = 8;
/** Least time between two progress messages within a phase. */
const PROGRESS_EVERY_MS = 200;
/** One training or evaluation row: a photo, and which augmented variant of it (0: as is). */
interface Row {
  example: TrainExampleRef;
  variant: number;
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Key of a head-only feature vector in {@link RunInputs.featureCache}: the photo, its augmented
 * variant (0: as is) and, for a variant, what draws its augmentation.
 */
export function headCacheKey(id: string, variant: number, settings: TrainSettings): string {
  const { flip, crop, brightness } = settings.augment;
  const aug = variant === 0 ? '' : `#${+flip}${+crop}${+brightness}#${settings.seed}`;
  return `${id}#${variant}${aug}`;
}

/** Checks the examples against the classes and the stored photos; says what is wrong. */
export function checkExamples(
  examples: readonly TrainExampleRef[],
  classNames: readonly string[],
  photos: { has(id: string): boolean },
): void {
  if (classNames.length < 2) throw new Error('Teach at least two classes.');
  const counts = new Array<number>(classNames.length).fill(0);
  const seen = new Set<string>();
  let missing = 0;
  for (const { id, label } of examples) {
    if (seen.has(id)) throw new Error(`photo ${id} is listed twice`);
    seen.add(id);
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new Error(`photo ${id} has class ${label}, not one of the ${classNames.length}`);
    }
    counts[label] = (counts[label] ?? 0) + 1;
    if (!photos.has(id)) missing += 1;
  }
  const empty = classNames.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    throw new Error(`Add at least one photo to ${empty.map((n) => `“${n}”`).join(', ')}.`);
  }
  if (missing > 0) {
    throw new Error(
      `${missing} of the photos are no longer in the worker (it was restarted): remove them and ` +
        'add them again.',
    );
  }
}

/** A prepared run: the joined model split at its boundary, the data, the optimizer. */
class Run {
  readonly settings: TrainSettings;
  readonly random: Random;
  readonly numClasses: number;
  model!: tf.LayersModel;
  counts!: ParamCounts;
  boundary!: tf.SymbolicTensor;
  /** input → boundary, for the frozen forward pass; null when the boundary is the input */
  frozen: tf.LayersModel | null = null;
  inputSize!: number;
  range!: readonly [number, number];
  variables: tf.Variable[] = [];
  optimizer: tf.Optimizer | null = null;
  train: Row[] = [];
  validation: Row[] = [];
  /** boundary values of rows that do not change during the run, by row key */
  fixed = new Map<string, Float32Array>();
  undoPatch: () => void = () => undefined;
  private lastProgress = -Infinity;

  constructor(
    readonly inputs: RunInputs,
    readonly hooks: RunHooks,
  ) {
    this.settings = inputs.settings;
    this.random = seededRandom(inputs.settings.seed);
    this.numClasses = inputs.classNames.length;
  }

  get strategy(): TrainSettings['strategy'] {
    return this.settings.strategy;
  }

  /** Rows whose boundary values are computed per batch (augmented on the fly). */
  get onTheFly(): boolean {
    return this.strategy !== 'head' && !augmentsNothing(this.settings.augment);
  }

  async prepare(): Promise<void> {
    const { inputs, settings } = this;
    const problem = checkSettings(settings);
    if (problem) throw new Error(problem);
    // Head only can train on cached features alone (a dataset's photos are not kept in memory).
    const has = (id: string): boolean =>
      inputs.photos.has(id) ||
      (this.strategy === 'head' && inputs.featureCache.has(headCacheKey(id, 0, settings)));
    checkExamples(inputs.examples, inputs.classNames, { has });
    ensureTrainingKernels();
    const given = inputs.validationIds;
    const split = given
      ? {
          train: inputs.examples.filter((e) => !given.has(e.id)),
          validation: inputs.examples.filter((e) => given.has(e.id)),
        }
      : splitExamples(inputs.examples, this.numClasses, settings.validationSplit, this.random);
    this.validation = split.validation.map((example) => ({ example, variant: 0 }));
    this.train = split.train.map((example) => ({ example, variant: 0 }));
    if (this.strategy === 'head' && !augmentsNothing(settings.augment)) {
      for (const example of split.train) {
        for (let v = 1; v <= HEAD_VARIANTS; v++) this.train.push({ example, variant: v });
      }
    }

    // Refuses, before anything is copied, a run too big for the browser (planCounts says why).
    planCounts(inputs.base, this.strategy, this.numClasses, settings.blocks);
    this.range = inputs.inputRange;
    let boundaryName: string | null;
    if (this.strategy === 'scratch') {
      this.model = await scratchModel(inputs.base, this.numClasses, 'custom_classifier');
      boundaryName = null;
    } else {
      const cut = featureCutOf(inputs.base);
      // The base as Keras' include_top=False, pooling='avg' builds it (VGG16: block5_pool, then a
      // new GlobalAveragePooling2D, so fc1 and fc2 never learn nor count).
      const base = poolFeatures(await cloneModel(inputs.base, cut.layer.name), cut);
      boundaryName =
        this.strategy === 'head'
          ? (base.outputs[0] as tf.SymbolicTensor).sourceLayer.name
          : fineTuneBoundary(blocksOf(inputs.base, cut.layer), settings.blocks);
      try {
        this.model = attachHead(base, this.numClasses, 'custom_classifier', settings.seed);
      } catch (error) {
        // the copy owns its weights: nothing else would free them
        base.dispose();
        throw error;
      }
    }
    try {
      this.inputSize = modelInputSize(this.model);
      this.variables = freezeFor(this.model, this.strategy, boundaryName);
      this.counts = reportedCounts(this.model);
      if (boundaryName === null) {
        this.boundary = this.model.inputs[0] as tf.SymbolicTensor;
      } else {
        this.boundary = this.model.getLayer(boundaryName).output as tf.SymbolicTensor;
        // A view over the same layers (never disposed: that would release the shared weights).
        this.frozen = tf.model({ inputs: this.model.inputs, outputs: this.boundary });
      }
      // Needed for any BatchNorm under the gradient tape (it saves `gamma`, which InceptionV3's
      // `scale=False` layers lack), and for scratch's training mode.
      this.undoPatch = patchBatchNormForTraining(this.model);
      this.optimizer =
        this.strategy === 'fine-tune'
          ? tf.train.momentum(settings.learningRate, 0.9)
          : tf.train.adam(settings.learningRate);
    } catch (error) {
      this.dispose(true);
      throw error;
    }
  }

  /** Frees everything; the model too unless it is being handed over. */
  dispose(withModel: boolean): void {
    this.undoPatch();
    this.undoPatch = () => undefined;
    if (this.optimizer) {
      // tfjs 4.22's MomentumOptimizer.dispose() forgets SGD's learning-rate scalar `c`.
      const c = (this.optimizer as unknown as { c?: tf.Tensor }).c;
      this.optimizer.dispose();
      if (c && !c.isDisposed) c.dispose();
    }
    this.optimizer = null;
    this.fixed.clear();
    if (withModel) this.model?.dispose();
  }

  progress(progress: TrainProgress, force = false): void {
    const now = this.hooks.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.hooks.onProgress(progress);
  }

  async checkpoint(): Promise<void> {
    await this.hooks.pause();
    if (this.hooks.isCancelled()) throw new TrainCancelled();
  }

  /** The augmentation of a head-only variant: fixed per photo, variant and seed (so cacheable). */
  variantDraw(row: Row): AugmentDraw {
    const random = seededRandom(
      hashString(`${row.example.id}#${row.variant}#${this.settings.seed}`),
    );
    return drawAugmentation(this.settings.augment, random);
  }

  cacheKey(row: Row): string {
    return headCacheKey(row.example.id, row.variant, this.settings);
  }

  rowKey(row: Row): string {
    return `${row.example.id}#${row.variant}`;
  }

  /** Boundary values for rows, computed now: images → (augmentation) → frozen layers. */
  computeBoundary(rows: readonly Row[], draws: readonly AugmentDraw[] | null): tf.Tensor {
    return tf.tidy(() => {
      const photos = rows.map((r) => this.inputs.photos.get(r.example.id) as StoredPixels);
      let x: tf.Tensor4D = imagesToTensor(photos, this.inputSize, this.range);
      if (draws) x = augmentBatch(x, draws, this.range);
      if (this.inputs.perChannel) x = perChannelInput(x, this.inputs.perChannel);
      return this.frozen ? (this.frozen.predict(x) as tf.Tensor) : x;
    });
  }

  boundaryShape(): number[] {
    return this.boundary.shape.slice(1) as number[];
  }

  /** Values stored for a row: the session cache (head only) or this run's. */
  stored(row: Row): Float32Array | undefined {
    return this.strategy === 'head'
      ? this.inputs.featureCache.get(this.cacheKey(row))
      : this.fixed.get(this.rowKey(row));
  }

  /** Rows whose boundary values are computed before training (all but the on-the-fly ones). */
  precomputedRows(): Row[] {
    return this.onTheFly ? this.validation : [...this.train, ...this.validation];
  }

  /** Computes and stores the boundary values that do not change during the run. */
  async precompute(epochs: number): Promise<void> {
    if (this.strategy === 'scratch') return; // the boundary is the image itself
    const todo = this.precomputedRows().filter((r) => !this.stored(r));
    const start = this.hooks.now();
    const batches = batchRanges(todo.length, FORWARD_BATCH);
    let done = 0;
    for (const [from, to] of batches) {
      await this.checkpoint();
      const rows = todo.slice(from, to);
      const draws = rows.some((r) => r.variant > 0) ? rows.map((r) => this.variantDraw(r)) : null;
      const values = this.computeBoundary(rows, draws);
      let data: Float32Array;
      try {
        data = (await values.data()) as Float32Array;
      } finally {
        values.dispose();
      }
      const size = data.length / rows.length;
      rows.forEach((row, i) => {
        const slice = data.slice(i * size, (i + 1) * size);
        if (this.strategy === 'head') this.inputs.featureCache.set(this.cacheKey(row), slice);
        else this.fixed.set(this.rowKey(row), slice);
      });
      done += rows.length;
      const perPhoto = (this.hooks.now() - start) / done;
      this.progress(
        {
          phase: 'features',
          done,
          total: todo.length,
          epoch: 0,
          epochs,
          etaMs: perPhoto * (todo.length - done),
        },
        done === todo.length,
      );
    }
  }

  /** The boundary batch for rows: stored values stacked, or computed now (with augmentation). */
  batchInput(rows: readonly Row[], augment: boolean): tf.Tensor {
    const first = this.stored(rows[0] as Row);
    if (first) {
      const size = first.length;
      const data = new Float32Array(rows.length * size);
      rows.forEach((r, i) => data.set(this.stored(r) as Float32Array, i * size));
      return tf.tensor(data, [rows.length, ...this.boundaryShape()]);
    }
    const draws = augment
      ? rows.map(() => drawAugmentation(this.settings.augment, this.random))
      : null;
    return this.computeBoundary(rows, draws);
  }

  /** One optimisation step; returns the batch's mean loss and number of correct answers. */
  async step(x: tf.Tensor, labels: readonly number[]): Promise<{ loss: number; correct: number }> {
    const optimizer = this.optimizer;
    if (!optimizer) throw new Error('the run is not prepared');
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels as number[], 'int32'), this.numClasses));
    let correct: tf.Tensor | null = null;
    const training = this.strategy === 'scratch';
    let loss: tf.Scalar | null;
    try {
      loss = optimizer.minimize(
        () => {
          const probs = runFrom(this.model, this.boundary, x, { training });
          correct = tf.keep(
            tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), tf.argMax(y, 1)), 'float32')),
          );
          return tf.mean<tf.Scalar>(tf.metrics.categoricalCrossentropy(y, probs));
        },
        true,
        this.variables,
      );
    } catch (error) {
      // `correct` is kept outside the tape's scope, so a failure after it was made leaves it
      (correct as tf.Tensor | null)?.dispose();
      dropAbandonedTape();
      throw error;
    } finally {
      y.dispose();
    }
    const kept = correct as tf.Tensor | null;
    try {
      const [l, c] = await Promise.all([loss?.data(), kept?.data()]);
      return { loss: l?.[0] ?? NaN, correct: c?.[0] ?? 0 };
    } finally {
      loss?.dispose();
      kept?.dispose();
    }
  }

  /** Class probabilities for rows (no augmentation, inference mode), row after row. */
  async predict(rows: readonly Row[]): Promise<Float32Array> {
    const out = new Float32Array(rows.length * this.numClasses);
    const size = this.onTheFly || this.strategy === 'scratch' ? this.settings.batchSize : 64;
    for (const [from, to] of batchRanges(rows.length, size)) {
      await this.checkpoint();
      const x = this.batchInput(rows.slice(from, to), false);
      let probs: tf.Tensor;
      try {
        probs = tf.tidy(() => runFrom(this.model, this.boundary, x, { training: false }));
      } finally {
        x.dispose();
      }
      try {
        out.set(await probs.data(), from * this.numClasses);
      } finally {
        probs.dispose();
      }
    }
    return out;
  }

  /** Mean cross-entropy and accuracy of probabilities against rows' labels. */
  score(rows: readonly Row[], probs: Float32Array): { loss: number; accuracy: number } {
    let loss = 0;
    let correct = 0;
    const n = this.numClasses;
    rows.forEach((row, i) => {
      const p = probs[i * n + row.example.label] as number;
      loss -= Math.log(Math.min(Math.max(p, 1e-7), 1 - 1e-7));
      if (argMax(probs, i * n, n)[0] === row.example.label) correct += 1;
    });
    return { loss: loss / rows.length, accuracy: correct / rows.length };
  }
}

/** What a from-scratch run on `baseName` is called in reports. */
export function scratchName(baseName: string): string {
  return `${baseName.replace(/ \((ImageNet|random weights)\)$/, '')} architecture (random weights)`;
}

/** The engine's gradient tape, as tfjs 4.22 keeps it (internal fields). */
interface EngineTapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * Works around tfjs 4.22 leaking when a gradient computation throws: the tape, and the tensors
 * its ops saved for backprop, stay behind until the next computation silently drops them.
 * Frees them; only call outside any gradient computation.
 */
function dropAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: EngineTapeState }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) node.saved?.forEach((t) => t.dispose());
  state.activeTape = null;
}

/** Copies of the variables' values (for keeping the best epoch). */
function snapshot(variables: readonly tf.Variable[]): tf.Tensor[] {
  return variables.map((v) => v.clone());
}

/**
 * Trains a classifier for `classNames` on the example photos with the chosen strategy, posting
 * progress as it goes. Throws {@link TrainCancelled} when cancelled; frees everything it made
 * except the returned model.
 */
export async function trainClassifier(inputs: RunInputs, hooks: RunHooks): Promise<RunResult> {
  const started = hooks.now();
  const run = new Run(inputs, hooks);
  const { settings } = inputs;
  const epochs = settings.epochs;
  hooks.onProgress({ phase: 'preparing', done: 0, total: 1, epoch: 0, epochs, etaMs: null });
  await run.prepare();
  let best: tf.Tensor[] | null = null;
  try {
    await run.precompute(epochs);
    const logs: EpochLog[] = [];
    const batches = batchRanges(run.train.length, settings.batchSize);
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let stoppedEarly = false;
    let trainMs = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = hooks.now();
      const order = shuffled(run.train, run.random);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches.length; b++) {
        await run.checkpoint();
        const [from, to] = batches[b] as [number, number];
        const rows = order.slice(from, to);
        const x = run.batchInput(rows, run.onTheFly);
        let result: { loss: number; correct: number };
        try {
          result = await run.step(
            x,
            rows.map((r) => r.example.label),
          );
        } finally {
          x.dispose();
        }
        if (!Number.isFinite(result.loss)) {
          throw new Error(
            `training diverged in epoch ${epoch} (the loss became ${result.loss}): try a lower learning rate`,
          );
        }
        lossSum += result.loss * rows.length;
        correct += result.correct;
        const elapsed = trainMs + (hooks.now() - epochStart);
        const perBatch = elapsed / ((epoch - 1) * batches.length + b + 1);
        run.progress({
          phase: 'training',
          done: b + 1,
          total: batches.length,
          epoch,
          epochs,
          etaMs: perBatch * ((epochs - epoch) * batches.length + batches.length - b - 1),
        });
      }
      let valLoss: number | null = null;
      let valAccuracy: number | null = null;
      if (run.validation.length > 0) {
        const scored = run.score(run.validation, await run.predict(run.validation));
        valLoss = scored.loss;
        valAccuracy = scored.accuracy;
      }
      const ms = hooks.now() - epochStart;
      trainMs += ms;
      const log: EpochLog = {
        epoch,
        loss: lossSum / run.train.length,
        accuracy: correct / run.train.length,
        valLoss,
        valAccuracy,
        ms,
      };
      logs.push(log);
      run.progress(
        {
          phase: 'training',
          done: batches.length,
          total: batches.length,
          epoch,
          epochs,
          etaMs: (trainMs / epoch) * (epochs - epoch),
          log,
        },
        true,
      );
      const monitored = valLoss ?? log.loss;
      if (monitored < bestLoss) {
        bestLoss = monitored;
        bestEpoch = epoch;
        if (settings.patience > 0) {
          best?.forEach((t) => t.dispose());
          best = snapshot(run.variables);
        }
      } else if (settings.patience > 0 && epoch - bestEpoch >= settings.patience) {
        stoppedEarly = true;
        break;
      }
    }
    const finalEpoch = logs.length;
    if (best && bestEpoch !== finalEpoch) {
      run.variables.forEach((v, i) => v.assign(best?.[i] as tf.Tensor));
    } else if (!best) {
      bestEpoch = finalEpoch;
    }

    hooks.onProgress({
      phase: 'evaluating',
      done: 0,
      total: 1,
      epoch: finalEpoch,
      epochs,
      etaMs: null,
    });
    const evaluatedOn = run.validation.length > 0 ? 'validation' : 'training';
    const rows =
      evaluatedOn === 'validation' ? run.validation : run.train.filter((r) => r.variant === 0);
    const probs = await run.predict(rows);
    const n = run.numClasses;
    const predictions: ExamplePrediction[] = rows.map((row, i) => {
      const [predicted, probability] = argMax(probs, i * n, n);
      const out: ExamplePrediction = {
        id: row.example.id,
        label: row.example.label,
        predicted,
        probability,
      };
      // every class's score, for the misclassified photos only (the page lists them)
      if (predicted !== row.example.label) out.scores = Array.from(probs.slice(i * n, (i + 1) * n));
      return out;
    });
    const evaluation = evaluatePredictions(predictions, n);
    const report: TrainReport = {
      classNames: [...inputs.classNames],
      strategy: settings.strategy,
      baseName: settings.strategy === 'scratch' ? scratchName(inputs.baseName) : inputs.baseName,
      epochs: logs,
      stoppedEarly,
      bestEpoch,
      evaluatedOn,
      accuracy: evaluation.accuracy,
      perClass: evaluation.perClass,
      confusion: evaluation.confusion,
      predictions,
      trainCount: run.train.filter((r) => r.variant === 0).length,
      valCount: run.validation.length,
      trainableParams: run.counts.trainable,
      frozenParams: run.counts.frozen,
      ms: hooks.now() - started,
    };
    run.dispose(false);
    return { model: run.model, report };
  } catch (error) {
    run.dispose(true);
    throw error;
  } finally {
    best?.forEach((t) => t.dispose());
  }
}

/**
 * Measures what a run would take without doing it: builds the same model, times one feature
 * pass and one real training step, and multiplies by the numbers of photos and steps.
 */
export async function estimateTraining(
  inputs: RunInputs,
  hooks: RunHooks,
): Promise<TrainEstimate & { counts: ParamCounts }> {
  const run = new Run(inputs, hooks);
  await run.prepare();
  try {
    const { settings } = inputs;
    const missing =
      run.strategy === 'scratch' ? [] : run.precomputedRows().filter((r) => !run.stored(r));
    let featureMs = 0;
    if (missing.length > 0) {
      const rows = missing.slice(0, 1);
      const t0 = hooks.now();
      const values = run.computeBoundary(rows, null);
      try {
        await values.data();
      } finally {
        values.dispose();
      }
      featureMs = hooks.now() - t0;
    }
    await run.checkpoint();
    // Convolutional steps are timed on one photo and scaled: on a CPU backend a batch costs about
    // that many photos, and a full batch of InceptionV3 from scratch takes minutes to measure.
    const b = Math.min(settings.batchSize, run.train.length);
    const measuredBatch = run.strategy === 'head' ? b : 1;
    const rows = shuffled(run.train, run.random).slice(0, measuredBatch);
    const t1 = hooks.now();
    const x =
      run.onTheFly || run.strategy === 'scratch'
        ? run.batchInput(rows, run.onTheFly)
        : tf.randomNormal([measuredBatch, ...run.boundaryShape()]);
    try {
      await run.step(
        x,
        rows.map((r) => r.example.label),
      );
    } finally {
      x.dispose();
    }
    const stepMs = ((hooks.now() - t1) * b) / measuredBatch;
    const steps = settings.epochs * Math.ceil(run.train.length / settings.batchSize);
    // Validation each epoch is a forward pass: about a third of a training step per batch.
    const validationMs =
      settings.epochs * Math.ceil(run.validation.length / settings.batchSize) * (stepMs / 3);
    return {
      featurePhotos: missing.length,
      featureMs,
      stepMs,
      measuredBatch,
      steps,
      totalMs: missing.length * featureMs + steps * stepMs + validationMs,
      counts: run.counts,
    };
  } finally {
    run.dispose(true);
  }
}
