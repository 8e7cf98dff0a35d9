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

/** Waits ms, or less when nudged (a slot of the host was freed here); rejects when the signal aborts. */
function pause(ms: number, signal: AbortSignal | undefined, asker: HostAsker): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (asker.freed) {
      // A slot was given back here while the request asked: no reason to wait before asking again.
      asker.freed = false;
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      asker.nudge = null;
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      asker.nudge = null;
      reject(signal?.reason);
    };
    const timer = setTimeout(done, ms);
    asker.nudge = done;
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * This process's requests to one host that wait for a slot in the database: they take turns, so
 * that only the first asks the database while the host's slots are full (each of them asking
 * would multiply the queries by the requests waiting, in every process).
 */
interface HostAsker {
  /** Settled when the last request to join the line has had its turn. */
  tail: Promise<void>;
  waiting: number;
  /** Ends the pause of the request asking now (a slot of the host was freed in this process). */
  nudge: (() => void) | null;
  /** A slot was freed here while the request asking was not pausing. */
  freed: boolean;
}

/** A name for this process's slots, unique among the processes sharing the database. */
export function processHolderName(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The per-host limit over all processes: a request first waits for this process's own turn, then
 * for a free slot of its host in the database. Of this process's requests to one host, one at a
 * time asks the database (trying again after 10 ms, backing off to 250 ms, at once when this
 * process frees a slot of the host); the next asks when it has a slot or gives up.
 */
export function createSharedHostSlots(options: SharedHostSlotsOptions): HostSlotLimiter {
  const holder = processHolderName();
  const now = options.now ?? (() => new Date());
  const askers = new Map<string, HostAsker>();

  /** Waits for this request's turn to ask the database; the returned function passes the turn on. */
  async function turnToAsk(key: string, signal?: AbortSignal): Promise<{ asker: HostAsker; passOn: () => void }> {
    let asker = askers.get(key);
    if (!asker) {
      asker = { tail: Promise.resolve(), waiting: 0, nudge: null, freed: false };
      askers.set(key, asker);
    }
    const line = asker;
    const before = line.tail;
    let passed!: () => void;
    line.tail = new Promise<void>((resolve) => (passed = resolve));
    line.waiting += 1;
    // The turn passes on only once the request before has had its own, so two never ask at once.
    const passOn = () => {
      void before.then(() => {
        passed();
        line.waiting -= 1;
        if (line.waiting === 0 && askers.get(key) === line) askers.delete(key);
      });
    };
    try {
      await untilAborted(before, signal);
    } catch (err) {
      passOn();
      throw err;
    }
    return { asker: line, passOn };
  }

  return {
    async acquire(key, signal) {
      const releaseLocal = await options.local.acquire(key, signal);
      let turn: Awaited<ReturnType<typeof turnToAsk>>;
      try {
        turn = await turnToAsk(key, signal);
      } catch (err) {
        releaseLocal();
        throw err;
      }
      let wait = minWaitMs;
      for (;;) {
        const t = now();
        let slot: number | null;
        try {
          slot = await takeHostSlot(options.db, key, options.limit, holder, t.toISOString(), new Date(t.getTime() + options.leaseMs).toISOString());
        } catch (err) {
          // Without the database the local limit still holds; the fetch that follows will say more.
          turn.passOn();
          options.onError?.(err);
          return releaseLocal;
        }
        if (slot !== null) {
          turn.passOn();
          const taken = slot;
          let released = false;
          return () => {
            if (released) return;
            released = true;
            // This process's next waiter goes once the slot is free in the database, not before,
            // so that it does not find its own process's slot still held and back off; the one
            // asking meanwhile asks again at once.
            releaseHostSlot(options.db, key, taken, holder)
              .catch((err: unknown) => options.onError?.(err))
              .finally(() => {
                releaseLocal();
                const asking = askers.get(key);
                if (asking?.nudge) asking.nudge();
                else if (asking) asking.freed = true;
              });
          };
        }
        try {
          await pause(wait * (0.5 + Math.random()), signal, turn.asker);
        } catch (err) {
          turn.passOn();
          releaseLocal();
          throw err;
        }
        wait = Math.min(maxWaitMs, wait * 2);
      }
    },
  };
}

/** Settles with `promise`, or rejects when the signal aborts first. */
function untilAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
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
