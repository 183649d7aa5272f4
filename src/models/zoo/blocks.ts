/**
 * Finding an architecture's blocks by the names Keras gives their layers, for any model that keeps
 * those names (a zoo model, a model loaded from a Keras export, a model Teach made from one).
 * Plain string work, no TensorFlow.js: the worker's summary, Grad-CAM and Teach share it.
 */

/**
 * One family's naming of its block outputs. `key` names the block a layer belongs to; where a
 * block has several matching layers (MobileNetV2's `block_2_project_BN` then `block_2_add`), the
 * last one in the model's layer order ends the block.
 */
export interface BlockPattern {
  /** The architecture, for people. */
  family: string;
  /** Matches a block's output layer; capture group 1, when present, is the block's key. */
  pattern: RegExp;
  /**
   * Matches the layer ending the stem (the layers before the first block), where Keras names it;
   * without it the stem is found from the graph (InceptionV3: up to where the first block branches).
   */
  stem?: RegExp;
}

/**
 * Block outputs of the zoo's architectures, as Keras names them. Order matters: the first pattern
 * that finds at least two blocks wins, so the narrower Xception pattern comes before VGG's
 * `blockN_pool` (Xception also has `block13_pool`).
 */
export const BLOCK_PATTERNS: readonly BlockPattern[] = Object.freeze([
  { family: 'InceptionV3', pattern: /^(mixed\d+)$/ },
  { family: 'MobileNet', pattern: /^(conv_pw_\d+)_relu$/, stem: /^conv1_relu$/ },
  { family: 'ResNet', pattern: /^(conv\d+_block\d+)_out$/, stem: /^pool1_pool$/ },
  {
    family: 'MobileNetV2',
    pattern: /^(expanded_conv|block_\d+)_(?:project_BN|add)$/,
    stem: /^Conv1_relu$/,
  },
  {
    family: 'EfficientNet',
    pattern: /^(block\d+[a-z])_(?:project_bn|add)$/,
    stem: /^stem_activation$/,
  },
  { family: 'Xception', pattern: /^(block1_conv2_act|add_\d+|block14_sepconv2_act)$/ },
  { family: 'VGG', pattern: /^(block\d+)_pool$/ },
]);

/** The blocks found in a model's layer names, and which family's pattern found them. */
export interface FoundBlocks {
  family: string;
  /** layers ending each block, in the order given (input side first for a model's layers) */
  ends: string[];
  /** the layer ending the stem, where the family names one and it comes before the first block */
  stemEnd?: string;
}

/**
 * The layers ending each block among `names` (a model's layer names in its order), by the first
 * pattern of {@link BLOCK_PATTERNS} that finds two blocks or more; null when none does.
 */
export function findBlocks(names: readonly string[]): FoundBlocks | null {
  for (const { family, pattern, stem } of BLOCK_PATTERNS) {
    const lastOfKey = new Map<string, number>();
    names.forEach((name, i) => {
      const match = pattern.exec(name);
      if (match) lastOfKey.set(match[1] ?? match[0], i);
    });
    if (lastOfKey.size >= 2) {
      const order = [...lastOfKey.values()].sort((a, b) => a - b);
      const ends = order.map((i) => names[i] as string);
      const stemAt = stem ? names.findIndex((n) => stem.test(n)) : -1;
      const stemEnd = stemAt >= 0 && stemAt < (order[0] as number) ? names[stemAt] : undefined;
      return stemEnd === undefined ? { family, ends } : { family, ends, stemEnd };
    }
  }
  return null;
}
