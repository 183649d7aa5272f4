/** A copy of `map` without `key`: how "Try again" forgets a failed outcome so it is asked anew. */
export function withoutKey<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
