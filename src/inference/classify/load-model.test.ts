import { describe, expect, test } from 'vitest';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../../models/registry';
import { RequestError } from '../seam/handlers';
import { HttpStatusError, loadFailure, NotAModelError, requireOk } from './load-model';

const entry: ModelEntry = { ...INCEPTION_V3_IMAGENET, url: 'https://host/models/x/model.json' };
const codeOf = (error: Error) => (error instanceof RequestError ? error.code : undefined);

describe('loadFailure', () => {
  test('a 404 or a web page in place of model.json is coded model-missing, with the hint', () => {
    for (const raw of [new HttpStatusError(404, entry.url), new NotAModelError(entry.url)]) {
      const error = loadFailure(entry, raw);
      expect(codeOf(error)).toBe('model-missing');
      expect(error.message).toContain(INCEPTION_V3_IMAGENET.missingHint);
    }
  });

  test('the page decides by type, not by words: a look-alike message is not a 404', () => {
    const lookAlike = new Error('failed with status code 404; served a web page');
    expect(codeOf(loadFailure(entry, lookAlike))).toBeUndefined();
  });

  test('a refusal names its status from the typed error', () => {
    const error = loadFailure(entry, new HttpStatusError(403, entry.url));
    expect(codeOf(error)).toBeUndefined();
    expect(error.message).toContain('(HTTP 403)');
  });

  test('other failures carry no code the page would act on', () => {
    for (const raw of ['Failed to fetch', 'Unexpected token < in JSON']) {
      expect(codeOf(loadFailure(entry, new Error(raw)))).toBeUndefined();
    }
  });

  test('a stored model that is gone is coded model-deleted', () => {
    const stored = { ...entry, url: 'indexeddb://lens-model-1' };
    const error = loadFailure(stored, new Error('Cannot find model with path lens-model-1'));
    expect(codeOf(error)).toBe('model-deleted');
    expect(error.message).toContain(`${entry.name} is no longer stored in this browser`);
  });
});

describe('requireOk', () => {
  test('a non-2xx answer becomes an HttpStatusError carrying the status; 2xx passes', async () => {
    const answer = (status: number) => () => Promise.resolve(new Response(null, { status }));
    const failure = await requireOk(answer(404))('https://h.test/m/model.json').catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(HttpStatusError);
    expect((failure as HttpStatusError).status).toBe(404);
    expect((await requireOk(answer(200))('https://h.test/m/model.json')).status).toBe(200);
  });
});
