import { useEffect, useMemo, useRef } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import type { ModelEntry } from '../../models/registry';
import { ClassesSection } from './classes-section';
import { DatasetSection } from './dataset/dataset-section';
import { EvaluationPanel } from './evaluation-panel';
import { ExportH5Button } from './export-h5-button';
import { KeepModelForm } from './keep-model-form';
import { SavedModelsPanel } from './saved-models-panel';
import { TeachBase } from './teach-base';
import { useRun, watchRunWorker } from './teach-run';
import { trainingSet, type TeachExample } from './teach-state';
import { useTeachState, watchWorker } from './teach-store';
import { TrainedPreview } from './trained-preview';
import { TrainingPanel } from './training-panel';
import { useAddPhotos } from './use-add-photos';
import { useSavedModels } from './use-saved-models';
import './teach.css';

/** Props of {@link TeachView}. */
export interface TeachViewProps {
  client: InferenceClient;
  /** the active model (the base), once it is ready */
  model: LoadedModelInfo | null;
  /** makes another model the active one (the app's `selectModel`) */
  onUseModel: (entry: ModelEntry) => void;
  /** the built-in InceptionV3 is not on this server: it is not offered as a base */
  builtinMissing?: boolean;
}

/**
 * "Teach": classes of your own photos on top of the active model — head only, fine-tuning the top
 * Inception blocks, or from scratch — trained in the worker with live curves, evaluated, then
 * kept in this browser, used for classifying, exported and imported.
 */
export function TeachView({ client, model, onUseModel, builtinMissing }: TeachViewProps) {
  const data = useTeachState();
  const run = useRun();
  useEffect(() => {
    watchWorker(client);
    watchRunWorker(client);
  }, [client]);

  const training = run.status === 'training' || run.status === 'estimating';
  const locked = !model ? 'Waiting for the model…' : training ? 'Training in progress' : null;
  const photos = useAddPhotos(client, model, locked);
  const saved = useSavedModels(client, onUseModel);
  const set = useMemo(() => trainingSet(data), [data]);
  const results = useRef<HTMLDivElement>(null);
  // When training ends, the results and "Use it" come into view.
  useEffect(() => {
    if (run.report) results.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [run.report]);
  const step = run.report ? 3 : 'problem' in set ? 1 : 2;
  const examplesById = useMemo(
    () => new Map<string, TeachExample>(data.examples.map((e) => [e.id, e])),
    [data.examples],
  );

  return (
    <div className="teach" data-testid="teach-view">
      <TeachBase
        model={model}
        training={training}
        onUseModel={onUseModel}
        builtinMissing={builtinMissing ?? false}
      />
      <ol className="teach-steps" aria-label="Steps" data-testid="teach-steps" data-step={step}>
        {['Classes and photos', 'Train', 'Evaluate and try'].map((title, i) => (
          <li key={title} aria-current={step === i + 1 ? 'step' : undefined}>
            {i + 1}. {title}
          </li>
        ))}
      </ol>
      <ClassesSection
        client={client}
        data={data}
        locked={locked}
        training={training}
        photos={photos}
      />
      <DatasetSection
        client={client}
        model={model}
        saving={!!saved.busy}
        locked={training}
        onKeep={(name, use) => void saved.keep(name, use)}
      />
      <TrainingPanel
        client={client}
        model={model}
        run={run}
        set={set}
        numClasses={data.classes.length}
        adding={data.adding > 0}
        onStart={photos.clearRefused}
      />
      {run.report && (
        <div ref={results} className="teach-results">
          <EvaluationPanel report={run.report} examples={examplesById} />
          {model && !run.saved && !run.lost && (
            <TrainedPreview
              client={client}
              inputSize={model.inputSize}
              key={String(run.report.ms)}
            />
          )}
          <KeepModelForm
            run={run}
            busy={!!saved.busy}
            onKeep={(name, use) => void saved.keep(name, use)}
          />
          {!run.saved && !run.lost && <ExportH5Button client={client} />}
        </div>
      )}
      {saved.error && (
        <p className="teach-error" role="alert" data-testid="teach-keep-error">
          {saved.error}
        </p>
      )}
      <SavedModelsPanel
        models={saved.models}
        activeId={model?.id ?? null}
        busy={saved.busy}
        onUse={(m) => onUseModel(m.entry)}
        onExport={(m) => void saved.exportModel(m)}
        onRename={(m, value) => void saved.rename(m, value)}
        onDelete={(m) => void saved.remove(m)}
        onImport={(file) => void saved.importFile(file)}
      />
    </div>
  );
}
