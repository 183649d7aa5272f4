/**
 * The benchmark page (built only by `npm run bench`, never part of the app): runs our inference
 * worker — the app's own production worker file, whose URL the bench passes in — and the nsfwjs
 * peer, on photos Playwright puts into the file input, and reports timings to scripts/bench.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { load as loadNsfwjs } from 'nsfwjs/core';
import { InferenceClient, type LoadProgress } from '../../src/inference/client';
import { foldBatchNorm } from '../../src/inference/classify/fold-batch-norm';
import {
  configureWasmThreads,
  withUncappedThreads,
} from '../../src/inference/backends/wasm-threads';
import type { ModelEntry } from '../../src/models/registry';
import { preprocessImage } from '../../src/preprocess/preprocess-image';
import { enginesClose, enginesCompare, enginesRound, enginesSetup } from './peers/engines';
import type {
  NsfwjsSetupOptions,
  BatchingOptions,
  BatchingResult,
  BatchResult,
  BenchApi,
  InterleavedOptions,
  InterleavedResult,
  LoadTimes,
  MemorySample,
  OursOptions,
  OursResult,
} from './bench-types';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

// Long tasks on this page's main thread, observed from the start.
const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

function longestTaskSince(since: number): number {
  return longTasks.filter((t) => t.start >= since).reduce((m, t) => Math.max(m, t.duration), 0);
}

function photos(): File[] {
  const input = document.getElementById('photos') as HTMLInputElement;
  return Array.from(input.files ?? []);
}

function show(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  document.getElementById('results')?.append(li);
}

function entryFor(url: string): ModelEntry {
  return {
    id: 'bench-inception-v3',
    name: 'InceptionV3 (bench)',
    url: new URL(url, location.href).href,
    inputSize: 299,
    inputRange: [-1, 1],
    labels: { kind: 'imagenet' },
    labelOffset: 0,
  };
}

/** Loads in a fresh worker, timing each stage the worker reports. */
async function timedLoad(
  options: OursOptions,
): Promise<{ client: InferenceClient; times: LoadTimes }> {
  const client = new InferenceClient(
    () => new Worker(options.workerUrl, { type: 'module', name: 'inference' }),
  );
  const start = performance.now();
  const seen = new Map<string, number>();
  const onProgress = (p: LoadProgress): void => {
    if (!seen.has(p.stage)) seen.set(p.stage, performance.now());
  };
  const ready = await client.load(
    entryFor(options.modelUrl),
    options.backend,
    onProgress,
    [],
    options.tuning,
  );
  const end = performance.now();
  const download = seen.get('download') ?? end;
  const warming = seen.get('warming') ?? end;
  return {
    client,
    times: {
      backendMs: download - start,
      modelMs: warming - download,
      warmupMs: end - warming,
      totalMs: end - start,
      backend: ready.backend,
      reports: ready.backends,
    },
  };
}

async function memory(client: InferenceClient): Promise<MemorySample> {
  const answer = await client.call('memory', {});
  let heapBytes: number | null = null;
  const measure = (
    performance as Performance & {
      measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
    }
  ).measureUserAgentSpecificMemory;
  if (measure && crossOriginIsolated) {
    try {
      heapBytes = (await measure.call(performance)).bytes;
    } catch {
      heapBytes = null;
    }
  }
  return { numTensors: answer.numTensors, numBytes: answer.numBytes, heapBytes };
}

/** Our pipeline with no overlap: decode one photo, classify it, show it, then the next. */
async function sequentialBatch(client: InferenceClient, files: File[]): Promise<BatchResult> {
  const start = performance.now();
  const top1: string[] = [];
  for (const file of files) {
    const image = await preprocessImage(file, { size: 299, mode: 'squash' });
    const result = await client.classify(image.pixels, image.width, image.height, { topK: 3 });
    top1.push(result.predictions[0]?.label ?? '');
    show(`${file.name}: ${result.predictions.map((p) => p.label).join(', ')}`);
  }
  const totalMs = performance.now() - start;
  return {
    photos: files.length,
    totalMs,
    photosPerSec: (files.length * 1000) / totalMs,
    longestTaskMs: longestTaskSince(start),
    top1,
  };
}

async function ours(options: OursOptions): Promise<OursResult> {
  const files = photos();
  const first = files[0];
  if (!first) throw new Error('no photos were given to the benchmark page');
  const { client, times: cold } = await timedLoad(options);
  try {
    let cached: LoadTimes | null = null;
    if (options.cachedLoad) {
      const again = await timedLoad(options);
      cached = again.times;
      again.client.terminate();
    }
    const image = await preprocessImage(first, { size: 299, mode: 'squash' });
    const steadyMs: number[] = [];
    const workerMs: number[] = [];
    for (let i = 0; i < options.steadyRuns; i++) {
      const t = performance.now();
      const result = await client.classify(image.pixels.slice(0), image.width, image.height);
      steadyMs.push(performance.now() - t);
      workerMs.push(result.ms);
    }
    const batch = options.sequentialBatch ? await sequentialBatch(client, files) : null;
    let soak: OursResult['soak'] = null;
    if (options.soak > 0) {
      const before = await memory(client);
      const t = performance.now();
      for (let i = 0; i < options.soak; i++) {
        await client.classify(image.pixels.slice(0), image.width, image.height);
      }
      const ms = performance.now() - t;
      soak = { photos: options.soak, before, after: await memory(client), ms };
    }
    return { cold, cached, steadyMs, workerMs, batch, soak };
  } finally {
    client.terminate();
  }
}

/**
 * Kernel time of the folded model on this page's own TensorFlow.js, batch of 1 against batch of 2
 * (per photo), alternating so both see the same machine load: does batching pay?
 */
async function batching(options: BatchingOptions): Promise<BatchingResult> {
  configureWasmThreads(options.threads);
  const ok = await withUncappedThreads(() => tf.setBackend('wasm'));
  if (!ok) throw new Error('wasm failed to start');
  const model = await tf.loadLayersModel(new URL(options.modelUrl, location.href).href);
  const { model: folded } = await foldBatchNorm(model);
  const time = async (batch: number): Promise<number> => {
    const t = performance.now();
    const y = tf.tidy(() => folded.predict(tf.zeros([batch, 299, 299, 3])) as tf.Tensor);
    await y.data();
    y.dispose();
    return (performance.now() - t) / batch;
  };
  await time(1);
  await time(2);
  const batch1: number[] = [];
  const batch2: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    batch1.push(await time(1));
    batch2.push(await time(2));
  }
  folded.dispose();
  model.dispose();
  return { threads: getThreadsCount(), batch1, batch2 };
}

/**
 * Steady latency of several configurations, robust to a machine whose load drifts: each loads in
 * its own worker, then rounds of one photo each, in turn, so every configuration sees the same
 * moments of the machine.
 */
async function interleaved(options: InterleavedOptions): Promise<InterleavedResult[]> {
  const first = photos()[0];
  if (!first) throw new Error('no photos were given to the benchmark page');
  const image = await preprocessImage(first, { size: 299, mode: 'squash' });
  const runs: (InterleavedResult & { client: InferenceClient })[] = [];
  try {
    for (const config of options.configs) {
      const { client, times } = await timedLoad({
        workerUrl: options.workerUrl,
        modelUrl: options.modelUrl,
        backend: config.backend,
        tuning: config.tuning,
        steadyRuns: 0,
        soak: 0,
        cachedLoad: false,
        sequentialBatch: false,
      });
      runs.push({ label: config.label, cold: times, steadyMs: [], workerMs: [], client });
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const run of runs) {
        const t = performance.now();
        const result = await run.client.classify(image.pixels.slice(0), image.width, image.height);
        run.steadyMs.push(performance.now() - t);
        run.workerMs.push(result.ms);
      }
    }
    return runs.map(({ client: _client, ...rest }) => rest);
  } finally {
    for (const run of runs) run.client.terminate();
  }
}

let nsfwModel: Awaited<ReturnType<typeof loadNsfwjs>> | null = null;
let nsfwRound = 0;

/**
 * nsfwjs on this page's main thread, as its README shows; `threads` null keeps TensorFlow.js'
 * default (cores / 2 = 1 here), a number gives it that many (the same count as ours).
 */
async function nsfwjsSetup(options: NsfwjsSetupOptions) {
  if (options.backend === 'wasm' && options.threads !== null) {
    configureWasmThreads(options.threads > 1 ? 'all' : 'off');
  }
  // As documented: TensorFlow.js' own start-up (its thread cap included); with our count: the
  // same uncapping our worker does.
  const ok =
    options.threads === null
      ? await tf.setBackend(options.backend)
      : await withUncappedThreads(() => tf.setBackend(options.backend));
  if (!ok) throw new Error(`nsfwjs: backend ${options.backend} failed to start`);
  await tf.ready();
  const t0 = performance.now();
  nsfwModel = await loadNsfwjs(new URL(options.modelUrl, location.href).href, { size: 299 });
  return {
    threads: options.backend === 'wasm' ? getThreadsCount() : null,
    loadMs: performance.now() - t0,
    backend: tf.getBackend(),
  };
}

async function nsfwjsBatch(count: number): Promise<BatchResult> {
  const model = nsfwModel;
  if (!model) throw new Error('nsfwjs: not set up');
  const all = photos();
  const files = Array.from(
    { length: count },
    (_, i) => all[(nsfwRound * count + i) % all.length] as File,
  );
  nsfwRound++;
  const start = performance.now();
  const top1: string[] = [];
  for (const file of files) {
    const image = await createImageBitmap(file);
    const predictions = await model.classify(image as unknown as HTMLCanvasElement, 3);
    image.close();
    top1.push(predictions[0]?.className ?? '');
    show(`nsfwjs ${file.name}: ${predictions.map((p) => p.className).join(', ')}`);
  }
  const totalMs = performance.now() - start;
  return {
    photos: files.length,
    totalMs,
    photosPerSec: (files.length * 1000) / totalMs,
    longestTaskMs: longestTaskSince(start),
    top1,
  };
}

const api: BenchApi = {
  enginesSetup: (options) => enginesSetup(options, photos()),
  enginesRound,
  enginesCompare,
  enginesClose,
  nsfwjsSetup,
  nsfwjsRound: nsfwjsBatch,
  ours,
  batching,
  interleaved,
  photoCount: () => photos().length,
};
(window as unknown as { lensBench: BenchApi }).lensBench = api;
document.title = 'Inception Lens — benchmark page (ready)';
