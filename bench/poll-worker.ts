// One measured process of the polling benchmark: either Palaver's poller (fetch, decode, parse,
// sanitize, store) or the baseline (undici GETs of the same URLs, body read and dropped), each
// through the same four passes: every feed changed (all items new), every feed unchanged (304),
// one new post a feed (the farm asked over IPC to advance), and the same bodies again from a farm
// without validators (200).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { defaultConfigFile, validateConfig } from '../src/config.ts';
import { createPoller } from '../src/poller/poller.ts';
import { createFetcher } from '../src/reader/fetcher.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import { readerFromConfig } from '../src/service.ts';

// config/default.json, read from where the compiled worker finds it too (bench/measured-process.ts).
const defaults = JSON.parse(fs.readFileSync(defaultConfigFile, 'utf8')) as Record<string, Record<string, unknown>>;

const [mode, urlsFile, concurrencyArg, hostsArg] = process.argv.slice(2);
const urls: string[] = JSON.parse(fs.readFileSync(urlsFile!, 'utf8'));
const concurrency = Number(concurrencyArg);
const hosts = Number(hostsArg);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

interface Phase {
  seconds: number;
  feeds: number;
  items: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** What the farm is asked to do before each pass (bench/poll.ts answers once it is done). */
const farmSteps = [null, null, 'advance', 'no-validators'] as const;

function askFarm(step: (typeof farmSteps)[number]): Promise<void> {
  if (!step) return Promise.resolve();
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    process.send!({ farm: step });
  });
}

async function measured(pass: () => Promise<{ feeds: number; items: number }>): Promise<Phase> {
  peakRss = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const { feeds, items } = await pass();
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, feeds, items, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: peakRss / 2 ** 20 };
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function baseline(): Promise<Phase[]> {
  const agent = new Agent({ connections: Math.ceil(concurrency / hosts) });
  const etags = new Map<string, string>();
  const phases: Phase[] = [];
  for (const step of farmSteps) {
    await askFarm(step);
    phases.push(await measured(async () => {
      let items = 0;
      await pool(urls, concurrency, async (url) => {
        const etag = etags.get(url);
        const res = await request(url, { dispatcher: agent, headers: etag ? { 'if-none-match': etag } : {} });
        const body = await res.body.text();
        if (res.statusCode === 200) {
          items += body.split('<item>').length - 1;
          const e = res.headers.etag;
          if (typeof e === 'string') etags.set(url, e);
        }
      });
      return { feeds: urls.length, items };
    }));
  }
  await agent.close();
  return phases;
}

async function palaver(): Promise<Phase[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-'));
  const database = openDatabase(path.join(dir, 'bench.db'));
  await migrateToLatest(database.db);
  const now = new Date().toISOString();
  await database.db.transaction().execute(async (trx) => {
    for (const [i, url] of urls.entries()) {
      const blog = await insertBlog(trx, { homeUrl: `http://blog${i}.example/`, urlKey: `blog${i}.example`, title: `Blog ${i}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
      await insertSource(trx, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
    }
  });
  const fetcher = createFetcher({
    userAgent: 'Palaver-bench', timeoutMs: 30_000, connectTimeoutMs: 5_000, headersTimeoutMs: 20_000, maxBodyBytes: 5 * 2 ** 20,
    maxRedirects: 5, perHostConcurrency: Math.ceil(concurrency / hosts), allowPrivateNetworks: true,
  });
  // The reading threads the service would start here (BENCH_READER_THREADS: another number, for pairs).
  const reader = readerFromConfig(validateConfig({ ...defaults, poller: { ...defaults.poller, ...(process.env.BENCH_READER_THREADS ? { readerThreads: Number(process.env.BENCH_READER_THREADS) } : {}) } }));
  const poller = createPoller({
    db: database.db,
    fetch: fetcher.fetch,
    reader,
    settings: { pollIntervalSeconds: 1800, maxIntervalSeconds: 86400, maxBackoffSeconds: 86400, disableAfterFailures: 20, commentFeedMaxQuietDays: 60, concurrency, tickSeconds: 15, perHostLimit: 10_000 },
    log: { info: () => {}, warn: () => {}, error: (o, m) => console.error(m, o) },
    // Post feeds only: the comment feeds they name are a different workload (see threading.ts).
    kinds: ['feed'],
  });
  const phases: Phase[] = [];
  for (const step of farmSteps) {
    await askFarm(step);
    phases.push(await measured(async () => {
      const summary = await poller.pollOnce({ force: true });
      if (summary.failed + summary.crashed + summary.disabled > 0) {
        console.error(`bench: ${summary.failed + summary.crashed + summary.disabled} feeds failed`, summary.results.find((r) => r.error)?.error);
      }
      return { feeds: summary.polled, items: summary.inserted + summary.changed };
    }));
  }
  await reader?.close();
  await fetcher.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return phases;
}

const phases = mode === 'baseline' ? await baseline() : await palaver();
clearInterval(sampler);
process.stdout.write(JSON.stringify(phases));
process.disconnect();
