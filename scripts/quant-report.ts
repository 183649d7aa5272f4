/**
 * `npm run model:quant-report`: measures what weight quantisation costs, to choose
 * model:fetch's default precision. For the real ImageNet MobileNet in ../shared and for our
 * InceptionV3 (nsfwjs' real Keras weights + a seeded random top), each quantised with our
 * quantiser, on the real photos in ../shared: top-1 and top-3 agreement with float32, the largest
 * probability difference, and the size. Prints a Markdown table.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  artifactsOf,
  quantizeWeights,
  weightBundleOf,
  WEIGHT_PRECISIONS,
  type WeightPrecision,
} from '../src/models/tfjs-artifacts';
import { useWasmBackend } from '../src/test/tf-node';
import { referenceInception } from './keras-h5-fixture';
import { loadModelFolder } from './model-convert';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
/** ../shared beside the checkout (or $INCEPTION_LENS_SHARED). */
export const SHARED_DIR = resolve(process.env.INCEPTION_LENS_SHARED ?? join(ROOT, '..', 'shared'));
const PHOTOS = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg'];

/** One row of the report. */
export interface QuantRow {
  model: string;
  precision: WeightPrecision;
  weightBytes: number;
  /** photos whose top-1 class equals float32's */
  top1: number;
  /** photos whose top-3 set equals float32's */
  top3: number;
  photos: number;
  maxProbDiff: number;
}

/** A photo as a [1, size, size, 3] tensor in [-1, 1] (bilinear resize, like Keras' load_img). */
function photoTensor(tf: typeof tfTypes, path: string, size: number): tfTypes.Tensor4D {
  const { width, height, data } = jpeg.decode(readFileSync(path), { useTArray: true });
  return tf.tidy<tfTypes.Tensor4D>(() => {
    const rgba = tf.tensor3d(data, [height, width, 4], 'int32');
    const rgb = rgba.slice([0, 0, 0], [height, width, 3]).toFloat();
    const resized = tf.image.resizeBilinear(rgb, [size, size]);
    return resized.div(127.5).sub(1).expandDims(0);
  });
}

function top(values: Float32Array, k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b]! - values[a]!)
    .slice(0, k);
}

/** Measures every precision of `model` on the photos; `model` stays the caller's. */
export async function measure(
  tf: typeof tfTypes,
  name: string,
  model: tfTypes.LayersModel,
  photos: string[],
): Promise<QuantRow[]> {
  const size = model.inputs[0]!.shape[1] as number;
  const inputs = photos.map((p) => photoTensor(tf, p, size));
  const probs = async (m: tfTypes.LayersModel): Promise<Float32Array[]> =>
    Promise.all(
      inputs.map(async (x) => {
        const out = m.predict(x) as tfTypes.Tensor;
        const values = (await out.data()) as Float32Array;
        out.dispose();
        return values;
      }),
    );
  const artifacts = await artifactsOf(model);
  const bundle = weightBundleOf(artifacts);
  const reference = await probs(model);
  const rows: QuantRow[] = [];
  for (const precision of WEIGHT_PRECISIONS) {
    const q = quantizeWeights(bundle, precision);
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ ...artifacts, weightSpecs: q.specs, weightData: q.data }),
    );
    const got = await probs(loaded);
    loaded.dispose();
    let top1 = 0;
    let top3 = 0;
    let maxProbDiff = 0;
    got.forEach((p, i) => {
      const r = reference[i]!;
      if (top(p, 1)[0] === top(r, 1)[0]) top1++;
      const a = top(p, 3).sort();
      const b = top(r, 3).sort();
      if (a.every((v, j) => v === b[j])) top3++;
      for (let j = 0; j < p.length; j++)
        maxProbDiff = Math.max(maxProbDiff, Math.abs(p[j]! - r[j]!));
    });
    rows.push({
      model: name,
      precision,
      weightBytes: q.data.byteLength,
      top1,
      top3,
      photos: photos.length,
      maxProbDiff,
    });
  }
  tf.dispose(inputs);
  return rows;
}

/** The report as a Markdown table. */
export function formatRows(rows: QuantRow[]): string {
  const lines = [
    '| model | precision | weights | top-1 same | top-3 set same | max prob diff |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${r.precision} | ${(r.weightBytes / 1024 / 1024).toFixed(1)} MB | ` +
        `${r.top1}/${r.photos} | ${r.top3}/${r.photos} | ${r.maxProbDiff.toExponential(1)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const photos = PHOTOS.map((p) => join(SHARED_DIR, 'photos', p));
  const mobilenetDir = join(SHARED_DIR, 'models', 'mobilenet_v1_0.75_224');
  if (!photos.every((p) => existsSync(p)) || !existsSync(join(mobilenetDir, 'model.json'))) {
    console.error(`model:quant-report needs ../shared (photos and MobileNet) at ${SHARED_DIR}`);
    process.exitCode = 1;
    return;
  }
  const tf = await useWasmBackend();
  const rows: QuantRow[] = [];
  const mobilenet = await loadModelFolder(tf, mobilenetDir);
  rows.push(...(await measure(tf, 'MobileNet v1 0.75 (ImageNet)', mobilenet, photos)));
  mobilenet.dispose();
  const inception = await referenceInception(true);
  rows.push(...(await measure(tf, 'InceptionV3 (nsfwjs base, random top)', inception, photos)));
  inception.dispose();
  console.log(formatRows(rows));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
