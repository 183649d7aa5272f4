import { useCallback } from 'react';
import { useLocalStore, useStore } from '../../lib/store';
import { loadSettings, saveSettings, settingsReducer, type Settings } from './settings-store';

/** The user's settings, read once from localStorage; each change is stored there too. */
export function useSettings(): [Settings, (next: Settings) => void] {
  const store = useLocalStore(settingsReducer, () => loadSettings());
  const settings = useStore(store);
  const change = useCallback(
    (next: Settings) => {
      store.dispatch({ type: 'change', settings: next });
      saveSettings(store.getState());
    },
    [store],
  );
  return [settings, change];
}
