/**
 * Remembers which stored model is active, so a reload (offline too) comes back to it rather than
 * to the built-in default. Only models from this browser's library are remembered.
 */
import type { ModelEntry } from '../models/registry';

const KEY = 'inception-lens.active-model';

/** Remembers `entry` when it is a stored model, forgets otherwise. */
export function rememberModel(entry: ModelEntry | null, storage: Storage = localStorage): void {
  try {
    if (entry && entry.url.startsWith('indexeddb://')) storage.setItem(KEY, JSON.stringify(entry));
    else storage.removeItem(KEY);
  } catch {
    // Storage may be unavailable (private mode, quota): the choice is just not remembered.
  }
}

function isEntry(value: unknown): value is ModelEntry {
  const e = value as Partial<ModelEntry> | null;
  return (
    !!e &&
    typeof e.id === 'string' &&
    typeof e.name === 'string' &&
    typeof e.url === 'string' &&
    e.url.startsWith('indexeddb://') &&
    Array.isArray(e.inputRange) &&
    typeof e.labels === 'object' &&
    e.labels !== null
  );
}

/** The remembered stored model, unless the address asks for a model (`?model=`). */
export function rememberedModel(
  search: string,
  storage: Storage = localStorage,
): ModelEntry | null {
  if (new URLSearchParams(search).has('model')) return null;
  try {
    const raw = storage.getItem(KEY);
    const value: unknown = raw ? JSON.parse(raw) : null;
    return isEntry(value) ? value : null;
  } catch {
    return null;
  }
}

/** Forgets the remembered model if it is `id` (it was deleted). */
export function forgetModel(id: string, storage: Storage = localStorage): void {
  if (rememberedModel('', storage)?.id === id) rememberModel(null, storage);
}

/** Keeps the remembered model's record current after it was renamed. */
export function renameRemembered(entry: ModelEntry, storage: Storage = localStorage): void {
  if (rememberedModel('', storage)?.id === entry.id) rememberModel(entry, storage);
}
