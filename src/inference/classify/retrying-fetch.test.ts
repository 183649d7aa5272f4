import { describe, expect, test } from 'vitest';
import { NotAModelError, retryingFetch } from './load-model';

const ok = (): Response => new Response('{}', { status: 200 });
const noPause = (): Promise<void> => Promise.resolve();

describe('retryingFetch', () => {
  test('a dropped connection is retried, with a note each time, until the file arrives', async () => {
    const notes: string[] = [];
    let calls = 0;
    const fetchOnce = (): Promise<Response> => {
      calls += 1;
      return calls < 3 ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve(ok());
    };
    const response = await retryingFetch(
      (n) => notes.push(n),
      fetchOnce,
      noPause,
    )('https://host.test/m/group1-shard2of4.bin');
    expect(response.status).toBe(200);
    expect(calls).toBe(3);
    expect(notes).toEqual([
      'Download of group1-shard2of4.bin failed (Failed to fetch); retrying (1 of 2)…',
      'Download of group1-shard2of4.bin failed (Failed to fetch); retrying (2 of 2)…',
    ]);
  });

  test('a download stopped on purpose is not retried', async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetchOnce = (): Promise<Response> => {
      calls += 1;
      controller.abort();
      return Promise.reject(new DOMException('The user aborted a request.', 'AbortError'));
    };
    const notes: string[] = [];
    await expect(
      retryingFetch(
        (n) => notes.push(n),
        fetchOnce,
        noPause,
      )('https://h.test/model.json', {
        signal: controller.signal,
      }),
    ).rejects.toThrow('aborted');
    expect(calls).toBe(1);
    expect(notes).toEqual([]);
  });

  test('gives up after three attempts with the last error', async () => {
    let calls = 0;
    const fetchOnce = (): Promise<Response> => {
      calls += 1;
      return Promise.reject(new TypeError(`Failed to fetch #${calls}`));
    };
    await expect(
      retryingFetch(() => undefined, fetchOnce, noPause)('https://h.test/model.json'),
    ).rejects.toThrow('Failed to fetch #3');
    expect(calls).toBe(3);
  });

  test('5xx answers are retried; 404 and 200 are answers, not failures', async () => {
    const answers = [503, 502, 200];
    const seen: number[] = [];
    const fetchOnce = (): Promise<Response> => {
      const status = answers.shift() ?? 500;
      seen.push(status);
      return Promise.resolve(new Response(null, { status }));
    };
    expect((await retryingFetch(() => undefined, fetchOnce, noPause)('x/model.json')).status).toBe(
      200,
    );
    expect(seen).toEqual([503, 502, 200]);

    let missing = 0;
    const notFound = (): Promise<Response> => {
      missing += 1;
      return Promise.resolve(new Response(null, { status: 404 }));
    };
    expect((await retryingFetch(() => undefined, notFound, noPause)('x/model.json')).status).toBe(
      404,
    );
    expect(missing).toBe(1);
  });

  test('a web page instead of a model file is not retried', async () => {
    let calls = 0;
    const fetchOnce = (): Promise<Response> => {
      calls += 1;
      return Promise.reject(new NotAModelError('x/model.json'));
    };
    await expect(
      retryingFetch(() => undefined, fetchOnce, noPause)('x/model.json'),
    ).rejects.toThrow('web page');
    expect(calls).toBe(1);
  });
});
