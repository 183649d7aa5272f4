import { describe, expect, test } from 'vitest';
import {
  DEFAULT_SETTINGS,
  loadSettings,
  saveSettings,
  settingsReducer,
  withResizeFromSearch,
  type Settings,
} from './settings-store';

const KEY = 'inception-lens:settings';

/** An in-memory Storage stand-in that records writes. */
function fakeStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const writes: [string, string][] = [];
  return {
    items,
    writes,
    getItem: (key: string): string | null => items.get(key) ?? null,
    setItem: (key: string, value: string): void => {
      writes.push([key, value]);
      items.set(key, value);
    },
  };
}

describe('settings store', () => {
  test('the defaults are auto backend and squash resizing', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      backend: 'auto',
      resizeMode: 'squash',
      alsoImageNet: false,
    });
  });

  test('an empty storage gives the defaults', () => {
    expect(loadSettings(fakeStorage())).toEqual(DEFAULT_SETTINGS);
  });

  test('no storage at all gives the defaults', () => {
    expect(loadSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings({ ...DEFAULT_SETTINGS, backend: 'wasm' }, undefined)).not.toThrow();
  });

  test('save then load round-trips every combination', () => {
    for (const backend of ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      for (const [resizeMode, alsoImageNet] of [
        ['squash', false],
        ['center-crop', true],
      ] as const) {
        const storage = fakeStorage();
        const settings: Settings = { backend, resizeMode, alsoImageNet };
        saveSettings(settings, storage);
        expect(storage.writes).toHaveLength(1);
        expect(storage.writes[0]?.[0]).toBe(KEY);
        expect(loadSettings(storage)).toEqual(settings);
      }
    }
  });

  test('a later save replaces the earlier one', () => {
    const storage = fakeStorage();
    saveSettings({ backend: 'webgl', resizeMode: 'center-crop', alsoImageNet: true }, storage);
    saveSettings({ backend: 'cpu', resizeMode: 'squash', alsoImageNet: false }, storage);
    expect(loadSettings(storage)).toEqual({
      backend: 'cpu',
      resizeMode: 'squash',
      alsoImageNet: false,
    });
  });

  test('loading does not hand out the shared defaults object', () => {
    const loaded = loadSettings(fakeStorage({ [KEY]: '{not json' }));
    loaded.backend = 'cpu';
    expect(DEFAULT_SETTINGS.backend).toBe('auto');
    const other = loadSettings(fakeStorage());
    other.resizeMode = 'center-crop';
    expect(DEFAULT_SETTINGS.resizeMode).toBe('squash');
  });

  test.each(['{not json', '', 'undefined', 'null', '42', '"webgl"', '[]', 'true'])(
    'malformed stored value %j gives the defaults',
    (raw) => {
      expect(loadSettings(fakeStorage({ [KEY]: raw }))).toEqual(DEFAULT_SETTINGS);
    },
  );

  test('unknown values fall back field by field', () => {
    const storage = fakeStorage({
      [KEY]: JSON.stringify({ backend: 'cuda', resizeMode: 'center-crop', alsoImageNet: true }),
    });
    expect(loadSettings(storage)).toEqual({
      backend: 'auto',
      resizeMode: 'center-crop',
      alsoImageNet: true,
    });
    storage.items.set(KEY, JSON.stringify({ backend: 'wasm', resizeMode: 'stretch' }));
    expect(loadSettings(storage)).toEqual({ ...DEFAULT_SETTINGS, backend: 'wasm' });
    storage.items.set(KEY, JSON.stringify({ backend: 3, resizeMode: null, alsoImageNet: 'yes' }));
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
  });

  test('missing fields take their defaults; extra fields are dropped', () => {
    const storage = fakeStorage({ [KEY]: JSON.stringify({ backend: 'webgpu', theme: 'dark' }) });
    expect(loadSettings(storage)).toEqual({ ...DEFAULT_SETTINGS, backend: 'webgpu' });
  });

  test('settings are read from their own key only', () => {
    const storage = fakeStorage({ other: JSON.stringify({ backend: 'cpu' }) });
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
  });

  test('a storage that throws on read gives the defaults', () => {
    const throwing = {
      getItem(): string | null {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    expect(loadSettings(throwing)).toEqual(DEFAULT_SETTINGS);
  });

  test('a storage that throws on write does not throw', () => {
    let attempts = 0;
    const full = {
      setItem(): void {
        attempts++;
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    expect(() => saveSettings({ ...DEFAULT_SETTINGS, backend: 'cpu' }, full)).not.toThrow();
    expect(attempts).toBe(1);
  });
});

describe('withResizeFromSearch', () => {
  test.each(['keras', 'squash', 'center-crop'] as const)('?resize=%s selects that mode', (mode) => {
    const stored: Settings = {
      ...DEFAULT_SETTINGS,
      resizeMode: mode === 'squash' ? 'keras' : 'squash',
    };
    expect(withResizeFromSearch(stored, `?model=x&resize=${mode}`)).toEqual({
      ...stored,
      resizeMode: mode,
    });
  });

  test('no or an unknown ?resize= keeps the stored mode; squash stays the default', () => {
    const stored: Settings = { ...DEFAULT_SETTINGS, resizeMode: 'center-crop' };
    expect(withResizeFromSearch(stored, '')).toBe(stored);
    expect(withResizeFromSearch(stored, '?resize=bilinear')).toBe(stored);
    expect(withResizeFromSearch(stored, '?resize=KERAS')).toBe(stored);
    expect(DEFAULT_SETTINGS.resizeMode).toBe('squash');
  });

  test('a stored keras mode survives a reload', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    saveSettings({ ...DEFAULT_SETTINGS, resizeMode: 'keras' }, storage);
    expect(loadSettings(storage).resizeMode).toBe('keras');
  });
});

describe('settingsReducer', () => {
  test('a change makes new settings; the same values keep the old object', () => {
    const changed = settingsReducer(DEFAULT_SETTINGS, {
      type: 'change',
      settings: { ...DEFAULT_SETTINGS, backend: 'wasm' },
    });
    expect(changed).not.toBe(DEFAULT_SETTINGS);
    expect(changed.backend).toBe('wasm');
    const same = settingsReducer(changed, { type: 'change', settings: { ...changed } });
    expect(same).toBe(changed);
  });
});
