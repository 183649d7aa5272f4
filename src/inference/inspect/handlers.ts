/**
 * Worker handlers of the "understand the model" requests: the summary, one layer's weights, and
 * a Grad-CAM heatmap for one image. They run on the active model (see `InferenceService`).
 */
import * as tf from '@tensorflow/tfjs';
import { rgbaToRgbFloat } from '../../preprocess/pixels';
import { blockLayers, camLayers, defaultCamLayer, gradCam, GradCamStopped } from './grad-cam';
import type { InspectRequest } from './protocol';
import { summarizeModel } from './summary';
import { inspectLayerWeights } from './weights';
import type { WorkerRequest } from '../protocol';
import type { FeatureHandler, ServiceContext } from '../seam/service';

/** The active layers model, or an error that says why there is none. */
function activeModel(context: ServiceContext): tf.LayersModel {
  const classifier = context.classifier;
  if (!classifier) throw new Error('no model is loaded');
  if (!classifier.model) throw new Error(`${classifier.info.name} cannot be inspected`);
  return classifier.model;
}

function narrow<T extends InspectRequest['type']>(
  request: WorkerRequest,
  type: T,
): Extract<InspectRequest, { type: T }> {
  if (request.type !== type) throw new Error(`expected a '${type}' request, got '${request.type}'`);
  return request as Extract<InspectRequest, { type: T }>;
}

const summary: FeatureHandler = (request, context) => {
  const { id } = narrow(request, 'inspect-summary');
  const model = activeModel(context);
  context.post({ type: 'inspect-summary-result', id, summary: summarizeModel(model) });
  return Promise.resolve();
};

const weights: FeatureHandler = async (request, context) => {
  const { id, layer } = narrow(request, 'inspect-weights');
  const result = await inspectLayerWeights(activeModel(context), layer);
  if (context.isCancelled()) return; // the service answers 'cancelled'
  context.post({ type: 'inspect-weights-result', id, weights: result });
};

const explain: FeatureHandler = async (request, context) => {
  const req = narrow(request, 'grad-cam');
  const model = activeModel(context);
  const classifier = context.classifier;
  const info = classifier?.info;
  const range = classifier?.entry?.inputRange ?? info?.inputRange;
  if (!info || !range) throw new Error('no model is loaded');
  const { width, height } = req;
  const rgba = new Uint8Array(req.pixels);
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) {
    throw new Error(`expected ${width}×${height} RGBA pixels, got ${rgba.length} bytes`);
  }
  const layer = req.layer ?? defaultCamLayer(model);
  const start = performance.now();
  const input = tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(rgbaToRgbFloat(rgba, range), [1, height, width, 3]);
    if (width !== info.inputSize || height !== info.inputSize) {
      x = tf.image.resizeBilinear(x, [info.inputSize, info.inputSize]);
    }
    return x;
  });
  try {
    const map = await gradCam(model, input, req.classIndex, layer, {
      onStage: (stage) => context.post({ type: 'grad-cam-progress', id: req.id, stage }),
      shouldStop: () => context.isCancelled(),
    });
    context.post({
      type: 'grad-cam-result',
      id: req.id,
      result: {
        layer,
        classIndex: req.classIndex,
        grid: map.grid,
        width: map.width,
        height: map.height,
        rawMax: map.rawMax,
        probability: map.probability,
        layers: camLayers(model),
        defaultLayer: defaultCamLayer(model),
        blocks: blockLayers(model),
        ms: performance.now() - start,
      },
    });
  } catch (error) {
    if (error instanceof GradCamStopped) return; // the service answers 'cancelled'
    throw error;
  } finally {
    input.dispose();
  }
};

/** The handlers, by request type, for `InferenceService`'s `features`. */
export const inspectFeatures: Partial<Record<WorkerRequest['type'], FeatureHandler>> = {
  'inspect-summary': summary,
  'inspect-weights': weights,
  'grad-cam': explain,
};
