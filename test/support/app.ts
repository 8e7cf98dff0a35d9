// The real service on a fresh in-memory database, wired by createService() exactly as the
// process wires it, with a fetcher allowed onto loopback (the fixture blogs live there). Tests
// call app.inject(); nothing listens and no background worker runs unless a test starts it.
import defaults from '../../config/default.json' with { type: 'json' };
import { validateConfig, type Config } from '../../src/config.ts';
import { createService, type Service } from '../../src/service.ts';
import { createPostgresTestDatabase, testPostgresUrl } from './postgres.ts';

export interface TestApp extends Service {
  /** Stops the workers and closes the app, the fetcher and the database. */
  close(): Promise<void>;
}

/** Builds a test config from the defaults with overrides (private networks allowed). */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return validateConfig({
    ...defaults,
    databasePath: ':memory:',
    logLevel: 'silent',
    ...overrides,
    // Reading threads start per service, and a test app is one service per test: without them unless a test asks.
    poller: { ...defaults.poller, readerThreads: 0, ...((overrides.poller as object) ?? {}) },
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true, timeoutMs: 5000, headersTimeoutMs: 3000, ...((overrides.fetcher as object) ?? {}) },
  });
}

export async function createTestApp(overrides: Record<string, unknown> = {}, options: { now?: () => Date } = {}): Promise<TestApp> {
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  const adminUrl = testPostgresUrl();
  if (adminUrl) {
    // A database of its own, copied from the migrated template, dropped on close.
    const created = await createPostgresTestDatabase(adminUrl);
    const service = await createService(testConfig({ ...overrides, databaseUrl: created.url, database: { poolSize: 4 } }), { log: silent, ...(options.now ? { now: options.now } : {}) });
    const stop = service.stop;
    let closed: Promise<void> | null = null;
    const close = () => (closed ??= stop().then(() => created.drop()));
    return { ...service, stop: close, close };
  }
  const service = await createService(testConfig(overrides), { log: silent, ...(options.now ? { now: options.now } : {}) });
  return { ...service, close: () => service.stop() };
}
