import { useCallback, useEffect, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import { addPhotos, teachStore } from './teach-store';

/** Adding photos to classes, and the note shown when photos were refused. */
export interface AddPhotos {
  /** adds photos to a class; resolves with how many were added (none while locked, and says why) */
  add: (classId: string, files: readonly Blob[]) => Promise<number>;
  /** "Training in progress: photos can be added afterwards." while that same lock lasts */
  lockedNote: string | null;
  /** forgets a refusal (a new job starts) */
  clearRefused: () => void;
}

const NO_MODEL = 'Waiting for the model…';

/**
 * Adds photos while a model is ready and nothing locks the classes; photos pasted while the
 * view is open go to the selected class.
 */
export function useAddPhotos(
  client: InferenceClient,
  model: LoadedModelInfo | null,
  locked: string | null,
): AddPhotos {
  /** photos refused while locked: shown while that same lock lasts */
  const [refused, setRefused] = useState<string | null>(null);
  const add = useCallback(
    (classId: string, files: readonly Blob[]): Promise<number> => {
      if (!model || locked) {
        setRefused(locked ?? NO_MODEL);
        return Promise.resolve(0);
      }
      setRefused(null);
      return addPhotos(client, model.inputSize, classId, files);
    },
    [client, model, locked],
  );

  // Paste adds to the selected class while this view is open.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent): void => {
      const files = Array.from(event.clipboardData?.files ?? []);
      const target = teachStore.getState().activeClassId;
      if (files.length === 0 || !target) return;
      event.preventDefault();
      void add(target, files);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [add]);

  const lockedNote =
    refused && refused === (locked ?? (!model ? NO_MODEL : null))
      ? `${refused}: photos can be added afterwards.`
      : null;
  const clearRefused = useCallback(() => setRefused(null), []);
  return { add, lockedNote, clearRefused };
}
