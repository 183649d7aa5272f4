import { describe, expect, it } from 'vitest';
import { cameraError } from './camera-errors';

describe('cameraError', () => {
  it('names permission, missing and busy cameras plainly, each with what to do next', () => {
    const denied = cameraError(new DOMException('Permission denied', 'NotAllowedError'));
    expect(denied.kind).toBe('denied');
    expect(denied.message).toMatch(/not allowed.*Allow it/);
    expect(cameraError(new DOMException('x', 'NotFoundError')).kind).toBe('missing');
    expect(cameraError(new DOMException('x', 'OverconstrainedError')).kind).toBe('missing');
    expect(cameraError(new DOMException('x', 'NotReadableError')).message).toMatch(/another app/);
  });

  it('keeps the browser message for anything else', () => {
    const other = cameraError(new Error('weird'));
    expect(other).toEqual({ kind: 'failed', message: 'The camera could not start: weird' });
  });
});
