// One Palaver per hostile case: the service wired by createService() on a fresh in-memory
// database (the real app, poller and ping verifier; no worker started), with a guarded fetcher
// that may reach only the fault server's origins (private networks stay refused) and test host
// names mapped to any address through its lookup hook.
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { validateConfig, type Config } from '../../src/config.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { PingVerifier } from '../../src/poller/ping-verifier.ts';
import type { PollSummary, Poller } from '../../src/poller/poller.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { createService } from '../../src/service.ts';
import defaults from '../../config/default.json' with { type: 'json' };
import type { FaultServer } from './fault-server.ts';

/** Test host names and the addresses the fake DNS gives them (RFC 6761 reserves .test). */
export const hostileHosts: Record<string, string> = {
  'loopback.hostile.test': '127.0.0.1',
  'loopback6.hostile.test': '::1',
  'unspecified.hostile.test': '0.0.0.0',
  'metadata.hostile.test': '169.254.169.254',
  'ten.hostile.test': '10.1.2.3',
  'onesevenetwo.hostile.test': '172.16.0.9',
  'oneninetwo.hostile.test': '192.168.0.7',
  'cgnat.hostile.test': '100.64.12.1',
  'ula.hostile.test': 'fc00::7',
  'linklocal6.hostile.test': 'fe80::7',
  'mapped.hostile.test': '::ffff:127.0.0.1',
};

/** Answers test host names from hostileHosts; anything else does not exist. */
export const hostileLookup: LookupFunction = (hostname, options, callback) => {
  const address = hostileHosts[hostname.toLowerCase()];
  if (!address) {
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    if (options.all) callback(err, [] as LookupAddress[]);
    else callback(err, '', undefined);
    return;
  }
  const family = address.includes(':') ? 6 : 4;
  if (options.all) callback(null, [{ address, family }]);
  else callback(null, address, family);
};

export interface World {
  app: FastifyInstance;
  database: OpenedDatabase;
  fetcher: Fetcher;
  poller: Poller;
  pingVerifier: PingVerifier;
  config: Config;
  faults: FaultServer;
  /** Registers the blog through POST /api/blogs while its feed is good and polls it once. */
  registerGoodBlog(name: string): Promise<{ id: number; entryCount: number }>;
  /** Polls every source now (the poller's --force run). */
  pollAll(): Promise<PollSummary>;
  blog(id: number): Promise<BlogStatus>;
  /** Asserts /health answers 200 with the database ok. */
  expectHealthy(): Promise<void>;
  close(): Promise<void>;
}

export interface BlogStatus {
  id: number;
  title: string | null;
  status: string;
  lastError: string | null;
  nextCheckAt: string | null;
  entryCount: number;
  sources: { kind: string; url: string; lastError: string | null; lastStatus: number | null; consecutiveFailures: number; nextCheckAt: string | null; disabled: boolean }[];
}

export interface WorldOptions {
  allowPrivateNetworks?: boolean;
  fetcher?: Partial<Config['fetcher']>;
  pings?: Partial<Config['pings']>;
  /** Further settings merged over the world's (registry, poller, adminToken, …). */
  settings?: Record<string, unknown>;
}

/** Builds a world around the shared fault server. */
export async function createWorld(faults: FaultServer, options: WorldOptions = {}): Promise<World> {
  const config = validateConfig({
    ...defaults,
    databasePath: ':memory:',
    logLevel: 'silent',
    publicUrl: 'http://palaver.example',
    fetcher: {
      ...defaults.fetcher,
      allowPrivateNetworks: options.allowPrivateNetworks ?? false,
      allowedOrigins: [faults.origin, ...(faults.tlsOrigin ? [faults.tlsOrigin] : [])],
      timeoutMs: 1500,
      connectTimeoutMs: 1000,
      headersTimeoutMs: 1000,
      ...options.fetcher,
    },
    // Pings show at once here: moderation is tested elsewhere, verification is what counts.
    pings: { ...defaults.pings, moderation: 'open', pingbackDeadlineMs: 3000, ...options.pings },
    // The cases register many blogs from one address, shown at once; the registration limits and
    // moderation have cases of their own.
    registry: { ...defaults.registry, moderation: 'open', perClientPerHour: 1_000_000, perHostPerHour: 1_000_000 },
    ...options.settings,
  });
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  const service = await createService(config, { log: silent, lookup: hostileLookup });
  const { app, database, fetcher, poller, pingVerifier } = service;

  const blog = async (id: number): Promise<BlogStatus> => {
    const res = await app.inject({ method: 'GET', url: `/api/blogs/${id}` });
    expect(res.statusCode).toBe(200);
    return res.json<BlogStatus>();
  };

  return {
    app,
    database,
    fetcher,
    poller,
    pingVerifier,
    config,
    faults,
    async registerGoodBlog(name) {
      faults.setFeed(name, 'good');
      const res = await app.inject({ method: 'POST', url: '/api/blogs', payload: { url: faults.blogUrl(name) } });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ id: number }>().id;
      const summary = await poller.pollOnce({ force: true });
      expect(summary.crashed).toBe(0);
      const status = await blog(id);
      expect(status.status).toBe('active');
      expect(status.entryCount).toBe(3);
      return { id, entryCount: status.entryCount };
    },
    pollAll: () => poller.pollOnce({ force: true }),
    blog,
    async expectHealthy() {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ database: string }>().database).toBe('ok');
    },
    close: () => service.stop(),
  };
}

/**
 * Asks the world's /health (in this process) every 200 ms while `work` runs, and once more when
 * it is done; returns the slowest answer, timed from when its request was due: a loop held
 * between two samples delays the next one, as it would delay a reader's request arriving then.
 * The last sample sees a loop held as the work ended (parsing a body, then rendering the answer).
 */
export async function slowestHealthWhile<T>(world: Pick<World, 'app'>, work: () => Promise<T>): Promise<{ value: T; slowestMs: number; samples: number }> {
  let done = false;
  let slowest = 0;
  let samples = 0;
  const probe = (async () => {
    let due = performance.now();
    for (;;) {
      const res = await world.app.inject({ method: 'GET', url: '/health' });
      slowest = Math.max(slowest, res.statusCode === 200 ? performance.now() - due : Infinity);
      samples += 1;
      if (done) return;
      due = performance.now() + 200;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let value: T;
  try {
    value = await work();
  } finally {
    done = true;
    await probe;
  }
  return { value, slowestMs: slowest, samples };
}

/** Samples RSS every 5 ms while `work` runs and returns the peak growth over the start, in MB. */
export async function measurePeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakDeltaMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakDeltaMb: (peak - start) / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** Memory figures seen in this run, printed by the closing table. */
export const memoryFigures: { name: string; peakDeltaMb: number; boundMb: number }[] = [];
