// The real app on a fresh in-memory database, with a fetcher allowed onto loopback (the fixture
// blogs live there). Tests call app.inject(); nothing listens.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { validateConfig, type Config } from '../../src/config.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { createPoller, type Poller } from '../../src/poller/poller.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import { createPingVerifier, type PingVerifier } from '../../src/poller/ping-verifier.ts';
import { hubSettings, pingVerifierSettings, pollerSettings, subscriberSettings } from '../../src/service.ts';
import { injectTopicRenderer } from '../../src/web/websub.ts';
import { advertisedHubUrl, createHub, type Hub } from '../../src/websub/hub.ts';
import { createSubscriber, type Subscriber } from '../../src/websub/subscriber.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import { createTestDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  database: OpenedDatabase;
  fetcher: Fetcher;
  poller: Poller;
  pingVerifier: PingVerifier;
  websubHub: Hub;
  websubSubscriber: Subscriber;
  config: Config;
  /** Waits for the WebSub work that polls and pings started in the background. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Builds a test config from the defaults with overrides (private networks allowed). */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return validateConfig({
    ...defaults,
    databasePath: ':memory:',
    logLevel: 'silent',
    ...overrides,
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true, timeoutMs: 5000, headersTimeoutMs: 3000, ...((overrides.fetcher as object) ?? {}) },
  });
}

export async function createTestApp(overrides: Record<string, unknown> = {}, options: { now?: () => Date } = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const database = await createTestDatabase();
  const fetcher = createFetcher({ ...config.fetcher, userAgent: config.userAgent });
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  const now = options.now;
  // Wired as service.ts wires them; the background promises are kept so tests can wait.
  const pending = new Set<Promise<unknown>>();
  const keep = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const onEntriesChanged = (change: Parameters<Hub['notify']>[0]): void => {
    if (config.websub.enabled) keep(websubHub.notify(change));
  };
  const websubSubscriber = createSubscriber({ db: database.db, fetch: fetcher.fetch, settings: subscriberSettings(config), log: silent, onEntriesChanged, now });
  const poller = createPoller({
    db: database.db,
    fetch: fetcher.fetch,
    settings: pollerSettings(config),
    log: silent,
    now,
    onEntriesChanged,
    onPostFeedRead: (source, feed) => keep(websubSubscriber.noteFeedHubs(source, feed)),
  });
  const pingVerifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, settings: pingVerifierSettings(config), log: silent, onEntriesChanged });
  const app = await buildApp({
    config,
    db: database.db,
    fetch: fetcher.fetch,
    pingVerifier,
    websubHubUrl: () => advertisedHubUrl(config),
    websub: config.websub.enabled ? { hub: config.websub.hubUrl ? undefined : { request: (r) => websubHub.request(r) }, subscriber: websubSubscriber } : undefined,
    ...(now ? { now } : {}),
  });
  const websubHub = createHub({ db: database.db, fetch: fetcher.fetch, settings: hubSettings(config), renderTopic: injectTopicRenderer(app, config.publicUrl), log: silent, now });
  return {
    app,
    database,
    fetcher,
    poller,
    pingVerifier,
    websubHub,
    websubSubscriber,
    config,
    settle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: async () => {
      await websubSubscriber.stop();
      await websubHub.stop();
      await pingVerifier.stop();
      await app.close();
      await fetcher.close();
      await database.close();
    },
  };
}
