/** Where measured engine choices are remembered (see `seam/remembered-store.ts`). */
import { idbRememberedStore, memoryRememberedStore } from '../seam/remembered-store';
import type { EngineStore, RememberedEngine } from './engine-choice';

/** A store in memory (tests, and the fallback). */
export function memoryEngineStore(): EngineStore {
  return memoryRememberedStore<RememberedEngine>();
}

/** The IndexedDB store, or memory when IndexedDB is unavailable. */
export function browserEngineStore(): EngineStore {
  return idbRememberedStore({
    database: 'inception-lens-engine',
    store: 'engine-choice',
    isValid: isRemembered,
  });
}

function isRemembered(value: unknown): value is RememberedEngine {
  const v = value as Partial<RememberedEngine> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.engine === 'string' &&
    typeof v.tfjsMs === 'number' &&
    typeof v.litertMs === 'number' &&
    typeof v.measuredAt === 'number'
  );
}
