import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InferenceClient } from '../../inference/client';
import type { WorkerRequest } from '../../inference/protocol';
import { ImageInputError } from '../../preprocess/preprocess-image';
import { addPhotos, createTeachStore, type PreparePhoto } from './teach-store';

/** A client whose Teach calls are recorded; `onAdd` runs before each add is answered. */
function fakeClient(onAdd: (request: WorkerRequest) => void = () => undefined) {
  const requests: WorkerRequest[] = [];
  const client = {
    call(type: string, fields: object) {
      const request = { type, id: requests.length + 1, ...fields } as WorkerRequest;
      requests.push(request);
      if (request.type === 'train-add') onAdd(request);
      const stored = request.type === 'train-add' ? request.examples.length : 0;
      return Promise.resolve({ stored });
    },
  } as unknown as InferenceClient;
  return { client, requests };
}

/** Prepares any blob as a 2×2 image; a blob whose text is "bad" fails like a broken file. */
const prepare: PreparePhoto = async (file) => {
  if ((await file.text()) === 'bad') throw new ImageInputError('not an image');
  return {
    pixels: new Uint8Array(16).buffer,
    width: 2,
    height: 2,
    thumbnail: new Blob(['t']),
  } as Awaited<ReturnType<PreparePhoto>>;
};

const photo = (name: string, body = 'x') => new File([body], name, { type: 'image/jpeg' });

afterEach(() => vi.restoreAllMocks());

describe('adding photos to a class', () => {
  it('adds the good photos in chunks, reports the bad ones, and counts what was added', async () => {
    const store = createTeachStore();
    const { client, requests } = fakeClient();
    const files = [
      ...Array.from({ length: 9 }, (_, i) => photo(`p${i}.jpg`)),
      photo('x.jpg', 'bad'),
    ];
    const added = await addPhotos(client, 2, 'class-1', files, store, prepare);
    expect(added).toBe(9);
    const state = store.getState();
    expect(state.examples.filter((e) => e.classId === 'class-1')).toHaveLength(9);
    expect(state.adding).toBe(0);
    expect(state.problems).toEqual(['x.jpg: not an image']);
    expect(requests.map((r) => (r.type === 'train-add' ? r.examples.length : r.type))).toEqual([
      8, 1,
    ]);
  });

  it('a class removed while its photos are on their way keeps none of them, here or in the worker', async () => {
    const store = createTeachStore();
    const revoked: string[] = [];
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => void revoked.push(url));
    // The class goes while the first chunk is being handed to the worker.
    const { client, requests } = fakeClient(() =>
      store.dispatch({ type: 'remove-class', id: 'class-1' }),
    );
    const files = Array.from({ length: 12 }, (_, i) => photo(`p${i}.jpg`));
    const added = await addPhotos(client, 2, 'class-1', files, store, prepare);
    expect(added).toBe(0);
    const state = store.getState();
    expect(state.examples).toHaveLength(0);
    expect(state.adding).toBe(0);
    const sent = requests.flatMap((r) =>
      r.type === 'train-add' ? r.examples.map((e) => e.id) : [],
    );
    expect(sent).toHaveLength(8); // the first chunk only; the rest was never sent
    const taken = requests.flatMap((r) =>
      r.type === 'train-remove' && Array.isArray(r.ids) ? r.ids : [],
    );
    expect(taken.sort()).toEqual([...sent].sort());
    expect(revoked).toHaveLength(8);
  });
});
