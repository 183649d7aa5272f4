/** Small formatters for the Teach view (pure). */
import type { TrainSettings } from '../../inference/protocol';

/** 21802784 → "21,802,784". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 05 s" or "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** 0.9567 → "95.7 %". */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(1)} %`;
}

/** Bytes as "12.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The features phase's count, in words that add up: the count is of images to compute, which is
 * the photos only when each photo is one image (augmented copies add images; features computed
 * before, or during training, are not counted), so otherwise it names the photos it is for.
 */
export function featureCountText(
  done: number,
  total: number,
  photos: number | null,
  augmented: boolean,
): string {
  if (photos === null) return `${done} of ${total}`;
  if (total === photos && !augmented) return `${done} of ${total} photos`;
  return `${done} of ${total} images (for your ${photos} photos${augmented ? ', with their augmented copies' : ''})`;
}

/** "20 epochs · batch 16 · learning rate 0.001 · 20 % for validation · flip": the folded settings. */
export function settingsSummary(settings: TrainSettings): string {
  const augment = (['flip', 'crop', 'brightness'] as const).filter((k) => settings.augment[k]);
  return [
    `${settings.epochs} epochs`,
    `batch ${settings.batchSize}`,
    `learning rate ${settings.learningRate}`,
    `${Math.round(settings.validationSplit * 100)} % for validation`,
    augment.length > 0 ? augment.join(', ') : 'no augmentation',
    ...(settings.patience > 0 ? [`early stopping after ${settings.patience}`] : []),
  ].join(' · ');
}
