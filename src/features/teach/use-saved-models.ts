import { useCallback, useEffect, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import { downloadFile } from '../../lib/download';
import { messageOf } from '../../lib/message-of';
import { forgetModel, renameRemembered } from '../../lib/model-selection';
import type { ModelEntry } from '../../models/registry';
import {
  deleteModel,
  exportModel,
  importPackage,
  renameModel,
  type StoredModel,
} from '../../lib/library-client';
import { listTeachModels, saveTrained } from './teach-client';
import { markSaved } from './teach-run';

/** The models Teach kept in this browser, and what can be done with them. */
export interface SavedModels {
  /** null until the first list arrives */
  models: StoredModel[] | null;
  /** what is being done right now (one job at a time), or null */
  busy: string | null;
  /** why the last job failed, or null */
  error: string | null;
  /** saves the model trained last under `name`, and makes it the active one when `use` */
  keep: (name: string, use: boolean) => Promise<void>;
  exportModel: (model: StoredModel) => Promise<void>;
  rename: (model: StoredModel, name: string) => Promise<void>;
  remove: (model: StoredModel) => Promise<void>;
  importFile: (file: File) => Promise<void>;
}

/**
 * Lists the stored models and runs the jobs on them one at a time (saving the trained model,
 * export, rename, delete, import), refreshing the list after each; a failure is kept as `error`.
 */
export function useSavedModels(
  client: InferenceClient,
  onUseModel: (entry: ModelEntry) => void,
): SavedModels {
  const [models, setModels] = useState<StoredModel[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const listed = useCallback(
    (live: () => boolean = () => true): Promise<void> =>
      listTeachModels(client).then(
        (list) => {
          if (live()) setModels(list);
        },
        (e: unknown) => {
          if (!live()) return;
          setError(`The stored models could not be listed: ${messageOf(e)}`);
          setModels([]);
        },
      ),
    [client],
  );
  useEffect(() => {
    let live = true;
    void listed(() => live);
    return () => {
      live = false;
    };
  }, [listed]);

  const withBusy = useCallback(async (label: string, job: () => Promise<void>): Promise<void> => {
    setError(null);
    setBusy(label);
    try {
      await job();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }, []);

  return {
    models,
    busy,
    error,
    keep: (name, use) =>
      withBusy('Saving the model in this browser…', async () => {
        const info = await saveTrained(client, name);
        markSaved();
        await listed();
        if (use) onUseModel(info.entry);
      }),
    exportModel: (m) =>
      withBusy(`Packing ${m.entry.name}…`, async () => {
        const file = await exportModel(client, m.key);
        downloadFile(file.bytes, file.fileName, 'application/zip');
      }),
    rename: (m, name) =>
      withBusy('Renaming…', async () => {
        renameRemembered((await renameModel(client, m.key, name)).entry);
        await listed();
      }),
    remove: (m) =>
      withBusy(`Deleting ${m.entry.name}…`, async () => {
        await deleteModel(client, m.key);
        forgetModel(m.entry.id);
        await listed();
      }),
    importFile: (file) =>
      withBusy(`Importing ${file.name}…`, async () => {
        await importPackage(client, file);
        await listed();
      }),
  };
}
