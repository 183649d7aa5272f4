import { featureCountText, formatDuration } from './format';
import type { RunState } from './run-state';

const PHASE_TEXT = {
  preparing: 'Preparing the model',
  features: 'Computing features',
  training: 'Training',
  evaluating: 'Evaluating',
} as const;

/**
 * How far a training run is (phase, epoch, batch, time left), or how it ended. `photos`: how many
 * photos the run trains and evaluates on (so the features count can say what it counts).
 */
export function TrainingStatus({ run, photos = null }: { run: RunState; photos?: number | null }) {
  const { progress } = run;
  const lastLog = run.logs[run.logs.length - 1];
  const { flip, crop, brightness } = run.settings.augment;
  // Head only caches augmented copies as extra images; the other strategies augment on the fly.
  const augmented = run.settings.strategy === 'head' && (flip || crop || brightness);
  return (
    <div
      className="teach-status"
      data-testid="teach-status"
      data-state={run.status}
      data-phase={progress?.phase ?? ''}
      data-epoch={progress?.epoch ?? lastLog?.epoch ?? 0}
      aria-live="polite"
    >
      {run.status === 'training' && (
        <>
          <p>
            {run.cancelling && 'Cancelling after the current step… · '}
            {progress ? PHASE_TEXT[progress.phase] : 'Starting'}
            {progress?.phase === 'features' &&
              ` · ${featureCountText(progress.done, progress.total, photos, augmented)}`}
            {progress?.phase === 'training' &&
              ` · epoch ${progress.epoch} of ${progress.epochs}, batch ${progress.done} of ${progress.total}`}
            {lastLog && ` · ${formatDuration(lastLog.ms)} per epoch`}
            {progress?.etaMs != null && ` · about ${formatDuration(progress.etaMs)} left`}
          </p>
          <progress
            max={1}
            value={
              progress?.phase === 'training'
                ? (progress.epoch - 1 + progress.done / Math.max(progress.total, 1)) /
                  Math.max(progress.epochs, 1)
                : progress && progress.total > 0
                  ? progress.done / progress.total
                  : undefined
            }
            aria-label="Training progress"
          />
        </>
      )}
      {run.status === 'cancelled' && <p>Training cancelled. Nothing was changed.</p>}
      {run.status === 'error' && run.error && (
        <p className="teach-error" role="alert">
          {run.error}
        </p>
      )}
    </div>
  );
}
