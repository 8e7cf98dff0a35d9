// Mixed load: the whole service (web app, poller, ping verifier) on a database file, wired as
// createService wires it (the pages' read-only connection, the reading threads, the search and
// tally threads), while a second process sends pages, feeds, API calls and webmentions on
// loopback, and the poller keeps polling a farm of changing feeds. Reports requests, errors,
// latency and the service's memory.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import defaults from '../config/default.json' with { type: 'json' };
import { buildApp } from '../src/app.ts';
import { validateConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createPingVerifier } from '../src/poller/ping-verifier.ts';
import { createPoller } from '../src/poller/poller.ts';
import { createFetcher } from '../src/reader/fetcher.ts';
import { pingVerifierSettings, pollerSettings, readerFromConfig, searchThreadFor, tallyThreadFor } from '../src/service.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import { startFeedFarm } from './feed-fixtures.ts';
import type { Figure } from './poll.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const silent = { info: () => {}, warn: () => {}, error: () => {} };

export interface LoadReport {
  requests: number;
  errors: number;
  byStatus: Record<string, number>;
  p50: number;
  p99: number;
  p99ByKind: Record<string, number>;
}

/** Runs the mixed load and returns its figures. */
export async function benchLoad(options: { feeds: number; seconds: number; concurrency: number }): Promise<Figure[]> {
  // BENCH_ACCEPT_ENCODING ('gzip, deflate, br' as browsers send it): the client (which inherits it) asks for compressed answers.
  const encoding = process.env.BENCH_ACCEPT_ENCODING ?? '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-load-'));
  const farm = await startFeedFarm(options.feeds, { hosts: 4 });
  const config = validateConfig({
    ...defaults,
    databasePath: path.join(dir, 'load.db'),
    logLevel: 'silent',
    pollIntervalSeconds: 5,
    poller: { ...defaults.poller, tickSeconds: 1, concurrency: 8 },
    pings: { ...defaults.pings, perClientPerMinute: 1e9, perSourceHostPerMinute: 1e9 },
    // Every request comes from one loopback client: its searches are measured, not limited.
    pages: { ...defaults.pages, searchesPerClientPerMinute: 1e9 },
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true, perHostConcurrency: 4 },
  });
  const database = openDatabase(config.databasePath);
  await migrateToLatest(database.db);
  const now = new Date().toISOString();
  for (const [i, url] of farm.urls.entries()) {
    const home = new URL('/', url).href;
    const blog = await insertBlog(database.db, { homeUrl: `${home}blog${i}/`, urlKey: `${new URL(url).host}/blog${i}`, title: `Blog ${i}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
    await insertSource(database.db, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
  }
  const fetcher = createFetcher({ ...config.fetcher, userAgent: 'Palaver-load' });
  // Only the farm's feeds: their items' comment feeds name hosts that resolve nowhere here.
  const reader = readerFromConfig(config);
  const poller = createPoller({ db: database.db, fetch: fetcher.fetch, settings: pollerSettings(config), log: silent, kinds: ['feed'], ...(reader ? { reader } : {}) });
  const verifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, settings: pingVerifierSettings(config), log: silent });
  const searches = searchThreadFor(database);
  const tallies = tallyThreadFor(database);
  const app = await buildApp({
    config,
    db: database.db,
    read: database.read,
    fetch: fetcher.fetch,
    poller,
    pingVerifier: verifier,
    ...(searches ? { search: searches.search } : {}),
    ...(tallies ? { tallies } : {}),
  });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });

  // A first poll so the pages have conversations to show.
  await poller.pollOnce({ force: true });
  poller.start();
  verifier.start();
  let polls = 0;
  const bump = setInterval(() => {
    farm.bump();
    polls += 1;
  }, 10_000);

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const startRss = process.memoryUsage().rss;
  try {
    const report = await new Promise<LoadReport>((resolve, reject) => {
      const child = fork(path.join(here, 'load-client.ts'), [origin, String(options.seconds), String(options.concurrency)], { execArgv: ['--import', 'tsx'] });
      child.once('message', (m) => resolve(m as LoadReport));
      child.once('error', reject);
      child.once('exit', (code) => code !== 0 && reject(new Error(`bench: load client exited ${code}`)));
    });
    const peak = Math.max(...rss) / 2 ** 20;
    const growth = (rss.at(-1)! - startRss) / 2 ** 20;
    const statuses = Object.entries(report.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ');
    const kinds = Object.entries(report.p99ByKind).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ');
    const note = `p99 by request: ${kinds}. ${options.seconds} s, ${options.concurrency} in flight from a second process (pages, feeds, API, webmentions${encoding ? `, each with Accept-Encoding: ${encoding}` : ', without Accept-Encoding'}) while the poller polled ${options.feeds} changing feeds (${polls} feed changes); answers ${statuses}`;
    return [
      { name: 'mixed load: requests/s', value: report.requests / options.seconds, baseline: null, unit: 'req/s', higherIsBetter: true, note },
      { name: 'mixed load: errors (5xx other than a full queue’s 503, or failed)', value: report.errors, baseline: null, unit: 'errors', higherIsBetter: false },
      { name: 'mixed load: p50 latency', value: report.p50, baseline: null, unit: 'ms', higherIsBetter: false },
      { name: 'mixed load: p99 latency', value: report.p99, baseline: null, unit: 'ms', higherIsBetter: false },
      { name: 'mixed load: service peak RSS', value: peak, baseline: null, unit: 'MiB', higherIsBetter: false },
      { name: 'mixed load: service RSS growth', value: growth, baseline: null, unit: 'MiB', higherIsBetter: false },
    ];
  } finally {
    clearInterval(bump);
    clearInterval(sampler);
    await poller.stop();
    await reader?.close();
    await verifier.stop();
    await app.close();
    await searches?.close();
    await tallies?.close();
    await fetcher.close();
    await farm.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
