/**
 * The side-by-side engines on the benchmark page: ours (the app's production worker) and the peer
 * engines (LiteRT.js, onnxruntime-web), each in a worker of its own, fed the same RGBA pixels one
 * photo at a time, in rounds whose order rotates so no engine always goes first.
 */
import { InferenceClient } from '../../../src/inference/client';
import type { EngineReport } from '../../../src/inference/engines/protocol';
import type { ModelEntry } from '../../../src/models/registry';
import { preprocessImage } from '../../../src/preprocess/preprocess-image';
import type { EngineInfo, EnginesOptions, EnginesRound, WorkerEngine } from '../bench-types';
import type { PeerReply, PeerRequest } from './peer-protocol';

interface Photo {
  pixels: ArrayBuffer;
  width: number;
  height: number;
}

/** A peer's worker behind a promise per request. */
class PeerWorker {
  private next = 1;
  private waiting = new Map<number, (r: PeerReply) => void>();
  private onLoaded: ((r: PeerReply) => void) | null = null;

  constructor(readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<PeerReply>) => {
      const r = e.data;
      if (r.type === 'loaded' || (r.type === 'error' && r.id === undefined)) this.onLoaded?.(r);
      else if (r.id !== undefined) this.waiting.get(r.id)?.(r);
    };
    worker.onerror = (e) => {
      const r: PeerReply = { type: 'error', message: e.message || 'worker error' };
      this.onLoaded?.(r);
      for (const w of this.waiting.values()) w(r);
    };
  }

  load(request: Extract<PeerRequest, { type: 'load' }>): Promise<PeerReply> {
    return new Promise((resolve) => {
      // A peer that never answers must not hang the bench.
      const timer = setTimeout(
        () => resolve({ type: 'error', message: 'no answer to load within 300 s' }),
        300_000,
      );
      this.onLoaded = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.worker.postMessage(request);
    });
  }

  async run(photo: Photo): Promise<Float32Array> {
    const id = this.next++;
    const pixels = photo.pixels.slice(0);
    const reply = await new Promise<PeerReply>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage(
        { type: 'run', id, pixels, width: photo.width, height: photo.height },
        [pixels],
      );
    });
    this.waiting.delete(id);
    if (reply.type === 'error') throw new Error(reply.message);
    if (reply.type !== 'result') throw new Error('unexpected reply');
    return reply.probs;
  }
}

interface Engine {
  name: WorkerEngine;
  /** classifies one photo; the copy of the pixels is made before the clock starts */
  run: (photo: Photo, copy: ArrayBuffer) => Promise<Float32Array>;
  close: () => void;
}

let engines: Engine[] = [];
let photos: Photo[] = [];

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

/** Loads every engine; one that fails is reported, not fatal. */
export async function enginesSetup(options: EnginesOptions, files: File[]): Promise<EngineInfo[]> {
  enginesClose();
  photos = [];
  for (const file of files.slice(0, 3)) {
    const image = await preprocessImage(file, { size: 299, mode: 'squash' });
    photos.push({ pixels: image.pixels, width: image.width, height: image.height });
  }
  if (photos.length === 0) throw new Error('no photos were given to the benchmark page');
  const infos: EngineInfo[] = [];
  for (const name of options.engines) {
    const start = performance.now();
    try {
      if (name === 'ours') {
        const client = new InferenceClient(
          () => new Worker(options.workerUrl, { type: 'module', name: 'inference' }),
        );
        // The app chooses its photo engine after the load, once the worker is idle (or after
        // its first photos): wait for that choice, so the rounds time the engine it settled on
        // and not the choice's own conversion and timing runs. No folded copy is written here
        // (foldCache 'off'): its 95 MB IndexedDB write would overlap the first rounds.
        let resolveChosen: (engine: EngineReport) => void = () => {};
        const chosenLater = new Promise<EngineReport>((resolve) => (resolveChosen = resolve));
        const stop = client.onEvent((event) => {
          if (event.type === 'engine-chosen') resolveChosen(event.engine);
        });
        const ready = await client.load(entryFor(options.modelUrl), options.backend, () => {}, [], {
          foldCache: 'off',
        });
        const settled =
          ready.engine?.pending === true
            ? await Promise.race([
                chosenLater,
                new Promise<EngineReport>((_, reject) =>
                  setTimeout(() => reject(new Error('no engine chosen within 5 min')), 300_000),
                ),
              ]).finally(stop)
            : (stop(), ready.engine);
        const report = ready.backends.find((b) => b.backend === ready.backend);
        engines.push({
          name,
          run: async (_photo, copy) => {
            const r = await client.classify(copy, _photo.width, _photo.height, { topK: 1000 });
            const probs = new Float32Array(r.predictions.length);
            for (const p of r.predictions) probs[p.index] = p.probability;
            return probs;
          },
          close: () => client.terminate(),
        });
        const threads = /(\d+) threads?/.exec(report?.detail ?? '')?.[1];
        // The app's own engine choice (measured at load): photos may run on LiteRT.js.
        const chosen = settled ?? { engine: 'tfjs' as const, detail: 'TensorFlow.js' };
        infos.push({
          name,
          threads:
            chosen.engine === 'litert'
              ? (chosen.litertThreads ?? null)
              : threads
                ? Number(threads)
                : null,
          loadMs: performance.now() - start,
          detail: `TensorFlow.js ${ready.backend}: ${report?.detail ?? ''}; photos on ${chosen.engine}: ${chosen.detail}`,
          error: null,
          chosen,
        });
      } else {
        const worker =
          name === 'litert'
            ? new Worker(new URL('./litert.worker.ts', import.meta.url), { name: 'litert' })
            : new Worker(new URL('./ort.worker.ts', import.meta.url), { name: 'ort' });
        const peer = new PeerWorker(worker);
        const reply = await peer.load({
          type: 'load',
          modelUrl: new URL(name === 'litert' ? options.tfliteUrl : options.onnxUrl, location.href)
            .href,
          assetsUrl: new URL(
            name === 'litert' ? options.litertAssets : options.ortAssets,
            location.href,
          ).href,
          threads: options.threads,
        });
        if (reply.type !== 'loaded') {
          worker.terminate();
          throw new Error(reply.type === 'error' ? reply.message : 'no load reply');
        }
        engines.push({
          name,
          run: (photo, copy) => peer.run({ ...photo, pixels: copy }),
          close: () => worker.terminate(),
        });
        infos.push({
          name,
          threads: reply.threads,
          loadMs: reply.ms,
          detail: reply.detail,
          error: null,
        });
      }
    } catch (error) {
      infos.push({
        name,
        threads: null,
        loadMs: performance.now() - start,
        detail: '',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  for (let i = 0; i < options.warmup; i++) {
    for (const e of engines) {
      const photo = photos[i % photos.length] as Photo;
      await e.run(photo, photo.pixels.slice(0));
    }
  }
  return infos;
}

/** One photo per engine (the photo and the engines' order rotate with `round`). */
export async function enginesRound(round: number): Promise<EnginesRound> {
  const out: EnginesRound = {};
  const photo = photos[round % photos.length] as Photo;
  for (let k = 0; k < engines.length; k++) {
    const e = engines[(k + round) % engines.length] as Engine;
    const copy = photo.pixels.slice(0);
    const t = performance.now();
    await e.run(photo, copy);
    out[e.name] = performance.now() - t;
  }
  return out;
}

/** Largest |p_engine − p_ours| over all classes and photos (ours must be set up). */
export async function enginesCompare(): Promise<Partial<Record<WorkerEngine, number>>> {
  const ours = engines.find((e) => e.name === 'ours');
  const out: Partial<Record<WorkerEngine, number>> = {};
  if (!ours) return out;
  for (const photo of photos) {
    const reference = await ours.run(photo, photo.pixels.slice(0));
    for (const e of engines) {
      if (e === ours) continue;
      const probs = await e.run(photo, photo.pixels.slice(0));
      let diff = probs.length === reference.length ? 0 : Infinity;
      for (let i = 0; i < probs.length; i++) {
        diff = Math.max(diff, Math.abs((probs[i] as number) - (reference[i] as number)));
      }
      out[e.name] = Math.max(out[e.name] ?? 0, diff);
    }
  }
  return out;
}

/** Terminates every engine's worker. */
export function enginesClose(): void {
  for (const e of engines) e.close();
  engines = [];
}
