/**
 * The messages between the inference worker and its LiteRT.js helper worker (litert.worker.ts).
 * The helper is a classic worker of its own because LiteRT.js loads its Emscripten runtime with
 * `importScripts`, which module workers (ours) refuse.
 */

/** Inference worker → helper. */
export type LiteRtRequest =
  | {
      /** start loading the runtime now, before the file is at hand (a 'load' follows) */
      type: 'runtime';
      script: string;
      wasm: string;
    }
  | {
      type: 'load';
      /** the `.tflite` file; transferred, so the inference worker keeps no copy */
      model: Uint8Array;
      threads: number;
      /** the runtime's script and its `.wasm`, as served by our build */
      script: string;
      wasm: string;
    }
  | {
      type: 'run';
      id: number;
      /** transferred; the reply hands it back for the next photo (litert-engine.ts) */
      input: Float32Array;
    };

/** Helper → inference worker. */
export type LiteRtReply =
  | {
      type: 'loaded';
      threads: number;
      /** the runtime ready, in ms since the helper was made */
      runtimeMs: number;
      /** the model's compile, once the runtime and the file were both in */
      compileMs: number;
    }
  | {
      type: 'result';
      id: number;
      outputs: Float32Array[];
      /** the run's input buffer, handed back (transferred) */
      input?: Float32Array;
    }
  | { type: 'error'; id?: number; message: string; input?: Float32Array };
