/**
 * Performance switches read from the address, for comparing and benchmarking (docs/url-parameters.md):
 * `?threads=off` runs WebAssembly single-threaded (`?threads=all`: on every core, never trying one
 * thread), `?fold=off` keeps batch norm unfolded, `?foldcache=off` folds at every load instead of
 * keeping the folded copy between visits,
 * `?measure=all` lets automatic choice measure software GPUs and the CPU backend too (and try
 * software GPUs in a real GPU's place), `?engine=tfjs|litert` forces the photo engine (default:
 * measured, see docs/performance.md). Test switch: `?debug=1&fail=webgpu,webgl` makes those
 * backends' known-answer checks fail, to exercise the fallback.
 */
import { BACKENDS, isEngineChoice, type BackendName, type LoadTuning } from '../inference/protocol';

/** The tuning a page address asks for (pure; unknown values are ignored). */
export function tuningFromSearch(search: string): LoadTuning {
  const params = new URLSearchParams(search);
  const tuning: LoadTuning = {};
  const threads = params.get('threads');
  if (threads === 'off' || threads === 'all') tuning.wasmThreads = threads;
  if (params.get('fold') === 'off') tuning.foldBatchNorm = 'off';
  if (params.get('foldcache') === 'off') tuning.foldCache = 'off';
  if (params.get('measure') === 'all') tuning.measureAll = true;
  const engine = params.get('engine');
  if (engine !== 'auto' && isEngineChoice(engine)) tuning.engine = engine;
  const fail = params.has('debug') ? (params.get('fail') ?? '') : '';
  const failing = BACKENDS.filter((b: BackendName) => fail.split(',').includes(b));
  if (failing.length > 0) tuning.failKnownAnswer = failing;
  return tuning;
}
