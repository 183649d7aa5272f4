/**
 * Node side of the bench: converts our InceptionV3 (a TensorFlow.js layers model on disk) into the
 * peers' formats — `.tflite` for LiteRT.js, `.onnx` for onnxruntime-web — with batch norm folded
 * and the weights rounded through float16 exactly as the app's float16 copy stores them, so every
 * engine computes with the same numbers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldedGraphOf, type ModelJsonLike } from '../../../src/inference/engines/keras-graph';
import { writeOnnx } from './onnx-writer';
import { writeTflite } from '../../../src/inference/engines/litert/tflite-writer';

/** Where the converted files went and their sizes. */
export interface PeerModels {
  tflite: { file: string; bytes: number };
  onnx: { file: string; bytes: number };
  ms: number;
}

/** Reads `modelDir/model.json` (float32 weights), writes `outDir/inception-v3.{tflite,onnx}`. */
export function writePeerModels(modelDir: string, outDir: string, float16: boolean): PeerModels {
  const start = Date.now();
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as ModelJsonLike;
  const data = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))),
  );
  const graph = foldedGraphOf(json, new Uint8Array(data).buffer, { float16 });
  mkdirSync(outDir, { recursive: true });
  const tflite = writeTflite(graph);
  const onnx = writeOnnx(graph);
  const tfliteFile = join(outDir, 'inception-v3.tflite');
  const onnxFile = join(outDir, 'inception-v3.onnx');
  writeFileSync(tfliteFile, tflite);
  writeFileSync(onnxFile, onnx);
  return {
    tflite: { file: tfliteFile, bytes: tflite.length },
    onnx: { file: onnxFile, bytes: onnx.length },
    ms: Date.now() - start,
  };
}
