/** User settings, kept in localStorage so they survive reloads. */
import { isBackendChoice, type BackendChoice } from '../../inference/protocol';
import { isResizeMode, type ResizeMode } from '../../preprocess/geometry';

/** What the user can set. */
export interface Settings {
  backend: BackendChoice;
  resizeMode: ResizeMode;
  /** with a custom model active, also show the ImageNet model's top-3 on each photo */
  alsoImageNet: boolean;
}

/** Defaults for a first visit. */
export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  resizeMode: 'squash',
  alsoImageNet: false,
};

const KEY = 'inception-lens:settings';

/** Reads stored settings, ignoring anything malformed. */
export function loadSettings(
  storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
): Settings {
  try {
    const raw = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<
      Record<keyof Settings, unknown>
    > | null;
    return {
      backend: isBackendChoice(raw?.backend) ? raw.backend : DEFAULT_SETTINGS.backend,
      resizeMode: isResizeMode(raw?.resizeMode) ? raw.resizeMode : DEFAULT_SETTINGS.resizeMode,
      alsoImageNet:
        typeof raw?.alsoImageNet === 'boolean' ? raw.alsoImageNet : DEFAULT_SETTINGS.alsoImageNet,
    };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/**
 * `settings` with the address's `?resize=` (keras, squash or center-crop) applied: a link can
 * choose the resize mode for this visit without changing what is stored. Other values are ignored.
 */
export function withResizeFromSearch(settings: Settings, search: string): Settings {
  const resize = new URLSearchParams(search).get('resize');
  return isResizeMode(resize) ? { ...settings, resizeMode: resize } : settings;
}

/** Stores settings; a full or blocked storage is not worth failing over. */
export function saveSettings(
  settings: Settings,
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    // private mode or quota: the setting just won't persist
  }
}

/** Changes to the settings. */
export type SettingsAction = { type: 'change'; settings: Settings };

/** The next settings (a change to equal values keeps the same object, so nothing re-renders). */
export function settingsReducer(state: Settings, action: SettingsAction): Settings {
  const next = action.settings;
  const same = (Object.keys(state) as (keyof Settings)[]).every((k) => state[k] === next[k]);
  return same ? state : { ...next };
}
