/** Where the measured backend choice is remembered (see `seam/remembered-store.ts`). */
import type { RememberedChoice } from './backend-choice';
import {
  idbRememberedStore,
  memoryRememberedStore,
  type RememberedStore,
} from '../seam/remembered-store';

/** A tiny async key-value store for remembered choices. */
export type ChoiceStore = RememberedStore<RememberedChoice>;

/** A store in memory (tests, and the fallback). */
export function memoryChoiceStore(): ChoiceStore {
  return memoryRememberedStore<RememberedChoice>();
}

/** The IndexedDB store, or memory when IndexedDB is unavailable. Errors never propagate. */
export function browserChoiceStore(): ChoiceStore {
  return idbRememberedStore({
    database: 'inception-lens-perf',
    store: 'backend-choice',
    isValid: isRemembered,
  });
}

function isRemembered(value: unknown): value is RememberedChoice {
  const v = value as Partial<RememberedChoice> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.backend === 'string' &&
    Array.isArray(v.timings) &&
    typeof v.measuredAt === 'number'
  );
}
