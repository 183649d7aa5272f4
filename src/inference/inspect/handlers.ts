/**
 * Worker handlers of the "understand the model" requests: the summary, one layer's weights, and
 * a Grad-CAM heatmap for one image. They run on the active model (see `InferenceService`).
 */
import * as tf from '@tensorflow/tfjs';
import { zooFacts } from '../../models/zoo/catalog';
import { blockLayers, camLayers, defaultCamLayer, gradCam } from './grad-cam';
import type { InspectRequests } from '../protocol';
import { RequestError, type Handler, type Handlers, type HandlerContext } from '../seam/handlers';
import { createFeatureMapsHandler } from './feature-maps';
import { photoInput } from './photo-input';
import { summarizeModel } from './summary';
import { inspectLayerWeights } from './weights';

/**
 * The active model in its Keras structure (built now if only its folded copy was loaded), or an
 * error that says why there is none.
 */
async function activeModel(
  context: HandlerContext<keyof InspectRequests>,
): Promise<tf.LayersModel> {
  const classifier = context.classifier;
  if (!classifier) throw new RequestError('no-model', 'no model is loaded');
  if (!classifier.original) throw new Error(`${classifier.info.name} cannot be inspected`);
  return classifier.original();
}

const summary: Handler<'inspect-summary'> = async (_request, context) => ({
  summary: summarizeModel(await activeModel(context)),
});

const weights: Handler<'inspect-weights'> = async ({ layer }, context) => ({
  weights: await inspectLayerWeights(await activeModel(context), layer),
});

const explain: Handler<'grad-cam'> = async (req, context) => {
  const model = await activeModel(context);
  // A zoo model explains at the layer its table names (e.g. VGG16's block5_conv3).
  const zoo = context.classifier?.entry?.zoo;
  const preferred = zoo ? zooFacts(zoo.name).lastSpatialLayer : undefined;
  const fallback = defaultCamLayer(model, preferred);
  const layer = req.layer ?? fallback;
  const start = performance.now();
  const input = photoInput(req, context);
  try {
    const map = await gradCam(model, input, req.classIndex, layer, {
      onStage: (stage) => context.progress({ stage }),
      shouldStop: () => context.isCancelled(),
    });
    return {
      result: {
        layer,
        classIndex: req.classIndex,
        grid: map.grid,
        width: map.width,
        height: map.height,
        rawMax: map.rawMax,
        probability: map.probability,
        layers: camLayers(model),
        defaultLayer: fallback,
        blocks: blockLayers(model),
        ms: performance.now() - start,
      },
    };
  } finally {
    input.dispose();
  }
};

/** The inspect handlers, by request type (a stopped Grad-CAM throws; the service answers 'cancelled'). */
export const inspectHandlers: Handlers<keyof InspectRequests> = {
  'inspect-summary': summary,
  'inspect-weights': weights,
  'grad-cam': explain,
  'inspect-feature-maps': createFeatureMapsHandler(activeModel),
};
