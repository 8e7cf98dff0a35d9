// Costly page reads kept for a while under a key naming what they depend on (a version of the
// data): the requests of the next minute get the same answer, and requests that come while it is
// being read wait for that read, not for their own. A read that failed is not kept.

/** Keeps up to `max` answers, each for `maxAgeMs`, least recently asked going first. */
export function createRecentReads<V>(options: { maxAgeMs: number; max: number; now: () => Date }) {
  const kept = new Map<string, { at: number; value: Promise<V> }>();
  return function recent(key: string, read: () => Promise<V>): Promise<V> {
    const at = options.now().getTime();
    const hit = kept.get(key);
    if (hit && at - hit.at < options.maxAgeMs && hit.at <= at) {
      kept.delete(key);
      kept.set(key, hit);
      return hit.value;
    }
    const value = read();
    kept.delete(key);
    kept.set(key, { at, value });
    value.catch(() => {
      if (kept.get(key)?.value === value) kept.delete(key);
    });
    while (kept.size > options.max) kept.delete(kept.keys().next().value!);
    return value;
  };
}
