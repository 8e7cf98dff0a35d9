// The real app on a fresh in-memory database, with a fetcher allowed onto loopback (the fixture
// blogs live there). Tests call app.inject(); nothing listens.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { validateConfig, type Config } from '../../src/config.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { createPoller, type Poller } from '../../src/poller/poller.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import { createPingVerifier, type PingVerifier } from '../../src/poller/ping-verifier.ts';
import { pingVerifierSettings, pollerSettings } from '../../src/service.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import { createTestDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  database: OpenedDatabase;
  fetcher: Fetcher;
  poller: Poller;
  pingVerifier: PingVerifier;
  config: Config;
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

export async function createTestApp(overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const database = await createTestDatabase();
  const fetcher = createFetcher({ ...config.fetcher, userAgent: config.userAgent });
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  const poller = createPoller({ db: database.db, fetch: fetcher.fetch, settings: pollerSettings(config), log: silent });
  const pingVerifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, settings: pingVerifierSettings(config), log: silent });
  const app = await buildApp({ config, db: database.db, fetch: fetcher.fetch, pingVerifier });
  return {
    app,
    database,
    fetcher,
    poller,
    pingVerifier,
    config,
    close: async () => {
      await pingVerifier.stop();
      await app.close();
      await fetcher.close();
      await database.close();
    },
  };
}
