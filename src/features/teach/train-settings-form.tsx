import { useState, type ReactNode } from 'react';
import {
  defaultSettings,
  type TrainPlan,
  type TrainSettings,
  type TrainStrategy,
} from '../../inference/protocol';
import { formatCount, formatDuration, settingsSummary } from './format';

const STRATEGIES: { id: TrainStrategy; title: string; detail: string }[] = [
  {
    id: 'head',
    title: 'Head only',
    detail:
      'The network stays as it is up to its global average pool; each photo’s features are computed once and a new classifier (softmax over your classes) learns on them. Fast; a few photos per class are enough.',
  },
  {
    id: 'fine-tune',
    title: 'Fine-tune',
    detail:
      'Also unfreezes the top blocks, as Keras names them (InceptionV3: mixed10, mixed9, …; ResNet50: conv5_block3, …), with a lower learning rate (SGD with momentum). Slower; helps with more photos.',
  },
  {
    id: 'scratch',
    title: 'From scratch',
    detail:
      'The base’s architecture with random weights (weights = None): every layer learns. Needs many photos and a lot of time in a browser; estimate the time first (it times one real step, which can take a minute).',
  },
];

function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step,
  testId,
  disabled,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step: number | 'any';
  testId: string;
  disabled: boolean;
}) {
  return (
    <label className="teach-field">
      <span>{label}</span>
      <input
        type="number"
        value={Number.isFinite(value) ? value : ''}
        min={min}
        max={max}
        step={step}
        data-testid={testId}
        disabled={disabled}
        onChange={(event) => onChange(event.target.valueAsNumber)}
      />
    </label>
  );
}

type NumericSetting = 'epochs' | 'batchSize' | 'learningRate' | 'validationSplit' | 'patience';

/** The numeric settings, in the order the form shows them. */
const NUMBER_FIELDS: {
  key: NumericSetting;
  label: string;
  min: number;
  max: number;
  step: number | 'any';
  testId: string;
}[] = [
  { key: 'epochs', label: 'Epochs', min: 1, max: 1000, step: 1, testId: 'teach-epochs' },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 256, step: 1, testId: 'teach-batch' },
  { key: 'learningRate', label: 'Learning rate', min: 0, max: 1, step: 'any', testId: 'teach-lr' },
  {
    key: 'validationSplit',
    label: 'Validation split',
    min: 0,
    max: 0.5,
    step: 0.05,
    testId: 'teach-split',
  },
  {
    key: 'patience',
    label: 'Early stopping patience (0 = off)',
    min: 0,
    max: 1000,
    step: 1,
    testId: 'teach-patience',
  },
];

/** Whether "Advanced settings" was left open (kept while Teach is left and opened again). */
let advancedOpen = false;

/** Props of {@link TrainSettingsForm}. */
export interface TrainSettingsFormProps {
  settings: TrainSettings;
  onChange: (settings: TrainSettings) => void;
  plan: TrainPlan | null;
  planError: string | null;
  disabled: boolean;
  children?: ReactNode;
}

/** The strategy, its parameter counts, and the training settings. */
export function TrainSettingsForm({
  settings,
  onChange,
  plan,
  planError,
  disabled,
  children,
}: TrainSettingsFormProps) {
  const set = <K extends keyof TrainSettings>(key: K, value: TrainSettings[K]): void =>
    onChange({ ...settings, [key]: value });
  const blocks = plan?.blocks ?? [];
  const maxBlocks = Math.max(1, blocks.length - 1);
  const fineTunable = blocks.length >= 2;
  const [open, setOpen] = useState(advancedOpen);

  return (
    <div className="teach-settings">
      <fieldset className="teach-strategies" disabled={disabled}>
        <legend>Strategy</legend>
        <p className="muted">
          Choosing a strategy sets its own epochs, batch size and learning rate (change them under
          Advanced settings afterwards); the validation split, augmentation and early stopping are
          kept.
        </p>
        {STRATEGIES.map((s) => (
          <label key={s.id} className="teach-strategy">
            <input
              type="radio"
              name="strategy"
              value={s.id}
              checked={settings.strategy === s.id}
              disabled={s.id === 'fine-tune' && plan !== null && !fineTunable}
              onChange={() =>
                onChange({
                  ...defaultSettings(s.id),
                  validationSplit: settings.validationSplit,
                  augment: settings.augment,
                  patience: settings.patience,
                  blocks: settings.blocks,
                })
              }
            />
            <span>
              <strong>{s.title}</strong> <span className="muted">{s.detail}</span>
            </span>
          </label>
        ))}
        {settings.strategy === 'fine-tune' && (
          <label className="teach-field">
            <span>Blocks to unfreeze</span>
            <select
              value={settings.blocks}
              data-testid="teach-blocks"
              onChange={(event) => set('blocks', Number(event.target.value))}
            >
              {Array.from({ length: maxBlocks }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}: {blocks.slice(0, n).join(', ') || `top ${n}`}
                </option>
              ))}
            </select>
          </label>
        )}
      </fieldset>

      <p
        className="teach-params"
        data-testid="teach-params"
        data-trainable={plan?.trainableParams ?? ''}
        data-frozen={plan?.frozenParams ?? ''}
        aria-live="polite"
      >
        {planError ? (
          <span className="teach-error">{planError}</span>
        ) : plan ? (
          <>
            <strong>{formatCount(plan.trainableParams)}</strong> trainable parameters ·{' '}
            <strong>{formatCount(plan.frozenParams)}</strong> frozen · base {plan.baseName},
            features from <code>{plan.featureLayer}</code>
            {plan.featurePooled && ', averaged over space (Keras’ pooling="avg")'} (
            {plan.featureSize}), input {plan.inputSize}×{plan.inputSize}
            {plan.frozenUpTo && (
              <>
                {' '}
                · frozen up to <code>{plan.frozenUpTo}</code>
              </>
            )}
          </>
        ) : (
          <span className="muted">Counting parameters…</span>
        )}
      </p>
      {plan?.estimate && (
        <p className="teach-estimate" data-testid="teach-estimate" data-ms={plan.estimate.totalMs}>
          Estimated time: <strong>{formatDuration(plan.estimate.totalMs)}</strong>{' '}
          <span className="muted">
            ({plan.estimate.steps} steps × {formatDuration(plan.estimate.stepMs)}
            {plan.estimate.measuredBatch < settings.batchSize &&
              ` (measured on ${plan.estimate.measuredBatch} photo, scaled to the batch)`}
            {plan.estimate.featurePhotos > 0 &&
              `, plus features of ${plan.estimate.featurePhotos} photos × ${formatDuration(plan.estimate.featureMs)}`}
            )
          </span>
        </p>
      )}

      <details
        className="teach-advanced"
        data-testid="teach-advanced"
        open={open}
        onToggle={(event) => {
          advancedOpen = event.currentTarget.open;
          setOpen(advancedOpen);
        }}
      >
        <summary>
          Advanced settings <span className="muted">({settingsSummary(settings)})</span>
        </summary>
        <fieldset className="teach-grid" disabled={disabled}>
          <legend>Settings</legend>
          {NUMBER_FIELDS.map(({ key, ...field }) => (
            <NumberField
              key={key}
              {...field}
              value={settings[key]}
              onChange={(v) => set(key, v)}
              disabled={disabled}
            />
          ))}
          <div className="teach-field">
            <span>Augmentation</span>
            {(['flip', 'crop', 'brightness'] as const).map((key) => (
              <label key={key} className="teach-check">
                <input
                  type="checkbox"
                  checked={settings.augment[key]}
                  data-testid={`teach-augment-${key}`}
                  onChange={(event) =>
                    set('augment', { ...settings.augment, [key]: event.target.checked })
                  }
                />
                {key === 'flip' ? 'flip' : key === 'crop' ? 'crop' : 'brightness'}
              </label>
            ))}
          </div>
        </fieldset>
        <button
          type="button"
          className="button--secondary"
          disabled={disabled}
          onClick={() =>
            onChange({ ...defaultSettings(settings.strategy), blocks: settings.blocks })
          }
        >
          Defaults for {STRATEGIES.find((s) => s.id === settings.strategy)?.title.toLowerCase()}
        </button>
      </details>
      {children}
    </div>
  );
}
