/**
 * Feature maps: what one layer of the active model computes for a photo, one grey image per
 * channel. The channels are ranked by their mean activation over the positions (the most active
 * first), each tile is scaled to 0..255 on its own, and the tiles travel as one compact uint8
 * atlas; no tensor outlives the request.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureMapsResult, InspectRequests } from './protocol';
import { blockLayers, camLayers } from './grad-cam';
import { type Handler, type HandlerContext } from '../seam/handlers';
import { photoInput } from './photo-input';

/** Channels shown when the request does not say. */
export const DEFAULT_FEATURE_MAP_COUNT = 64;
/** The most channels one request may ask for (keeps the atlas small). */
export const MAX_FEATURE_MAP_COUNT = 256;
/** Tiles larger than this (early layers, e.g. 147 × 147) are scaled down to it. */
export const MAX_TILE_SIDE = 64;
/**
 * The default layer is the deepest one still at least this many positions across: deeper maps
 * (8 × 8, 7 × 7) are too coarse to show shapes, earlier ones mostly show edges.
 */
const DEFAULT_MIN_SIDE = 14;

/**
 * The layer shown by default: the deepest spatial layer at least {@link DEFAULT_MIN_SIDE}
 * positions across, padding layers aside (an Inception block output when the model has them:
 * `mixed7` in InceptionV3; `conv_pw_11_relu` in MobileNet), else the deepest spatial layer.
 */
export function defaultFeatureMapLayer(model: tf.LayersModel): string {
  // Padding layers only add a border of zeros to the layer before them.
  const spatial = camLayers(model).filter(
    (l) => model.getLayer(l.name).getClassName() !== 'ZeroPadding2D',
  );
  const blocks = new Set(blockLayers(model));
  const candidates = blocks.size > 0 ? spatial.filter((l) => blocks.has(l.name)) : spatial;
  const wide = candidates.filter((l) => Math.min(l.shape[0], l.shape[1]) >= DEFAULT_MIN_SIDE);
  const chosen = wide[wide.length - 1] ?? candidates[candidates.length - 1];
  if (!chosen) {
    throw new Error(`'${model.name}' has no layer with a spatial (4-D) output to show`);
  }
  return chosen.name;
}

/** Channel indices ordered by mean activation, highest first (ties: lower index first). */
export function rankChannels(means: ArrayLike<number>): number[] {
  return Array.from({ length: means.length }, (_, i) => i).sort(
    (a, b) => (means[b] as number) - (means[a] as number) || a - b,
  );
}

/** Options of {@link featureMaps}. */
export interface FeatureMapOptions {
  /** channels to show (default {@link DEFAULT_FEATURE_MAP_COUNT}) */
  count?: number;
  /** largest tile side (default {@link MAX_TILE_SIDE}) */
  maxTile?: number;
}

/**
 * Runs `input` (`[1, size, size, 3]`, already preprocessed) through `model` up to `layer` and
 * returns its most active channels as a tile atlas. `input` stays the caller's.
 */
export async function featureMaps(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  layer: string,
  options: FeatureMapOptions = {},
): Promise<Omit<FeatureMapsResult, 'layers' | 'defaultLayer' | 'ms'>> {
  const known = camLayers(model).find((l) => l.name === layer);
  if (!known) {
    const exists = model.layers.some((l) => l.name === layer);
    throw new Error(
      exists
        ? `layer '${layer}' has no spatial (4-D) output to show as images`
        : `the model has no layer named '${layer}'`,
    );
  }
  const [h, w, c] = known.shape;
  const count = Math.max(
    1,
    Math.min(options.count ?? DEFAULT_FEATURE_MAP_COUNT, MAX_FEATURE_MAP_COUNT, c),
  );
  const maxTile = Math.max(1, options.maxTile ?? MAX_TILE_SIDE);
  const scale = Math.min(1, maxTile / Math.max(h, w));
  const tileHeight = Math.max(1, Math.round(h * scale));
  const tileWidth = Math.max(1, Math.round(w * scale));
  const output = (model.getLayer(layer).output as tf.SymbolicTensor).name;

  // The activations and their channel means; the ranking is done on the page's side of tf.
  const activations = tf.tidy(() => model.execute(input, output) as tf.Tensor4D);
  let made: { tiles: tf.Tensor; ranges: tf.Tensor } | null = null;
  try {
    const meanTensor = tf.tidy(() => activations.mean([0, 1, 2]));
    const allMeans = (await meanTensor.data()) as Float32Array;
    meanTensor.dispose();
    const channels = rankChannels(allMeans).slice(0, count);
    made = tf.tidy(() => {
      let picked = tf.gather<tf.Tensor4D>(activations, tf.tensor1d(channels, 'int32'), 3);
      if (tileHeight !== h || tileWidth !== w) {
        picked = tf.image.resizeBilinear(picked, [tileHeight, tileWidth], true);
      }
      const perChannel = picked.squeeze([0]).transpose([2, 0, 1]); // [count, th, tw]
      const lo = perChannel.min([1, 2], true);
      const hi = perChannel.max([1, 2], true);
      // A flat tile (all one value) stays black instead of dividing by zero.
      const span = tf.maximum(hi.sub(lo), tf.scalar(1e-12));
      const bytes = perChannel.sub(lo).div(span).mul(255).round().clipByValue(0, 255).toInt();
      return { tiles: bytes, ranges: tf.concat([lo.reshape([-1]), hi.reshape([-1])]) };
    });
    const [atlasValues, rangeValues] = await Promise.all([made.tiles.data(), made.ranges.data()]);
    return {
      layer,
      shape: [h, w, c],
      channels,
      means: channels.map((i) => allMeans[i] as number),
      mins: Array.from(rangeValues.subarray(0, count)),
      maxes: Array.from(rangeValues.subarray(count)),
      tileWidth,
      tileHeight,
      atlas: Uint8Array.from(atlasValues).buffer,
    };
  } finally {
    activations.dispose();
    made?.tiles.dispose();
    made?.ranges.dispose();
  }
}

/** The `inspect-feature-maps` handler: decode the request's pixels, run, answer with the atlas. */
export function createFeatureMapsHandler(
  activeModel: (context: HandlerContext<keyof InspectRequests>) => Promise<tf.LayersModel>,
): Handler<'inspect-feature-maps'> {
  return async (req, context) => {
    const model = await activeModel(context);
    const defaultLayer = defaultFeatureMapLayer(model);
    const start = performance.now();
    const input = photoInput(req, context);
    try {
      const maps = await featureMaps(
        model,
        input,
        req.layer ?? defaultLayer,
        req.count !== undefined ? { count: req.count } : {},
      );
      return {
        result: {
          ...maps,
          layers: camLayers(model),
          defaultLayer,
          ms: performance.now() - start,
        },
      };
    } finally {
      input.dispose();
    }
  };
}
