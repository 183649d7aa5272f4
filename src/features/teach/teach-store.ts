/**
 * The Teach data for the whole page session (it survives switching views): a store (`lib/store`)
 * around {@link teachReducer}, plus the actions that touch the outside world — preparing photos
 * (decoded, resized to the model's input on a canvas, a small thumbnail), handing their pixels to
 * the worker, freeing thumbnails, and sending everything again after a worker restart.
 */
import type { InferenceClient } from '../../inference/client';
import { MAX_EXAMPLES, type TrainExamplePixels } from '../../inference/protocol';
import { ImageInputError, preprocessImage } from '../../preprocess/preprocess-image';
import { addExamples, removeExamples } from './teach-client';
import {
  initialTeachState,
  teachReducer,
  type TeachAction,
  type TeachExample,
  type TeachState,
} from './teach-state';
import { messageOf } from '../../lib/message-of';
import { createStore, useStore, type Store } from '../../lib/store';

// Most example photos in all classes together: the worker's limit, declared once in the protocol.
export { MAX_EXAMPLES };
/** Photos handed to the worker per message. */
const CHUNK = 8;

/** The Teach data's store. */
export type TeachStore = Store<TeachState, TeachAction>;

/** Creates a store (the app uses one per page, see {@link teachStore}). */
export function createTeachStore(initial: TeachState = initialTeachState()): TeachStore {
  return createStore(teachReducer, initial);
}

/** The page's Teach data. */
export const teachStore = createTeachStore();

/** The Teach data, re-rendering on change. */
export function useTeachState(store: TeachStore = teachStore): TeachState {
  return useStore(store);
}

let counter = 0;
function newId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** A fresh id for a new class. */
export function newClassId(): string {
  return newId('class');
}

const watched = new WeakSet<InferenceClient>();

/** Marks every example as gone from the worker whenever the worker dies. */
export function watchWorker(client: InferenceClient, store: TeachStore = teachStore): void {
  if (watched.has(client)) return;
  watched.add(client);
  client.onCrash(() => store.dispatch({ type: 'worker-lost' }));
}

/** Decodes and resizes one photo (tests pass a fake). */
export type PreparePhoto = typeof preprocessImage;

/**
 * Prepares files and adds them to a class; problems with single files are collected, not thrown.
 * If the class is removed meanwhile, the rest is dropped and what reached the worker is taken
 * back. Resolves with how many photos were added.
 */
export async function addPhotos(
  client: InferenceClient,
  inputSize: number,
  classId: string,
  files: readonly Blob[],
  store: TeachStore = teachStore,
  prepare: PreparePhoto = preprocessImage,
): Promise<number> {
  const classExists = (): boolean => store.getState().classes.some((c) => c.id === classId);
  let added = 0;
  const room = MAX_EXAMPLES - store.getState().examples.length;
  const problems: string[] = [];
  if (files.length > room) {
    problems.push(
      `Only ${MAX_EXAMPLES} example photos can be kept: ${files.length - Math.max(room, 0)} were left out.`,
    );
  }
  const taken = files.slice(0, Math.max(room, 0));
  store.dispatch({ type: 'adding', delta: taken.length });
  let pending: { example: TeachExample; pixels: TrainExamplePixels }[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    if (!classExists()) {
      batch.forEach((b) => URL.revokeObjectURL(b.example.thumbnailUrl));
      store.dispatch({ type: 'adding', delta: -batch.length });
      return;
    }
    try {
      await addExamples(
        client,
        batch.map((b) => b.pixels),
      );
      if (classExists()) {
        store.dispatch({ type: 'examples-added', examples: batch.map((b) => b.example) });
        added += batch.length;
      } else {
        // The class went while these were on their way: the worker must not keep them either.
        batch.forEach((b) => URL.revokeObjectURL(b.example.thumbnailUrl));
        await removeExamples(
          client,
          batch.map((b) => b.example.id),
        ).catch(() => undefined);
      }
    } catch (error) {
      batch.forEach((b) => URL.revokeObjectURL(b.example.thumbnailUrl));
      problems.push(`${batch.length} photos could not be added: ${messageOf(error)}`);
    } finally {
      store.dispatch({ type: 'adding', delta: -batch.length });
    }
  };
  for (const [index, file] of taken.entries()) {
    if (!classExists()) {
      store.dispatch({ type: 'adding', delta: -(taken.length - index) });
      break;
    }
    const name = file instanceof File && file.name ? file.name : 'photo';
    try {
      const image = await prepare(file, {
        size: inputSize,
        mode: 'squash',
        thumbnailSize: 48,
      });
      const id = newId('ex');
      pending.push({
        example: {
          id,
          classId,
          name,
          thumbnailUrl: URL.createObjectURL(image.thumbnail),
          source: file,
          inWorker: true,
        },
        pixels: { id, pixels: image.pixels, width: image.width, height: image.height },
      });
    } catch (error) {
      store.dispatch({ type: 'adding', delta: -1 });
      problems.push(
        `${name}: ${error instanceof ImageInputError ? error.message : `could not be read (${messageOf(error)})`}`,
      );
    }
    if (pending.length >= CHUNK) await flush();
  }
  await flush();
  store.dispatch({ type: 'problems', problems });
  return added;
}

/** Removes one example (and its thumbnail); the worker forgets it too. */
export async function removePhoto(
  client: InferenceClient,
  id: string,
  store: TeachStore = teachStore,
): Promise<void> {
  const example = store.getState().examples.find((e) => e.id === id);
  if (!example) return;
  URL.revokeObjectURL(example.thumbnailUrl);
  store.dispatch({ type: 'example-removed', id });
  await removeExamples(client, [id]);
}

/** Removes a class with all its examples. */
export async function removeClass(
  client: InferenceClient,
  classId: string,
  store: TeachStore = teachStore,
): Promise<void> {
  const gone = store.getState().examples.filter((e) => e.classId === classId);
  gone.forEach((e) => URL.revokeObjectURL(e.thumbnailUrl));
  store.dispatch({ type: 'remove-class', id: classId });
  if (gone.length > 0) {
    await removeExamples(
      client,
      gone.map((e) => e.id),
    );
  }
}

/**
 * Sends examples the worker lost (after a restart) again, from the kept files. Resolves once the
 * worker holds every example.
 */
export async function resendLost(
  client: InferenceClient,
  inputSize: number,
  store: TeachStore = teachStore,
): Promise<void> {
  const lost = store.getState().examples.filter((e) => !e.inWorker);
  for (let i = 0; i < lost.length; i += CHUNK) {
    const batch = lost.slice(i, i + CHUNK);
    const pixels: TrainExamplePixels[] = [];
    for (const example of batch) {
      const image = await preprocessImage(example.source, { size: inputSize, mode: 'squash' });
      pixels.push({
        id: example.id,
        pixels: image.pixels,
        width: image.width,
        height: image.height,
      });
    }
    await addExamples(client, pixels);
    store.dispatch({ type: 'in-worker', ids: batch.map((e) => e.id) });
  }
}
