// The mixed load's measured process (bench/load.ts): the whole service (web app, poller, ping
// verifier) on a database file, wired as createService wires it (the pages' read-only
// connection, the reading threads, the search and tally threads), polling the parent's farm of
// changing feeds while a client process sends it pages, feeds, API calls and webmentions. Its
// resident memory is the service's alone: the farm and the client live in other processes.
// Prints the client's report with the service's peak and growth of resident memory as JSON.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { defaultConfigFile, validateConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createPingVerifier } from '../src/poller/ping-verifier.ts';
import { createPoller } from '../src/poller/poller.ts';
import { createFetcher } from '../src/reader/fetcher.ts';
import { pingVerifierSettings, pollerSettings, readerFromConfig, searchThreadFor, tallyThreadFor } from '../src/service.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import type { LoadReport } from './load.ts';

const [urlsFile, secondsArg, concurrencyArg, clientFile] = process.argv.slice(2);
const seconds = Number(secondsArg);
const silent = { info: () => {}, warn: () => {}, error: () => {} };
// Read from the checkout: the compiled worker has no copy of config/ beside it.
const defaults = JSON.parse(fs.readFileSync(defaultConfigFile, 'utf8')) as Record<string, Record<string, unknown>>;

async function main(): Promise<void> {
  const urls = JSON.parse(fs.readFileSync(urlsFile!, 'utf8')) as string[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-load-'));
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
  for (const [i, url] of urls.entries()) {
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

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const startRss = process.memoryUsage().rss;
  try {
    const report = await new Promise<LoadReport>((resolve, reject) => {
      const child = fork(clientFile!, [origin, String(seconds), concurrencyArg!], { execArgv: ['--import', 'tsx'] });
      child.once('message', (m) => resolve(m as LoadReport));
      child.once('error', reject);
      child.once('exit', (code) => code !== 0 && reject(new Error(`bench: load client exited ${code}`)));
    });
    rss.push(process.memoryUsage().rss);
    process.stdout.write(JSON.stringify({ report, peakMb: Math.max(...rss) / 2 ** 20, growthMb: (rss.at(-1)! - startRss) / 2 ** 20 }));
  } finally {
    clearInterval(sampler);
    await poller.stop();
    await reader?.close();
    await verifier.stop();
    await app.close();
    await searches?.close();
    await tallies?.close();
    await fetcher.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
