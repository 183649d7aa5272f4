/**
 * Copies weights between two Keras-style models by layer name, for sources whose graph differs
 * in weightless layers (e.g. a Keras 2.1 MobileNet export: no `conv_pad_*`, a Reshape in the
 * top) but whose weight-owning layers carry the same names and shapes.
 */
import type * as tf from '@tensorflow/tfjs';

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.join(',')}]`;

/**
 * Where weights are copied from: a model, or anything shaped like one (a Keras weight file's
 * layers, whose class is not recorded, so `getClassName` is optional).
 */
export interface WeightSource {
  layers: readonly {
    name: string;
    getClassName?(): string;
    weights: readonly { shape: readonly (number | null)[]; read(): tf.Tensor }[];
  }[];
}

/**
 * For every weight-owning layer of `target`, takes the weights of the `source` layer with the
 * same name. Checks everything first (missing layer, class, weight count, shapes; source layers
 * with weights the target lacks) and throws naming the layer, leaving `target` untouched.
 * Returns the number of layers copied.
 */
export function copyWeightsByName(source: WeightSource, target: tf.LayersModel): number {
  const targets = target.layers.filter((l) => l.weights.length > 0);
  const sourceByName = new Map(source.layers.map((l) => [l.name, l]));
  const targetNames = new Set(targets.map((l) => l.name));
  const unused = source.layers.filter((l) => l.weights.length > 0 && !targetNames.has(l.name));
  if (unused.length > 0) {
    throw new Error(
      `copyWeightsByName: the target has no layer for source weights of ${unused.map((l) => l.name).join(', ')}`,
    );
  }
  for (const layer of targets) {
    const src = sourceByName.get(layer.name);
    if (src === undefined) {
      throw new Error(`copyWeightsByName: the source has no layer named ${layer.name}`);
    }
    if (src.getClassName && src.getClassName() !== layer.getClassName()) {
      throw new Error(
        `layer ${layer.name}: class ${layer.getClassName()} does not match source class ${src.getClassName()}`,
      );
    }
    if (src.weights.length !== layer.weights.length) {
      throw new Error(
        `layer ${layer.name}: has ${layer.weights.length} weights but the source has ${src.weights.length}`,
      );
    }
    layer.weights.forEach((w, i) => {
      const s = src.weights[i]!;
      if (shapeText(w.shape) !== shapeText(s.shape)) {
        throw new Error(
          `layer ${layer.name}: weight ${w.originalName} shape ${shapeText(w.shape)} does not match source ${shapeText(s.shape)}`,
        );
      }
    });
  }
  // LayerVariable.read() hands back the variable itself, so nothing new is allocated.
  for (const layer of targets) {
    layer.setWeights(sourceByName.get(layer.name)!.weights.map((w) => w.read()));
  }
  return targets.length;
}
