// store: the limits several processes on one PostgreSQL hold together: the requests in flight to
// one host (fetcher.perHostConcurrency over all processes, as leased host slots) and the rate
// limits of the web layer (events per key in a sliding window, counted in the database). SQLite's
// single process keeps both in memory instead; service.ts picks.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { forgetRateLimitHits, oldestRateLimitHit, releaseHostSlot, takeHostSlot, takeRateLimit } from './dialect.ts';

/** Waits its turn for a slot of a host; the returned function gives it back. */
export interface HostSlotLimiter {
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
}

export interface SharedHostSlotsOptions {
  db: Db;
  /** At most this many requests to one host at a time, over every process. */
  limit: number;
  /** How long a slot is leased: longer than any request may last, so only a dead process's slot runs out. */
  leaseMs: number;
  /** This process's own limiter (the same limit), so that its waiters queue here rather than in the database. */
  local: HostSlotLimiter;
  now?: () => Date;
  /** Told when the database fails: the request then goes ahead on the local limit alone. */
  onError?: (err: unknown) => void;
}

const minWaitMs = 10;
const maxWaitMs = 250;

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A name for this process's slots, unique among the processes sharing the database. */
export function processHolderName(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The per-host limit over all processes: a request first waits for this process's own turn, then
 * for a free slot of its host in the database (trying again after 10 ms, backing off to 250 ms).
 */
export function createSharedHostSlots(options: SharedHostSlotsOptions): HostSlotLimiter {
  const holder = processHolderName();
  const now = options.now ?? (() => new Date());
  return {
    async acquire(key, signal) {
      const releaseLocal = await options.local.acquire(key, signal);
      let wait = minWaitMs;
      for (;;) {
        const t = now();
        let slot: number | null;
        try {
          slot = await takeHostSlot(options.db, key, options.limit, holder, t.toISOString(), new Date(t.getTime() + options.leaseMs).toISOString());
        } catch (err) {
          // Without the database the local limit still holds; the fetch that follows will say more.
          options.onError?.(err);
          return releaseLocal;
        }
        if (slot !== null) {
          const taken = slot;
          let released = false;
          return () => {
            if (released) return;
            released = true;
            // This process's next waiter goes once the slot is free in the database, not before,
            // so that it does not find its own process's slot still held and back off.
            releaseHostSlot(options.db, key, taken, holder)
              .catch((err: unknown) => options.onError?.(err))
              .finally(releaseLocal);
          };
        }
        try {
          await pause(wait * (0.5 + Math.random()), signal);
        } catch (err) {
          releaseLocal();
          throw err;
        }
        wait = Math.min(maxWaitMs, wait * 2);
      }
    },
  };
}

/** A rate limit: events per key in a sliding window. */
export interface SharedWindowLimiter {
  take(key: string): Promise<boolean>;
  retryAfterSeconds(key: string): Promise<number>;
}

/** A rate limit counted in the database, so every process sharing it counts the same events. */
export function createSharedWindowLimiter(options: { db: Db; scope: string; limit: number; windowMs: number; now: () => number }): SharedWindowLimiter {
  let takes = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    async take(key) {
      const t = options.now();
      const since = iso(t - options.windowMs);
      // Now and then, the events of keys that stopped sending go.
      if (++takes % 500 === 0) await forgetRateLimitHits(options.db, options.scope, since);
      return (await takeRateLimit(options.db, options.scope, key, options.limit, since, iso(t))).taken;
    },
    async retryAfterSeconds(key) {
      const t = options.now();
      const { count, oldest } = await oldestRateLimitHit(options.db, options.scope, key, iso(t - options.windowMs));
      if (count < options.limit || oldest === null) return 0;
      return Math.max(1, Math.ceil((Date.parse(oldest) + options.windowMs - t) / 1000));
    },
  };
}
