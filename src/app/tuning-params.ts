/**
 * Performance switches read from the address, for comparing and benchmarking (README, "Run it"):
 * `?threads=off` runs WebAssembly single-threaded (`?threads=all`: on every core, never trying one
 * thread), `?fold=off` keeps batch norm unfolded,
 * `?measure=all` lets automatic choice measure software GPUs and the CPU backend too.
 */
import type { LoadTuning } from '../inference/protocol';

/** The tuning a page address asks for (pure; unknown values are ignored). */
export function tuningFromSearch(search: string): LoadTuning {
  const params = new URLSearchParams(search);
  const tuning: LoadTuning = {};
  const threads = params.get('threads');
  if (threads === 'off' || threads === 'all') tuning.wasmThreads = threads;
  if (params.get('fold') === 'off') tuning.foldBatchNorm = 'off';
  if (params.get('measure') === 'all') tuning.measureAll = true;
  return tuning;
}
