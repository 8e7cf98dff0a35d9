// Searches over the web (/?q=, /g/:slug?q=): where they run (the app's search thread, else in
// place on the read handle) and how often one client may search: a search reads the index, tens
// to hundreds of milliseconds over a large archive, so one client's flood of searches would hold
// every other reader's searches; at most pages.searchesPerClientPerMinute per client (IPv6 by
// /64), the rest answered 429 with Retry-After.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from './deps.ts';
import { clientKey } from './client-key.ts';
import { HttpError } from './errors.ts';
import { inMemoryRateLimits } from './window-limiter.ts';
import { searchEntries } from '../store/search.ts';
import type { SearchThread } from './search-thread.ts';

export interface SearchGate {
  /** Counts a search of this request's client; throws HttpError 429 past the limit. */
  admit(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

function createSearchGate(deps: AppDeps): SearchGate {
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const perClient = (deps.rateLimits ?? inMemoryRateLimits)('searches-per-client', { limit: deps.config.pages.searchesPerClientPerMinute, windowMs: 60_000, now });
  return {
    async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const client = clientKey(request.ip);
      if (await perClient.take(client)) return;
      reply.header('retry-after', String(await perClient.retryAfterSeconds(client)));
      throw new HttpError(429, 'rate-limited', 'Too many searches from your address; try again in a minute.');
    },
  };
}

const byApp = new WeakMap<AppDeps, SearchGate>();

/** Returns the search gate of an app: one count per client over every route that searches. */
export function searchGateFor(deps: AppDeps): SearchGate {
  let gate = byApp.get(deps);
  if (!gate) {
    gate = createSearchGate(deps);
    byApp.set(deps, gate);
  }
  return gate;
}

/** How the app's routes search: through its search thread, or on its read handle. */
export function searchOf(deps: AppDeps): SearchThread['search'] {
  const read = deps.read ?? deps.db;
  return deps.search ?? ((input, options) => searchEntries(read, input, options));
}
