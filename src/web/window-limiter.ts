// The rate limits of the web layer, in one place: events counted per key in a sliding window
// (pings and WebSub requests per minute, registrations per hour, login attempts per quarter
// hour), small and in-process, with a bound on the keys it remembers. @fastify/rate-limit cannot
// key on what the ping endpoints need, the source host named in the body. Web processes that
// share a PostgreSQL count in the database instead (AppDeps.rateLimits, from service.ts).

export interface WindowLimiter {
  /** Records an event and tells whether the key is still within its limit (a refused one is not counted). */
  take(key: string): boolean | Promise<boolean>;
  /** Seconds until the key may act again (0 when it may now). */
  retryAfterSeconds(key: string): number | Promise<number>;
}

/** A limiter in memory answers at once. */
export interface MemoryWindowLimiter extends WindowLimiter {
  take(key: string): boolean;
  retryAfterSeconds(key: string): number;
}

/** Makes the limiter of one limit (`scope` names it, e.g. "pings-per-client"). */
export type RateLimitFactory = (scope: string, options: { limit: number; windowMs: number; now: () => number }) => WindowLimiter;

/** The limits of one process, in memory. */
export const inMemoryRateLimits: RateLimitFactory = (_scope, options) => createWindowLimiter(options);

/** Creates a limiter of `limit` events per `windowMs` per key. */
export function createWindowLimiter(options: { limit: number; windowMs: number; maxKeys?: number; now?: () => number }): MemoryWindowLimiter {
  const hits = new Map<string, number[]>();
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  const recent = (key: string, t: number) => (hits.get(key) ?? []).filter((h) => t - h < options.windowMs);

  function prune(t: number): void {
    for (const [k, v] of hits) if (v.every((h) => t - h >= options.windowMs)) hits.delete(k);
    // Still too many keys: forget the oldest, which only lets them start afresh.
    for (const k of hits.keys()) {
      if (hits.size <= maxKeys) break;
      hits.delete(k);
    }
  }

  return {
    take(key) {
      const t = now();
      const kept = recent(key, t);
      if (kept.length >= options.limit) {
        hits.set(key, kept);
        return false;
      }
      kept.push(t);
      hits.delete(key);
      hits.set(key, kept);
      if (hits.size > maxKeys) prune(t);
      return true;
    },
    retryAfterSeconds(key) {
      const t = now();
      const kept = recent(key, t);
      if (kept.length < options.limit) return 0;
      return Math.max(1, Math.ceil((kept[0]! + options.windowMs - t) / 1000));
    },
  };
}

/** Counts events per key in a sliding minute (the ping endpoints, WebSub subscription requests). */
export function createMinuteLimiter(perMinute: number, now: () => number = Date.now): MemoryWindowLimiter {
  return createWindowLimiter({ limit: perMinute, windowMs: 60_000, maxKeys: 10_000, now });
}
