// Spreads the requests of a bulk job over time per host: each request to a host starts at least
// `intervalMs` after the previous one to that host, so an OPML list naming one site hundreds
// of times cannot make Palaver hammer it. Requests to different hosts are not held back.
import type { Fetch } from '../reader/types.ts';

/** Wraps `fetch` so requests to one host start at most once per `intervalMs`. */
export function paceByHost(fetch: Fetch, intervalMs: number, clock: { now: () => number; sleep: (ms: number) => Promise<void> } = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }): Fetch {
  const nextStart = new Map<string, number>();
  return async (request) => {
    let host: string;
    try {
      host = new URL(request.url).host.toLowerCase();
    } catch {
      return fetch(request);
    }
    const now = clock.now();
    const at = Math.max(now, nextStart.get(host) ?? now);
    nextStart.set(host, at + intervalMs);
    // Forget hosts whose turn is long past; the map stays as small as the hosts in flight.
    if (nextStart.size > 1000) for (const [h, t] of nextStart) if (t < now) nextStart.delete(h);
    if (at > now) await clock.sleep(at - now);
    return fetch(request);
  };
}
