// Wires Palaver together once: database (migrated), guarded fetcher, web app, and the
// background workers (poller, ping verifier, WebSub hub and subscriber) with the events between
// them. createService() wires without listening (the CLI, the tests); startService() listens
// and starts the workers (main.ts, the demo). stop() undoes it in reverse order.
import type { LookupFunction } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import type { EntriesChanged, ServiceLog } from './domain/vocabulary.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openConfiguredDatabase } from './db/connect.ts';
import type { OpenedDatabase } from './db/open.ts';
import { createPingVerifier, type PingVerifier, type PingVerifierSettings } from './poller/ping-verifier.ts';
import { createPoller, type Poller, type PollerSettings } from './poller/poller.ts';
import { createBackgroundLoop, type BackgroundLoop } from './poller/background-loop.ts';
import { followQualifyingSites, type AutoFollowSettings } from './registry/auto-follow.ts';
import type { RefreshDeps } from './poller/refresh-types.ts';
import { loggerOptions } from './log-output.ts';
import { createFetcher, type Fetcher } from './reader/fetcher.ts';
import { createFeedReader, type FeedReader } from './reader/read-feed.ts';
import { createHostLimiter } from './reader/host-limiter.ts';
import { notifyWork, workChannel } from './store/dialect.ts';
import { createSharedHostSlots, createSharedWindowLimiter } from './store/shared-limits.ts';
import { createSearchThread, type SearchThread } from './web/search-thread.ts';
import { createTallyThread, type Tallies } from './web/tally-thread.ts';
import type { RateLimitFactory } from './web/window-limiter.ts';
import { advertisedHubUrl, createHub, type Hub, type HubSettings } from './websub/hub.ts';
import { createSubscriber, type Subscriber, type SubscriberSettings } from './websub/subscriber.ts';

export interface Service {
  config: Config;
  app: FastifyInstance;
  database: OpenedDatabase;
  fetcher: Fetcher;
  pingVerifier: PingVerifier;
  poller: Poller;
  websubHub: Hub;
  websubSubscriber: Subscriber;
  /** Follows qualifying unregistered sites while registry.autoFollow is on (woken when entries change). */
  autoFollower: BackgroundLoop;
  /**
   * Starts the background workers the settings enable; the poller unless `poller` says otherwise.
   * On PostgreSQL it also listens for work that other processes queued (pings, deliveries, new blogs).
   */
  startWorkers(options?: { poller?: boolean }): Promise<void>;
  /** Waits for the WebSub work that polls, pushes and pings started in the background. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** A service that listens. */
export interface RunningService extends Service {
  /** Where the server listens, e.g. http://127.0.0.1:3000 */
  address: string;
}

export interface ServiceOptions {
  /** Where the workers log; the app's logger by default. The CLI prints for people instead. */
  log?: ServiceLog;
  /** The clock of the app and the workers (tests). */
  now?: () => Date;
  /** Resolves host names for the fetcher (tests play DNS without a network). */
  lookup?: LookupFunction;
}

/** Translates the settings into automatic following's. */
export function autoFollowSettings(config: Config): AutoFollowSettings {
  return { enabled: config.registry.autoFollow, minLinks: config.registry.autoFollowMinLinks, perDay: config.registry.autoFollowPerDay };
}

// How often automatic following looks again without being woken (a day's limit frees up).
const autoFollowIntervalMs = 15 * 60_000;

/** Translates the settings into the poller's. */
export function pollerSettings(config: Config): PollerSettings {
  return {
    pollIntervalSeconds: config.pollIntervalSeconds,
    maxIntervalSeconds: Math.max(config.poller.maxIntervalSeconds, config.pollIntervalSeconds),
    maxBackoffSeconds: config.poller.maxBackoffSeconds,
    disableAfterFailures: config.poller.disableAfterFailures,
    commentFeedMaxQuietDays: config.poller.commentFeedMaxQuietDays,
    commentCompletion: { maxCommentPages: config.poller.maxCommentPages, maxCommentApiPages: config.poller.maxCommentApiPages, maxCommentPageBytes: Math.min(config.fetcher.maxBodyBytes, 3 * 1024 * 1024) },
    pushedPollIntervalSeconds: config.websub.pushedPollIntervalSeconds,
    concurrency: config.poller.concurrency,
    tickSeconds: config.poller.tickSeconds,
    perHostLimit: Math.max(config.fetcher.perHostConcurrency * 2, 2),
    showPendingWhenJoined: config.registry.showPendingWhenJoined,
    maxItemsPerPoll: config.poller.maxItemsPerPoll,
    claimLeaseSeconds: config.poller.claimLeaseSeconds,
  };
}

/** Translates the settings into the ping verifier's. */
export function pingVerifierSettings(config: Config): PingVerifierSettings {
  return {
    concurrency: config.pings.verifyConcurrency,
    moderation: config.pings.moderation,
    maxAttempts: config.pings.maxAttempts,
    tickSeconds: config.poller.tickSeconds,
    source: {
      maxBytes: config.pings.maxSourceBytes,
      maxElements: config.pings.maxSourceElements,
      timeoutMs: config.pings.sourceReadTimeoutMs,
      memoryMb: config.pings.sourceReadMemoryMb,
    },
  };
}

/** Translates the settings into the WebSub hub's. */
export function hubSettings(config: Config): HubSettings {
  return {
    publicUrl: config.publicUrl,
    externalHubUrl: config.websub.hubUrl,
    leaseSeconds: config.websub.leaseSeconds,
    maxLeaseSeconds: config.websub.maxLeaseSeconds,
    deliveryAttempts: config.websub.deliveryAttempts,
    tickSeconds: config.poller.tickSeconds,
    maxItems: config.feeds.maxItems,
  };
}

/** Translates the settings into the WebSub subscriber's: it subscribes only under an explicit PUBLIC_URL. */
export function subscriberSettings(config: Config): SubscriberSettings {
  return {
    publicUrl: config.publicUrl,
    enabled: config.websub.enabled && config.publicUrlExplicit,
    leaseSeconds: config.websub.leaseSeconds,
    tickSeconds: config.poller.tickSeconds,
  };
}

/**
 * Creates the guarded fetcher from the settings. Given a PostgreSQL database, the per-host limit
 * holds over every process that shares it (host slots leased in the database for longer than a
 * request may last, so a crashed process's slots free themselves).
 */
export function fetcherFromConfig(config: Config, lookup?: LookupFunction, shared?: { database: OpenedDatabase; onError: (err: unknown) => void }): Fetcher {
  const hostLimiter =
    shared?.database.dialect === 'postgres'
      ? createSharedHostSlots({
          db: shared.database.db,
          limit: config.fetcher.perHostConcurrency,
          // A request ends within timeoutMs of taking its slot (the deadline starts then).
          leaseMs: config.fetcher.timeoutMs + 5_000,
          local: createHostLimiter(config.fetcher.perHostConcurrency),
          onError: shared.onError,
        })
      : undefined;
  return createFetcher({ ...config.fetcher, userAgent: config.userAgent, ...(lookup ? { lookup } : {}), ...(hostLimiter ? { hostLimiter } : {}) });
}

/** The web layer's rate limits: in memory on SQLite (one process), counted in PostgreSQL (any number). */
function rateLimitsFor(database: OpenedDatabase): RateLimitFactory | undefined {
  if (database.dialect !== 'postgres') return undefined;
  return (scope, options) => createSharedWindowLimiter({ db: database.db, scope, ...options });
}

/**
 * The search thread of a SQLite file: its searches run beside the event loop, 3 s each at most.
 * PostgreSQL searches in its own processes, and a database in memory is seen by this connection only.
 */
export function searchThreadFor(database: OpenedDatabase): SearchThread | undefined {
  if (database.dialect !== 'sqlite' || database.read === database.db) return undefined;
  return createSearchThread(database.label, { timeoutMs: 3000, maxWaiting: 32 });
}

/**
 * The tally thread of a SQLite file: the reads of pages that add up a whole blog or the registry
 * run beside the event loop, 10 s each at most. Not for PostgreSQL or a database in memory (as searchThreadFor).
 */
export function tallyThreadFor(database: OpenedDatabase): Tallies | undefined {
  if (database.dialect !== 'sqlite' || database.read === database.db) return undefined;
  return createTallyThread(database.label, { timeoutMs: 10_000, maxWaiting: 16 });
}

/**
 * The poller's reading threads (poller.readerThreads): they decode, parse and draft feeds off the
 * event loop, each job limited to 20 s and each thread's heap to 512 MB; none when set to 0.
 */
export function readerFromConfig(config: Config): FeedReader | undefined {
  const threads = config.poller.readerThreads;
  return threads > 0 ? createFeedReader({ threads, timeoutMs: 20_000, memoryMb: 512, idleMs: 30_000 }) : undefined;
}

/** Opens the database and applies pending migrations. */
export async function openMigratedDatabase(config: Config, options: { onError?: (err: Error) => void } = {}): Promise<OpenedDatabase> {
  const database = await openConfiguredDatabase(config, options);
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Wires the whole service from the settings without listening or starting a worker. */
export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  // The workers log through the app's logger, which exists once the app is built.
  let app: FastifyInstance | undefined;
  const log: ServiceLog = options.log ?? {
    info: (obj, msg) => app?.log.info(obj, msg),
    warn: (obj, msg) => app?.log.warn(obj, msg),
    error: (obj, msg) => app?.log.error(obj, msg),
  };
  const database = await openMigratedDatabase(config, { onError: (err) => log.error({ err }, 'database connection failed') });
  const fetcher = fetcherFromConfig(config, options.lookup, { database, onError: (err) => log.error({ err }, 'shared host limit failed') });
  const now = options.now;
  const deps = { db: database.db, fetch: fetcher.fetch, log, ...(now ? { now } : {}) };

  // Background promises are kept, so that settle() and stop() can wait for them.
  const pending = new Set<Promise<unknown>>();
  const keep = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // Work queued here reaches the idle workers of other processes sharing the database (NOTIFY on
  // PostgreSQL; on SQLite the one process's own workers are woken and that is all).
  const announce = (queue: 'pings' | 'websub' | 'sources'): void => {
    if (database.dialect === 'postgres') keep(notifyWork(database.db, queue).catch((err: unknown) => log.error({ err, queue }, 'waking other processes failed')));
  };
  const websubHub = createHub({ ...deps, settings: hubSettings(config), onWork: () => announce('websub') });
  const autoFollow = autoFollowSettings(config);
  const autoFollower = createBackgroundLoop({
    intervalMs: autoFollowIntervalMs,
    pass: async () => {
      const done = await followQualifyingSites(deps, autoFollow);
      if (done.followed.length) poller.wake();
    },
    onError: (err) => log.error({ err }, 'automatic following failed'),
  });
  // Every committed change of entries reaches the hub, whichever way it came, and may make a site worth following.
  const onEntriesChanged = (change: EntriesChanged): void => {
    if (config.websub.enabled) keep(websubHub.notify(change));
    if (autoFollow.enabled) autoFollower.wake();
  };
  const reader = readerFromConfig(config);
  const websubSubscriber = createSubscriber({ ...deps, settings: subscriberSettings(config), onEntriesChanged, ...(reader ? { reader } : {}) });
  const onPostFeedRead: RefreshDeps['onPostFeedRead'] = (source, feed) => {
    keep(websubSubscriber.noteFeedHubs(source, feed).catch((err: unknown) => log.error({ err, sourceId: source.id }, 'websub subscription planning failed')));
  };
  const pingVerifier = createPingVerifier({ ...deps, settings: pingVerifierSettings(config), onEntriesChanged });
  // Whoever wakes the verifier or the poller (a ping accepted, a blog registered) wakes those of
  // the other processes too; a wake from another process (the listener below) stays local.
  const wakePingsHere = pingVerifier.wake;
  pingVerifier.wake = () => {
    wakePingsHere();
    announce('pings');
  };
  const poller = createPoller({ ...deps, settings: pollerSettings(config), reader, onPingsQueued: () => pingVerifier.wake(), onEntriesChanged, onPostFeedRead });
  const pollHere = poller.wake;
  poller.wake = () => {
    pollHere();
    announce('sources');
  };
  const rateLimits = rateLimitsFor(database);
  const searches = searchThreadFor(database);
  const tallies = tallyThreadFor(database);

  try {
    app = await buildApp({
      config,
      db: database.db,
      read: database.read,
      fetch: fetcher.fetch,
      logger: config.logLevel === 'silent' ? false : loggerOptions(config),
      poller,
      pingVerifier,
      ...(rateLimits ? { rateLimits } : {}),
      ...(searches ? { search: searches.search } : {}),
      ...(tallies ? { tallies } : {}),
      websubHubUrl: () => advertisedHubUrl(config),
      onEntriesChanged,
      websub: config.websub.enabled ? { hub: config.websub.hubUrl ? undefined : websubHub, subscriber: websubSubscriber } : undefined,
      ...(now ? { now } : {}),
    });
  } catch (err) {
    await reader?.close();
    await searches?.close();
    await tallies?.close();
    await fetcher.close();
    await database.close();
    throw err;
  }
  const web = app;

  let unlisten: (() => Promise<void>) | null = null;
  const settle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  let stopping: Promise<void> | null = null;
  return {
    config,
    app: web,
    database,
    fetcher,
    poller,
    pingVerifier,
    websubHub,
    websubSubscriber,
    autoFollower,
    async startWorkers(start = {}) {
      const polling = start.poller ?? config.poller.enabled;
      if (polling) poller.start();
      // Pings are verified even when polling is off: senders wait for their answer.
      pingVerifier.start();
      if (config.websub.enabled) websubHub.start();
      if (subscriberSettings(config).enabled) websubSubscriber.start();
      // Following a site runs discovery, and a followed blog only matters where blogs are polled.
      if (autoFollow.enabled && polling) autoFollower.start();
      if (database.listen && !unlisten) {
        // Between wake-ups the workers still look at their queues every tick, so a lost
        // notification (a dropped connection) delays work by a tick at most.
        unlisten = await database.listen(workChannel, (queue) => {
          if (queue === 'pings') wakePingsHere();
          else if (queue === 'websub' && config.websub.enabled) websubHub.wake();
          else if (queue === 'sources' && polling) pollHere();
        });
      }
    },
    settle,
    stop() {
      stopping ??= (async () => {
        await unlisten?.();
        await autoFollower.stop();
        await poller.stop();
        await reader?.close();
        await pingVerifier.stop();
        await websubSubscriber.stop();
        await websubHub.stop();
        await settle();
        await web.close();
        await searches?.close();
        await tallies?.close();
        await fetcher.close();
        await database.close();
      })();
      return stopping;
    },
  };
}

/** Wires the service, listens on config.host:config.port and starts the background workers (unless `workers` is false). */
export async function startService(config: Config, options: ServiceOptions & { startPoller?: boolean; workers?: boolean } = {}): Promise<RunningService> {
  const service = await createService(config, options);
  let address: string;
  try {
    address = await service.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await service.stop();
    throw err;
  }
  try {
    // `palaver web` leaves every worker to `palaver poller` processes.
    if (options.workers !== false) await service.startWorkers({ poller: options.startPoller ?? config.poller.enabled });
  } catch (err) {
    await service.stop();
    throw err;
  }
  return { ...service, address };
}
