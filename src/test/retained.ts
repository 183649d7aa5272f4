/**
 * Test helper: which objects something still holds. Tests register the buffers and records a job
 * handled (`watch`), let the job finish, then `survivors()` runs a full garbage collection and
 * names those still reachable — a job that keeps per-item data has survivors.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/** Node's `gc()`, enabled at run time (no command-line flag needed). */
function fullGc(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/** Watches objects by name and says which are still alive after a full collection. */
export function retention(): {
  watch(name: string, value: object): void;
  survivors(): Promise<string[]>;
} {
  const refs: [string, WeakRef<object>][] = [];
  return {
    watch(name, value) {
      refs.push([name, new WeakRef(value)]);
    },
    async survivors() {
      const gc = fullGc();
      // A WeakRef made or read in this job keeps its target until the job ends: leave it first.
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        gc();
      }
      return refs.filter(([, ref]) => ref.deref() !== undefined).map(([name]) => name);
    },
  };
}
