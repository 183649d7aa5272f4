/** What the benchmark page measures, shared by the page (browser) and scripts/bench.ts (Node). */
import type {
  BackendChoice,
  BackendReport,
  EngineReport,
  LoadTuning,
} from '../../src/inference/protocol';

/** Stage times of one model load in the worker, ms. */
export interface LoadTimes {
  /** probing and starting the backend (incl. the known-answer check) */
  backendMs: number;
  /** download, weight upload, batch-norm folding */
  modelMs: number;
  /** first inference(s): warm-up, plus the backend micro-benchmark under 'auto' */
  warmupMs: number;
  /** request to ready */
  totalMs: number;
  backend: string;
  reports: BackendReport[];
}

/** Memory as seen before/after a soak. */
export interface MemorySample {
  numTensors: number;
  numBytes: number;
  /** page + workers JS heap (measureUserAgentSpecificMemory), when the browser offers it */
  heapBytes: number | null;
}

/** Options of one run of our classifier on the benchmark page. */
export interface OursOptions {
  workerUrl: string;
  modelUrl: string;
  backend: BackendChoice;
  tuning: LoadTuning;
  /** timed single-photo inferences after the warm-up */
  steadyRuns: number;
  /** photos in the leak soak (0: none) */
  soak: number;
  /** load a second time in a fresh worker (HTTP-cached files) */
  cachedLoad: boolean;
  /** end-to-end batch through our pipeline on this page, strictly one photo after another */
  sequentialBatch: boolean;
}

/** A batch of photos: files given → every top-3 in the page. */
export interface BatchResult {
  photos: number;
  totalMs: number;
  photosPerSec: number;
  /** longest main-thread task during the batch (PerformanceObserver 'longtask'), ms */
  longestTaskMs: number;
  /** top-1 label of each photo, to check the runs agree */
  top1: string[];
}

/** Our classifier, one backend configuration. */
export interface OursResult {
  cold: LoadTimes;
  cached: LoadTimes | null;
  steadyMs: number[];
  /** worker-side milliseconds of the same inferences */
  workerMs: number[];
  batch: BatchResult | null;
  soak: { photos: number; before: MemorySample; after: MemorySample; ms: number } | null;
}

/** Options of the batching measurement (kernel time on the page's own tfjs). */
export interface BatchingOptions {
  modelUrl: string;
  threads: 'auto' | 'off';
  /** alternating batch-1 / batch-2 rounds */
  rounds: number;
}

/** Per-photo milliseconds at batch 1 and at batch 2. */
export interface BatchingResult {
  threads: number;
  batch1: number[];
  batch2: number[];
}

/** Several configurations of ours, each in its own worker, measured in alternation. */
export interface InterleavedOptions {
  workerUrl: string;
  modelUrl: string;
  configs: { label: string; backend: BackendChoice; tuning: LoadTuning }[];
  /** rounds of one photo per configuration */
  rounds: number;
}

/** Per configuration: its load, and one round-trip and one worker time per round. */
export interface InterleavedResult {
  label: string;
  cold: LoadTimes;
  steadyMs: number[];
  workerMs: number[];
}

/** The engines the peers comparison runs in its own workers. */
export type WorkerEngine = 'ours' | 'litert' | 'ort';

/** Options of the side-by-side engines (ours and the peers, each in a worker of its own). */
export interface EnginesOptions {
  /** our production worker file, and our model (the app's default, float16) */
  workerUrl: string;
  modelUrl: string;
  backend: BackendChoice;
  /** the same model written by the bench as .tflite and .onnx */
  tfliteUrl: string;
  onnxUrl: string;
  /** where LiteRT.js' and onnxruntime-web's .js/.mjs/.wasm files are served */
  litertAssets: string;
  ortAssets: string;
  /** thread count the peers get (ours: its own choice, reported) */
  threads: number;
  /** photos each engine classifies before timing (covers our thread trial) */
  warmup: number;
  engines: WorkerEngine[];
}

/** One engine after set-up. */
export interface EngineInfo {
  name: WorkerEngine;
  threads: number | null;
  loadMs: number;
  detail: string;
  error: string | null;
  /** ours only: the engine the app chose for photos ('tfjs' or 'litert') and its report */
  chosen?: EngineReport;
}

/** One interleaved round: one photo per engine, page → worker → answer. */
export type EnginesRound = Partial<Record<WorkerEngine, number>>;

/** Options of one nsfwjs page (as documented, or with our thread count). */
export interface NsfwjsSetupOptions {
  modelUrl: string;
  backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  /** null: TensorFlow.js' default (as documented) */
  threads: number | null;
}

/** What the page exposes to Playwright as `window.lensBench`. */
export interface BenchApi {
  enginesSetup(options: EnginesOptions): Promise<EngineInfo[]>;
  enginesRound(round: number): Promise<EnginesRound>;
  /** largest |p_peer − p_ours| over every class and every distinct photo */
  enginesCompare(): Promise<Partial<Record<WorkerEngine, number>>>;
  enginesClose(): void;
  nsfwjsSetup(
    options: NsfwjsSetupOptions,
  ): Promise<{ threads: number | null; loadMs: number; backend: string }>;
  /** one batch of `count` photos as nsfwjs is used: decode, classify, show */
  nsfwjsRound(count: number): Promise<BatchResult>;
  ours(options: OursOptions): Promise<OursResult>;
  batching(options: BatchingOptions): Promise<BatchingResult>;
  interleaved(options: InterleavedOptions): Promise<InterleavedResult[]>;
  /** number of photos picked into the page's file input */
  photoCount(): number;
}
