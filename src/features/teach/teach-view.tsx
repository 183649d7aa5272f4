import { useEffect, useMemo } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import type { ModelEntry } from '../../models/registry';
import { ClassesSection } from './classes-section';
import { EvaluationPanel } from './evaluation-panel';
import { ExportH5Button } from './export-h5-button';
import { KeepModelForm } from './keep-model-form';
import { SavedModelsPanel } from './saved-models-panel';
import { TeachBase } from './teach-base';
import { useRun, watchRunWorker } from './teach-run';
import { trainingSet, type TeachExample } from './teach-state';
import { useTeachState, watchWorker } from './teach-store';
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
}

/**
 * "Teach": classes of your own photos on top of the active model — head only, fine-tuning the top
 * Inception blocks, or from scratch — trained in the worker with live curves, evaluated, then
 * kept in this browser, used for classifying, exported and imported.
 */
export function TeachView({ client, model, onUseModel }: TeachViewProps) {
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
  const examplesById = useMemo(
    () => new Map<string, TeachExample>(data.examples.map((e) => [e.id, e])),
    [data.examples],
  );

  return (
    <div className="teach" data-testid="teach-view">
      <TeachBase model={model} training={training} onUseModel={onUseModel} />
      <ClassesSection
        client={client}
        data={data}
        locked={locked}
        training={training}
        photos={photos}
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
        <>
          <EvaluationPanel report={run.report} examples={examplesById} />
          <KeepModelForm
            run={run}
            busy={!!saved.busy}
            onKeep={(name, use) => void saved.keep(name, use)}
          />
          {!run.saved && !run.lost && <ExportH5Button client={client} />}
        </>
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
