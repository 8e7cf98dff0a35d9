// The in-process rate limits of the endpoints that cost Palaver a fetch (pings, WebSub
// subscriptions): events counted per key in a sliding minute. @fastify/rate-limit cannot key
// on what the ping endpoints need, the source host named in the body.

/** A sliding one-minute limit per key. */
export interface MinuteLimiter {
  /** Records a hit and tells whether the key is still within its limit. */
  take(key: string): boolean;
}

/** Counts events per key in a sliding minute; small and in-process, like the queue it guards. */
export function createMinuteLimiter(perMinute: number, now: () => number = Date.now): MinuteLimiter {
  const hits = new Map<string, number[]>();
  return {
    take(key: string): boolean {
      const t = now();
      const recent = (hits.get(key) ?? []).filter((h) => t - h < 60_000);
      if (recent.length >= perMinute) {
        hits.set(key, recent);
        return false;
      }
      recent.push(t);
      hits.set(key, recent);
      // Forget keys whose minute has passed, so a flood of distinct keys cannot grow the map for ever.
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.every((h) => t - h >= 60_000)) hits.delete(k);
      return true;
    },
  };
}
