import { describe, expect, test } from 'vitest';
import { INCEPTION_V3_IMAGENET, type ModelEntry } from '../../models/registry';
import { RequestError } from '../seam/handlers';
import { loadFailure } from './load-model';

const entry: ModelEntry = { ...INCEPTION_V3_IMAGENET, url: 'https://host/models/x/model.json' };
const codeOf = (error: Error) => (error instanceof RequestError ? error.code : undefined);

describe('loadFailure', () => {
  test('a 404 or a web page in place of model.json is coded model-missing, with the hint', () => {
    for (const raw of [
      'Request to https://host/models/x/model.json failed with status code 404. Please verify…',
      'served a web page instead of a model file',
    ]) {
      const error = loadFailure(entry, new Error(raw));
      expect(codeOf(error)).toBe('model-missing');
      expect(error.message).toContain(INCEPTION_V3_IMAGENET.missingHint);
    }
  });

  test('other failures carry no code the page would act on', () => {
    for (const raw of [
      'Request failed with status code 403',
      'Failed to fetch',
      'Unexpected token < in JSON',
    ]) {
      expect(codeOf(loadFailure(entry, new Error(raw)))).toBeUndefined();
    }
  });

  test('a stored model that is gone is coded model-deleted', () => {
    const stored = { ...entry, url: 'indexeddb://lens-model-1' };
    const error = loadFailure(stored, new Error('Cannot find model with path lens-model-1'));
    expect(codeOf(error)).toBe('model-deleted');
  });
});
