/**
 * Which zoo models' ImageNet weights this server has (`models/<name>/model.json`, what
 * `npm run model:fetch -- --model <name>` writes), asked once per page with a HEAD request each.
 */
import { useEffect, useState } from 'react';
import { ZOO_MODEL_NAMES, zooModelEntry, type ZooModelName } from '../models/registry';

/** true: on this server; false: not; absent: still asking. */
export type ZooAvailability = Partial<Record<ZooModelName, boolean>>;

/** Whether `url` answers with a model file (not a 404, not the app's own page). */
async function isThere(url: string, fetchFn: typeof fetch): Promise<boolean> {
  try {
    const response = await fetchFn(url, { method: 'HEAD', cache: 'no-store' });
    const type = response.headers.get('content-type') ?? '';
    // Single-page hosts answer unknown paths with index.html and status 200.
    return response.ok && !type.includes('text/html');
  } catch {
    return false;
  }
}

/** Asks the server about every zoo model; resolves name → present. */
export async function zooAvailability(
  base: string,
  fetchFn: typeof fetch = fetch,
): Promise<Record<ZooModelName, boolean>> {
  const answers = await Promise.all(
    ZOO_MODEL_NAMES.map(async (name) => {
      const url = new URL(zooModelEntry(name).url, base).href;
      return [name, await isThere(url, fetchFn)] as const;
    }),
  );
  return Object.fromEntries(answers) as Record<ZooModelName, boolean>;
}

let asked: Promise<Record<ZooModelName, boolean>> | null = null;

/** The zoo's availability on this server, asked once per page load. */
export function useZooAvailability(): ZooAvailability {
  const [known, setKnown] = useState<ZooAvailability>({});
  useEffect(() => {
    let live = true;
    asked ??= zooAvailability(location.href);
    void asked.then((answer) => live && setKnown(answer));
    return () => {
      live = false;
    };
  }, []);
  return known;
}
