/**
 * The engines' part of the worker contract. TensorFlow.js runs everything; for classifying photos
 * a faster engine (LiteRT.js on WebAssembly) may take over, chosen by measurement at load like a
 * backend. No requests of their own: the choice travels in `load`'s tuning and reply.
 */

/** The engines that can classify photos. */
export const ENGINES = ['tfjs', 'litert'] as const;
/** One engine. */
export type EngineName = (typeof ENGINES)[number];
/** What a load asks for: measure and choose ('auto'), or one engine. */
export type EngineChoice = 'auto' | EngineName;

/** True for a string that names an engine or 'auto'. */
export function isEngineChoice(value: unknown): value is EngineChoice {
  return value === 'auto' || (ENGINES as readonly unknown[]).includes(value);
}

/** What the load found out about the photo engine, for Settings and Diagnostics. */
export interface EngineReport {
  /** the engine photos run on */
  engine: EngineName;
  /** one sentence: why this engine (measured, remembered, forced, or why LiteRT.js fell back) */
  detail: string;
  /** median ms per photo measured at load (absent: not measured this time) */
  tfjsMs?: number;
  litertMs?: number;
  /** largest |p_litert − p_tfjs| on the known-answer input, when LiteRT.js ran it */
  maxAbsDiff?: number;
  /** LiteRT.js' thread count, when it runs */
  litertThreads?: number;
  /**
   * true: photos run on TensorFlow.js for now, and the choice is made after the first photos, in
   * idle time; an {@link EngineChosenEvent} then says what was chosen
   */
  pending?: boolean;
}

/**
 * Unsolicited (id 0): the photo engine chosen after a load (see {@link EngineReport.pending}).
 * `modelUrl` names the load it belongs to, so a page that loaded another model since ignores it.
 */
export interface EngineChosenEvent {
  type: 'engine-chosen';
  id: number;
  modelId: string;
  modelUrl: string;
  engine: EngineReport;
}
