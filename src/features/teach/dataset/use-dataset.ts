import { useCallback, useEffect, useRef, useState } from 'react';
import type { InferenceClient } from '../../../inference/client';
import {
  defaultSettings,
  type LoadedModelInfo,
  type TrainProgress,
  type TrainReport,
  type TrainSettings,
} from '../../../inference/protocol';
import { messageOf } from '../../../lib/message-of';
import { trainDataset } from './dataset-client';
import { loadDataset, putThumbs, saveDataset, thumbsPresent } from './dataset-db';
import {
  DatasetCancelled,
  ensureFeatures,
  importDataset,
  type FeatureJobDeps,
  type FeatureProgress,
} from './dataset-import';
import { movePhoto, setExcluded, type Dataset } from './dataset-state';
import { parseLayout, type LayoutEntry } from './layout';
import { openZip, type PhotoSource } from './zip-source';

/** What the dataset part of Teach is doing. */
export type DatasetJob =
  | { kind: 'idle' }
  | { kind: 'reading'; progress: FeatureProgress | null }
  | { kind: 'features'; progress: FeatureProgress | null }
  | { kind: 'training'; progress: TrainProgress | null };

/** Where the last features came from: the "reused" count shows the cache at work. */
export interface FeaturesFlag {
  reused: number;
  computed: number;
}

/** The dataset, its jobs, and what the page can do with them. */
export interface DatasetControls {
  dataset: Dataset | null;
  /** true once the kept dataset (if any) has been read from IndexedDB */
  restored: boolean;
  job: DatasetJob;
  features: FeaturesFlag | null;
  report: TrainReport | null;
  /** the dataset changed (a move or exclusion) since `report` */
  stale: boolean;
  error: string | null;
  settings: TrainSettings;
  setSettings: (settings: TrainSettings) => void;
  importFolder: (files: readonly { path: string; file: File }[]) => Promise<void>;
  importZip: (file: File) => Promise<void>;
  train: () => Promise<void>;
  cancel: () => void;
  move: (id: string, label: number) => void;
  exclude: (id: string, excluded: boolean) => void;
  forget: () => void;
}

/** A dataset's default head settings: no augmentation (one feature vector per photo). */
export function datasetDefaults(): TrainSettings {
  return { ...defaultSettings('head'), augment: { flip: false, crop: false, brightness: false } };
}

/** The dataset flow of Teach: import, features, training, fixing; the dataset kept in IndexedDB. */
export function useDataset(
  client: InferenceClient,
  model: LoadedModelInfo | null,
): DatasetControls {
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [restored, setRestored] = useState(false);
  const [job, setJob] = useState<DatasetJob>({ kind: 'idle' });
  const [features, setFeatures] = useState<FeaturesFlag | null>(null);
  const [report, setReport] = useState<TrainReport | null>(null);
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [settings, setSettings] = useState<TrainSettings>(datasetDefaults);
  /** the files of this session's import, so features can be computed again (not kept on reload) */
  const sources = useRef(new Map<string, PhotoSource>());
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    let live = true;
    loadDataset()
      .then((kept) => {
        if (live && kept) setDataset(kept);
      })
      .catch(
        (e: unknown) => live && setError(`The kept dataset could not be read: ${messageOf(e)}`),
      )
      .finally(() => live && setRestored(true));
    return () => {
      live = false;
      abort.current?.abort();
    };
  }, []);

  const update = useCallback((next: Dataset | null): void => {
    setDataset(next);
    saveDataset(next).catch((e: unknown) =>
      setError(`The dataset could not be kept in this browser: ${messageOf(e)}`),
    );
  }, []);

  const depsFor = (
    signal: AbortSignal,
    onProgress: (p: FeatureProgress) => void,
  ): FeatureJobDeps | null => {
    if (!model) {
      setError('Wait for the model to load: features are computed with it.');
      return null;
    }
    return {
      client,
      inputSize: model.inputSize,
      variant: { resize: 'squash', augment: settings.augment },
      onProgress,
      signal,
      thumbs: { present: thumbsPresent, put: putThumbs },
    };
  };

  const runImport = async (
    name: string,
    entries: LayoutEntry<PhotoSource>[],
    unreadable: { path: string; reason: string }[],
  ): Promise<void> => {
    const controller = new AbortController();
    abort.current = controller;
    setJob({ kind: 'reading', progress: null });
    const deps = depsFor(controller.signal, (progress) => setJob({ kind: 'reading', progress }));
    if (!deps) return;
    const layout = parseLayout(entries);
    layout.skipped.push(...unreadable);
    if (layout.classes.length === 0) {
      throw new Error(
        `No photos in class folders were found in ${name} (${layout.skipped.length} other files): ` +
          'lay it out as one folder per class, e.g. cats/1.jpg, dogs/2.jpg.',
      );
    }
    const result = await importDataset(name, layout, deps);
    sources.current = result.sources;
    setFeatures({ reused: result.reused, computed: result.computed });
    setReport(null);
    setStale(false);
    update(result.dataset);
  };

  const guarded = async (what: () => Promise<void>): Promise<void> => {
    setError(null);
    try {
      await what();
    } catch (e) {
      if (
        !(e instanceof DatasetCancelled) &&
        !(e instanceof Error && e.name === 'CancelledError')
      ) {
        setError(messageOf(e));
      }
    } finally {
      setJob({ kind: 'idle' });
      abort.current = null;
    }
  };

  const importFolder = (files: readonly { path: string; file: File }[]): Promise<void> =>
    guarded(async () => {
      const name = files[0]?.path.split('/')[0] ?? 'dataset';
      const entries = files.map(({ path, file }) => ({
        path,
        source: { read: () => Promise.resolve(file as Blob) },
      }));
      await runImport(name, entries, []);
    });

  const importZip = (file: File): Promise<void> =>
    guarded(async () => {
      const zip = await openZip(file);
      try {
        await runImport(file.name.replace(/\.zip$/i, ''), zip.entries, zip.unreadable);
      } finally {
        // The sources read from the ZIP while it is open; keep the reader for retraining.
        if (sources.current.size === 0) await zip.close();
      }
    });

  const train = (): Promise<void> =>
    guarded(async () => {
      const current = dataset;
      if (!current) return;
      const controller = new AbortController();
      abort.current = controller;
      setJob({ kind: 'features', progress: null });
      const used = current.photos.filter((p) => !p.excluded);
      const deps = depsFor(controller.signal, (progress) => setJob({ kind: 'features', progress }));
      if (!deps) return;
      setFeatures(await ensureFeatures(used, sources.current, deps));
      setJob({ kind: 'training', progress: null });
      const result = await trainDataset(
        client,
        {
          settings,
          resize: 'squash',
          classNames: current.classes,
          items: used.map(({ id, hash, label, split }) => ({
            id,
            hash,
            label,
            split: current.hasSplits ? split : null,
          })),
        },
        (progress) => setJob({ kind: 'training', progress }),
        controller.signal,
      );
      setReport(result);
      setStale(false);
    });

  return {
    dataset,
    restored,
    job,
    features,
    report,
    stale,
    error,
    settings,
    setSettings,
    importFolder,
    importZip,
    train,
    cancel: () => abort.current?.abort(),
    move: (id, label) => {
      if (!dataset) return;
      update(movePhoto(dataset, id, label));
      setStale(true);
    },
    exclude: (id, excluded) => {
      if (!dataset) return;
      update(setExcluded(dataset, id, excluded));
      setStale(true);
    },
    forget: () => {
      sources.current = new Map();
      setReport(null);
      setFeatures(null);
      update(null);
    },
  };
}
