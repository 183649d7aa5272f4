/** Finds the class names for a model's outputs, following its registry entry. */
import { IMAGENET_LABELS } from '../../models/imagenet-labels';
import type { ModelEntry } from '../../models/registry';
import type { LoadedModelInfo } from '../protocol';

/** Class names plus where they came from. */
export interface ResolvedLabels {
  labels: readonly string[];
  offset: number;
  source: LoadedModelInfo['labelSource'];
}

/** URL of the `metadata.json` that sits beside a `model.json`. */
export function metadataUrl(modelUrl: string): string {
  return new URL('metadata.json', modelUrl).href;
}

/** True for an ImageNet-sized output: 1000 classes, or 1001 with TF-slim's "background" first. */
export function isImageNetSized(numClasses: number): boolean {
  return numClasses === 1000 || numClasses === 1001;
}

function imagenetFor(numClasses: number): ResolvedLabels | null {
  if (!isImageNetSized(numClasses)) return null;
  if (numClasses === 1000) return { labels: IMAGENET_LABELS, offset: 0, source: 'imagenet' };
  // 1001 outputs: TF-slim style, with class 0 = "background".
  return { labels: IMAGENET_LABELS, offset: 1, source: 'imagenet' };
}

/**
 * Labels for a model with `numClasses` outputs. `readMetadata` returns the parsed
 * `metadata.json` beside the model, or `null` when there is none.
 */
export async function resolveLabels(
  entry: ModelEntry,
  numClasses: number,
  readMetadata: () => Promise<unknown>,
): Promise<ResolvedLabels> {
  const { labels } = entry;
  if (labels.kind === 'list') {
    if (labels.labels.length !== numClasses - entry.labelOffset) {
      throw new Error(
        `${entry.name} has ${numClasses} outputs but ${labels.labels.length} class names`,
      );
    }
    return { labels: labels.labels, offset: entry.labelOffset, source: 'list' };
  }
  if (labels.kind === 'imagenet') {
    const found = imagenetFor(numClasses);
    if (!found) throw new Error(`${entry.name} has ${numClasses} outputs, not ImageNet's 1000`);
    return found;
  }
  let metadata: unknown = null;
  try {
    metadata = await readMetadata();
  } catch {
    metadata = null; // no metadata.json (or unreadable): fall through to the defaults
  }
  const list = (metadata as { labels?: unknown } | null)?.labels;
  if (Array.isArray(list) && list.every((l) => typeof l === 'string')) {
    const offset = numClasses - list.length;
    if (offset === 0 || offset === 1) return { labels: list, offset, source: 'metadata' };
  }
  return (
    imagenetFor(numClasses) ?? {
      labels: Array.from({ length: numClasses }, (_, i) => `class ${i}`),
      offset: 0,
      source: 'index',
    }
  );
}

/** The label of output `index`, honouring the offset ("background" for skipped outputs). */
export function labelAt(resolved: ResolvedLabels, index: number): string {
  const i = index - resolved.offset;
  return i < 0 ? 'background' : (resolved.labels[i] ?? `class ${index}`);
}
