// Wires a running Palaver together: database (migrated), fetcher, web app, background poller.
// Used by main.ts and by the demo; shutdown undoes it in reverse order.

import type { EntriesChanged } from './domain/vocabulary.ts';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openDatabase, type OpenedDatabase } from './db/open.ts';
import { createPingVerifier, type PingVerifier, type PingVerifierSettings } from './poller/ping-verifier.ts';
import { createPoller, type Poller, type PollerSettings } from './poller/poller.ts';
import type { RefreshDeps } from './poller/refresh.ts';
import { loggerOptions } from './log-output.ts';
import { createFetcher, type Fetcher } from './reader/fetcher.ts';
import { injectTopicRenderer } from './web/websub.ts';
import { advertisedHubUrl, createHub, type Hub, type HubSettings } from './websub/hub.ts';
import { createSubscriber, type Subscriber, type SubscriberSettings } from './websub/subscriber.ts';

export interface Service {
  app: FastifyInstance;
  database: OpenedDatabase;
  fetcher: Fetcher;
  pingVerifier: PingVerifier;
  poller: Poller;
  websubHub: Hub;
  websubSubscriber: Subscriber;
  /** Where the server listens, e.g. http://127.0.0.1:3000 */
  address: string;
  stop(): Promise<void>;
}

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

/** Creates the guarded fetcher from the settings. */
export function fetcherFromConfig(config: Config): Fetcher {
  return createFetcher({ ...config.fetcher, userAgent: config.userAgent });
}

/** Opens the database and applies pending migrations. */
export async function openMigratedDatabase(config: Config): Promise<OpenedDatabase> {
  const database = openDatabase(config.databasePath);
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Starts the whole service and listens on config.host:config.port. */
export async function startService(config: Config, options: { startPoller?: boolean } = {}): Promise<Service> {
  const database = await openMigratedDatabase(config);
  const fetcher = fetcherFromConfig(config);
  const app = await buildApp({
    config,
    db: database.db,
    fetch: fetcher.fetch,
    logger: loggerOptions(config),
    poller: { wake: () => poller.wake() },
    pingVerifier: { wake: () => pingVerifier.wake(), verifyNow: (id, signal) => pingVerifier.verifyNow(id, signal) },
    websubHubUrl: () => advertisedHubUrl(config),
    websub: config.websub.enabled
      ? {
          hub: config.websub.hubUrl ? undefined : { request: (r) => websubHub.request(r) },
          subscriber: { answerVerification: (id, q) => websubSubscriber.answerVerification(id, q), receive: (id, c) => websubSubscriber.receive(id, c) },
        }
      : undefined,
  });
  const websubHub = createHub({ db: database.db, fetch: fetcher.fetch, settings: hubSettings(config), renderTopic: injectTopicRenderer(app, config.publicUrl), log: app.log });
  // Every committed change of entries reaches the hub, whichever way it came.
  const onEntriesChanged = (change: EntriesChanged): void => {
    if (config.websub.enabled) void websubHub.notify(change);
  };
  const websubSubscriber = createSubscriber({ db: database.db, fetch: fetcher.fetch, settings: subscriberSettings(config), log: app.log, onEntriesChanged });
  const onPostFeedRead: RefreshDeps['onPostFeedRead'] = (source, feed) => {
    websubSubscriber.noteFeedHubs(source, feed).catch((err: unknown) => app.log.error({ err, sourceId: source.id }, 'websub subscription planning failed'));
  };
  const poller = createPoller({ db: database.db, fetch: fetcher.fetch, settings: pollerSettings(config), log: app.log, onPingsQueued: () => pingVerifier.wake(), onEntriesChanged, onPostFeedRead });
  const pingVerifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, settings: pingVerifierSettings(config), log: app.log, onEntriesChanged });
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close();
    await fetcher.close();
    await database.close();
    throw err;
  }
  if (options.startPoller ?? config.poller.enabled) poller.start();
  // Pings are verified even when polling is off: senders wait for their answer.
  pingVerifier.start();
  if (config.websub.enabled) websubHub.start();
  if (subscriberSettings(config).enabled) websubSubscriber.start();
  let stopping: Promise<void> | null = null;
  return {
    app,
    database,
    fetcher,
    poller,
    pingVerifier,
    websubHub,
    websubSubscriber,
    address,
    stop() {
      stopping ??= (async () => {
        await poller.stop();
        await pingVerifier.stop();
        await websubSubscriber.stop();
        await websubHub.stop();
        await app.close();
        await fetcher.close();
        await database.close();
      })();
      return stopping;
    },
  };
}
