/**
 * A loaded TensorFlow.js layers model (normally its inference form, batch norm already folded)
 * written as a `.tflite` file for LiteRT.js, in the worker: the converter the bench uses too
 * (../keras-graph.ts, ./tflite-writer.ts), fed from the model in memory instead of files.
 */
import type * as tf from '@tensorflow/tfjs';
import { graphOf } from '../keras-graph';
import { writeTflite } from './tflite-writer';

/**
 * `model` as a `.tflite` file; `features`: the layer whose output is written as the second
 * output (the pooled features), or null. Throws for a layer the converter does not know, usually
 * before most weights are read: each weight is copied off the backend when the converter reaches
 * its layer, and let go of as the file takes it.
 */
export function tfliteOf(model: tf.LayersModel, features: string | null): Uint8Array {
  const variables = new Map<string, tf.LayerVariable>();
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      variables.set(`${layer.name}/${w.originalName.split('/').pop() ?? w.originalName}`, w);
    }
  }
  const read = (name: string): Float32Array | undefined => {
    const variable = variables.get(name);
    // The converter only reads these arrays (never writes), so TensorFlow.js' copy is enough.
    return variable ? (variable.read().dataSync() as Float32Array) : undefined;
  };
  const graph = graphOf(model.toJSON(null, false), read, features === null ? {} : { features });
  return writeTflite(graph, { description: 'inception-lens worker', consume: true });
}
