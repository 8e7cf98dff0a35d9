// The fetcher's politeness towards each host: at most a few requests in flight per host:port,
// the rest waiting their turn in order, and a waiter that gives up (its signal aborts) leaves.

/** Creates the per-host limiter: at most `limit` holders per key, the rest queue in order. */
export function createHostLimiter(limit: number): {
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
  /** Keys with holders or waiters; empty when idle, which shows nothing leaks. */
  activeKeys(): string[];
} {
  const hosts = new Map<string, { active: number; waiting: (() => void)[] }>();

  const releaseFor = (key: string): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slot = hosts.get(key);
      if (!slot) return;
      const next = slot.waiting.shift();
      if (next) {
        next();
        return;
      }
      slot.active -= 1;
      if (slot.active === 0) hosts.delete(key);
    };
  };

  return {
    acquire(key, signal) {
      let slot = hosts.get(key);
      if (!slot) {
        slot = { active: 0, waiting: [] };
        hosts.set(key, slot);
      }
      if (slot.active < limit) {
        slot.active += 1;
        return Promise.resolve(releaseFor(key));
      }
      const queue = slot;
      return new Promise((resolve, reject) => {
        // The slot passes straight from the releaser to this waiter, so `active` stays the same.
        const onTurn = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaseFor(key));
        };
        const onAbort = (): void => {
          const i = queue.waiting.indexOf(onTurn);
          if (i >= 0) queue.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        queue.waiting.push(onTurn);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    activeKeys: () => [...hosts.keys()],
  };
}
