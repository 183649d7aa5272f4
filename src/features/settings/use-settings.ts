import { useCallback } from 'react';
import { useLocalStore, useStore } from '../../lib/store';
import {
  loadSettings,
  saveSettings,
  settingsReducer,
  withResizeFromSearch,
  type Settings,
} from './settings-store';

/**
 * The user's settings, read once from localStorage (a `?resize=` in `search` overrides the stored
 * resize mode for this visit); each change is stored there too.
 */
export function useSettings(search = ''): [Settings, (next: Settings) => void] {
  const store = useLocalStore(settingsReducer, () => withResizeFromSearch(loadSettings(), search));
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
