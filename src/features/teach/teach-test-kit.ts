/** Test helpers shared by the Teach unit tests. */
import type { TeachExample } from './teach-state';

/** An example photo already in the worker, with a made-up thumbnail URL. */
export function example(id: string, classId: string): TeachExample {
  return {
    id,
    classId,
    name: `${id}.jpg`,
    thumbnailUrl: `blob:${id}`,
    source: new Blob(),
    inWorker: true,
  };
}
