import { describe, expect, test } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from './isolation';

describe('withIsolationHeaders', () => {
  test('adds COOP and COEP to a plain response, keeping status, headers and body', async () => {
    const original = new Response('<!doctype html>', {
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'text/html' },
    });
    const out = withIsolationHeaders(original);
    expect(out.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(out.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(out.headers.get('content-type')).toBe('text/html');
    expect(out.status).toBe(200);
    expect(out.statusText).toBe('OK');
    expect(await out.text()).toBe('<!doctype html>');
  });

  test('leaves a response that already has both alone', () => {
    const original = new Response('x', { headers: ISOLATION_HEADERS as Record<string, string> });
    expect(withIsolationHeaders(original)).toBe(original);
  });

  test("keeps a host's own choice and adds only what is missing", () => {
    const original = new Response('x', {
      headers: { 'Cross-Origin-Embedder-Policy': 'credentialless' },
    });
    const out = withIsolationHeaders(original);
    expect(out.headers.get('Cross-Origin-Embedder-Policy')).toBe('credentialless');
    expect(out.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });

  test('error statuses keep their status; opaque responses pass through', () => {
    expect(withIsolationHeaders(new Response('gone', { status: 404 })).status).toBe(404);
    const opaque = { type: 'opaque', status: 0, headers: new Headers() } as unknown as Response;
    expect(withIsolationHeaders(opaque)).toBe(opaque);
  });
});
