/**
 * The ImageNet model a custom model is compared with ("Also show ImageNet's top-3"): the last
 * ImageNet model that ran on this page — normally the one a Teach model was trained on — kept
 * across reloads, so the comparison never switches quietly to another (perhaps missing) model.
 */
import { useEffect, useState } from 'react';
import type { ModelEntry } from '../models/registry';

const KEY = 'inception-lens.comparison-model';

/** Remembers `entry` as the comparison model. */
export function rememberComparison(entry: ModelEntry, storage: Storage = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(entry));
  } catch {
    // storage blocked: the page's own ImageNet model is the comparison on the next visit
  }
}

/** The remembered comparison model, or `fallback` (the page's ImageNet model). */
export function comparisonModel(fallback: ModelEntry, storage: Storage = localStorage): ModelEntry {
  try {
    const raw = storage.getItem(KEY);
    const e = raw ? (JSON.parse(raw) as Partial<ModelEntry>) : null;
    if (e && typeof e.id === 'string' && typeof e.name === 'string' && typeof e.url === 'string') {
      return e as ModelEntry;
    }
  } catch {
    // unreadable: fall back
  }
  return fallback;
}

/** A model name without a trailing "(ImageNet)", for sentences that already say ImageNet. */
export function withoutImageNet(name: string): string {
  return name.replace(/\s*\(ImageNet\)\s*$/i, '') || name;
}

/** Whether a model's files are there: 'checking', then 'yes' or 'no'. */
export type Reachable = 'checking' | 'yes' | 'no';

/**
 * Asks the server whether `url`'s model.json is there (a HEAD request; a web page where the JSON
 * should be counts as missing, as the app's single-page fallback answers 200 with HTML). Models
 * kept in this browser count as there. Skipped (null) while `enabled` is false.
 */
export function useModelReachable(url: string, enabled: boolean): Reachable | null {
  const [answer, setAnswer] = useState<{ url: string; reachable: Reachable } | null>(null);
  const local = url.startsWith('indexeddb://');
  useEffect(() => {
    if (!enabled || local) return;
    const controller = new AbortController();
    fetch(url, { method: 'HEAD', signal: controller.signal })
      .then((res) => {
        const html = (res.headers.get('content-type') ?? '').includes('text/html');
        setAnswer({ url, reachable: res.ok && !html ? 'yes' : 'no' });
      })
      .catch(() => {
        if (!controller.signal.aborted) setAnswer({ url, reachable: 'no' });
      });
    return () => controller.abort();
  }, [url, enabled, local]);
  if (!enabled) return null;
  if (local) return 'yes';
  return answer?.url === url ? answer.reachable : 'checking';
}
