import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import { formatDuration } from './format';
import type { RunState } from './run-state';
import { cancelTraining, estimate, estimateKey, setSettings, startTraining } from './teach-run';
import { trainingSet } from './teach-state';
import { TrainSettingsForm } from './train-settings-form';
import { TrainingChart } from './training-chart';
import { TrainingStatus } from './training-status';
import { useTrainingPlan } from './use-training-plan';

/** Props of {@link TrainingPanel}. */
export interface TrainingPanelProps {
  client: InferenceClient;
  model: LoadedModelInfo | null;
  run: RunState;
  /** the classes and photos as training would take them (or why it cannot start) */
  set: ReturnType<typeof trainingSet>;
  numClasses: number;
  /** photos are still being prepared */
  adding: boolean;
  /** a job (training or an estimate) starts */
  onStart: () => void;
}

/** Settings, Train / Estimate / Cancel, the live status and the learning curves. */
export function TrainingPanel({
  client,
  model,
  run,
  set,
  numClasses,
  adding,
  onStart,
}: TrainingPanelProps) {
  const { settings } = run;
  const training = run.status === 'training' || run.status === 'estimating';
  const { plan, planError } = useTrainingPlan(client, model, settings, numClasses);
  const currentKey =
    model && !('problem' in set)
      ? estimateKey(
          settings,
          set.examples.map((e) => e.id),
          model.id,
        )
      : '';
  const measured = run.estimate?.key === currentKey ? run.estimate.plan : null;
  const needsEstimate = settings.strategy === 'scratch' && !measured;

  return (
    <section aria-label="Training">
      <h3>Train</h3>
      <TrainSettingsForm
        settings={settings}
        onChange={setSettings}
        plan={measured ?? plan}
        planError={planError}
        disabled={training}
      />
      <div className="teach-row">
        <button
          type="button"
          data-testid="teach-train"
          disabled={!model || training || adding || 'problem' in set || needsEstimate}
          title={
            'problem' in set
              ? set.problem
              : adding
                ? 'Wait until the photos are added'
                : needsEstimate
                  ? 'Estimate the time first'
                  : undefined
          }
          onClick={() => {
            onStart();
            if (model) void startTraining(client, model.inputSize);
          }}
        >
          {settings.strategy === 'scratch' && measured
            ? `Train from scratch (≈ ${formatDuration(measured.estimate?.totalMs ?? NaN)})`
            : 'Train'}
        </button>
        <button
          type="button"
          className="button--secondary"
          data-testid="teach-estimate-button"
          disabled={!model || training || adding || 'problem' in set}
          onClick={() => {
            onStart();
            if (model) void estimate(client, model.inputSize, model.id);
          }}
        >
          {run.status === 'estimating' ? 'Measuring one step…' : 'Estimate time'}
        </button>
        <button
          type="button"
          className="button--secondary"
          data-testid="teach-cancel"
          disabled={!training || run.cancelling}
          onClick={cancelTraining}
        >
          {run.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
        {'problem' in set && <span className="muted">{set.problem}</span>}
        {run.report && !run.saved && !run.lost && !training && (
          <span className="muted" data-testid="teach-unsaved">
            The model trained last is not saved: training again replaces it.
          </span>
        )}
      </div>
      <TrainingStatus run={run} photos={'problem' in set ? null : set.examples.length} />
      {(run.logs.length > 0 || run.status === 'training') && <TrainingChart logs={run.logs} />}
    </section>
  );
}
