// What the web routes are given: settings, the database, the guarded fetcher and handles on the
// background workers. Declared apart from app.ts so that routes and the app builder do not
// import each other; src/service.ts fills it in.
import type { Config } from '../config.ts';
import type { Db } from '../db/open.ts';
import type { PingVerifier } from '../poller/ping-verifier.ts';
import type { Poller } from '../poller/poller.ts';
import type { EntriesChanged } from '../domain/vocabulary.ts';
import type { Fetch } from '../reader/types.ts';
import type { Hub } from '../websub/hub.ts';
import type { Subscriber } from '../websub/subscriber.ts';
import type { SearchThread } from './search-thread.ts';
import type { Tallies } from './tally-thread.ts';
import type { RateLimitFactory } from './window-limiter.ts';

export interface AppDeps {
  config: Config;
  /** The database: every write goes through it, and every read a write depends on. */
  db: Db;
  /**
   * The pages' and feeds' reads (OpenedDatabase.read: on SQLite a read-only connection that an
   * ingest's open transaction does not hold up); `db` when not given.
   */
  read?: Db;
  /** The guarded fetcher: registration uses it for discovery. */
  fetch: Fetch;
  poller?: Pick<Poller, 'wake'>;
  /** Verifies queued pings; without it (some benchmarks) pings only queue. */
  pingVerifier?: Pick<PingVerifier, 'wake' | 'verifyNow'>;
  now?: () => Date;
  /** The WebSub hub Palaver's feeds advertise (Link rel="hub"), or null while WebSub is off. */
  websubHubUrl?: () => string | null;
  /** Palaver's WebSub hub (POST /websub) and its subscriptions' callbacks; absent routes 404. */
  websub?: {
    hub?: Pick<Hub, 'request'>;
    subscriber?: Pick<Subscriber, 'answerVerification' | 'receive'>;
  };
  /** Told when a change made over the web alters feeds (a group's members), for WebSub. */
  onEntriesChanged?: (change: EntriesChanged) => void;
  /** The rate limits' counters: in memory (the default), or shared by processes through the database. */
  rateLimits?: RateLimitFactory;
  /** Runs a search beside the event loop (a SQLite file's search thread); searchEntries on `read` when not given. */
  search?: SearchThread['search'];
  /** Reads that add up a whole blog or the registry, beside the event loop (a SQLite file's tally thread); on `read` when not given. */
  tallies?: Tallies;
  /** Fastify logger options; false (the default) for tests. */
  logger?: boolean | Record<string, unknown>;
}
