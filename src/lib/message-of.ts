/**
 * The message of anything thrown: an Error's message, or the value as text. The one copy for both
 * sides: it imports nothing, so the worker (src/inference, src/models) may use it without pulling
 * React in, and the page without pulling TensorFlow.js in (eslint.config.js fences neither way).
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
