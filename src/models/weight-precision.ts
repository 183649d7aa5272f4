/**
 * Weight precisions the app can store models in. Kept free of TensorFlow.js so the page can
 * offer the choice; the quantiser itself is in tfjs-artifacts.ts.
 */

/** How weights are stored: as they are, or quantised by the tfjs manifest rules. */
export type WeightPrecision = 'float32' | 'float16' | 'uint8';

/** Every precision, in decreasing size. */
export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = ['float32', 'float16', 'uint8'];

/**
 * The precision `npm run model:fetch` and the page use unless told otherwise. Chosen by
 * measurement (`npm run model:quant-report`, README "Weights"): float16 kept the top-3 of the real
 * MobileNet and of InceptionV3 on every shared photo at half the size; uint8 changed top-3 sets.
 */
export const DEFAULT_PRECISION: WeightPrecision = 'float16';

/** True for a string that names a precision. */
export function isWeightPrecision(value: unknown): value is WeightPrecision {
  return (WEIGHT_PRECISIONS as readonly unknown[]).includes(value);
}
