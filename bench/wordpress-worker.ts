// One measured process of the WordPress benchmark (bench/wordpress.ts), forked with the farm's
// URLs; it reports its phases to the parent and exits.
//   baseline  undici GETs of the same URLs at the same limits: the post feeds (200), the comment
//             feeds (404), the post feeds again with their validators (304);
//   palaver   Palaver's poller as `palaver poll --once --force` wires it, over a fresh database:
//             the post feeds cold, then the comment feeds they named, then the post feeds again;
//   serve     the whole service (startService) ingesting the post feeds cold with its poller
//             while a second process (page-client.ts) asks for conversation pages; then the
//             same requests once the service is idle.
import { fork } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { defaultConfigFile, validateConfig, type Config } from '../src/config.ts';
import type { Db } from '../src/db/open.ts';
import type { SourceKind } from '../src/domain/vocabulary.ts';
import { createPoller } from '../src/poller/poller.ts';
import { fetcherFromConfig, openMigratedDatabase, pollerSettings, readerFromConfig, startService } from '../src/service.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import type { PageReport } from './page-client.ts';

// config/default.json, read from where the compiled worker finds it too (bench/measured-process.ts).
const defaults = JSON.parse(fs.readFileSync(defaultConfigFile, 'utf8')) as Record<string, Record<string, unknown>>;

export interface WorkerInput {
  mode: 'baseline' | 'palaver' | 'serve';
  feedUrls: string[];
  commentFeedUrls: string[];
  /** The fetcher's per-host limit, and as many requests in flight (one host). */
  perHost: number;
  /** serve: conversation page requests per second from the second process. */
  pageRate?: number;
  /** serve: seconds of the idle measurement after the ingest. */
  idleSeconds?: number;
  /** palaver: other feeds of the same kind, ingested cold after the rest by the process the rest warmed up. */
  laterFeedUrls?: string[];
}

export interface Phase {
  seconds: number;
  /** Sources polled (or URLs fetched). */
  feeds: number;
  /** New or changed entries (or items in the bodies fetched). */
  items: number;
  cpuSeconds: number;
  /** cpuSeconds by thread (Linux only): the event loop, the busiest other thread, and the rest. */
  cpuByThread?: ThreadCpu;
  /** The process's peak resident memory so far (the kernel's figure). */
  peakRssMb: number;
  failed: number;
}

/** CPU seconds of a phase by thread. */
export interface ThreadCpu {
  eventLoop: number;
  /** The thread other than the event loop that used the most: in Palaver's cold ingest, its reading thread. */
  busiestOther: number;
  /** Every other thread: V8's helpers (its optimizing compiler, the collector's), libuv's pool. */
  rest: number;
}

export interface WorkerReport {
  cold: Phase;
  comments: Phase;
  repoll: Phase;
  /** The later feeds' cold ingest (laterFeedUrls), in the process warmed up by the phases before. */
  laterCold?: Phase;
}

/** Where a page's time went, seen from inside the service. */
export interface ServiceSide {
  /** The event loop's delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution): how long it was held. */
  loopP99: number;
  loopMax: number;
  /** From the request's headers read to its response finished, for the /c/:id pages (node:http's diagnostics channels). */
  pageP50: number;
  pageP99: number;
  /** The service process's CPU time (user + system) over the wall time: the share of one core it used. */
  cpuShare: number;
}

export interface ServeReport {
  ingest: PageReport;
  idle: PageReport;
  ingestSide: ServiceSide;
  idleSide: ServiceSide;
  /** Seconds until every post feed had been polled once, and until the whole first poll (comment feeds too) ended. */
  feedsSeconds: number;
  pollSeconds: number;
  polled: number;
  inserted: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const silent = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(`bench: ${m}`, o) };

// Each thread's CPU time so far, by thread id, in the kernel's ticks (utime + stime of
// /proc/self/task/<tid>/stat, 100 a second); null where there is no /proc.
function threadTicks(): Map<number, number> | null {
  try {
    const ticks = new Map<number, number>();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      // The name in parentheses may hold spaces: the fields are counted after its closing one.
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    }
    return ticks;
  } catch {
    return null;
  }
}

function cpuByThread(before: Map<number, number> | null, after: Map<number, number> | null): ThreadCpu | undefined {
  if (!before || !after) return undefined;
  const used = [...after].map(([tid, t]) => [tid, (t - (before.get(tid) ?? 0)) / 100] as const);
  const eventLoop = used.find(([tid]) => tid === process.pid)?.[1] ?? 0;
  const others = used.filter(([tid]) => tid !== process.pid).map(([, s]) => s).sort((a, b) => b - a);
  return { eventLoop, busiestOther: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}

function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number; cpuByThread?: ThreadCpu; peakRssMb: number }> {
  const cpu = process.cpuUsage();
  const ticks = threadTicks();
  const t = performance.now();
  return work().then((result) => {
    const used = process.cpuUsage(cpu);
    const byThread = cpuByThread(ticks, threadTicks());
    return { result, seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, ...(byThread ? { cpuByThread: byThread } : {}), peakRssMb: process.resourceUsage().maxRSS / 1024 };
  });
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function baseline(input: WorkerInput): Promise<WorkerReport> {
  const agent = new Agent({ connections: input.perHost });
  const validators = new Map<string, { etag?: string; lastModified?: string }>();
  const fetchAll = (urls: string[], conditional: boolean) =>
    measure(async () => {
      let items = 0;
      let failed = 0;
      await pool(urls, input.perHost, async (url) => {
        const v = conditional ? validators.get(url) : undefined;
        const headers: Record<string, string> = {};
        if (v?.etag) headers['if-none-match'] = v.etag;
        if (v?.lastModified) headers['if-modified-since'] = v.lastModified;
        const res = await request(url, { dispatcher: agent, headers });
        const body = await res.body.text();
        if (res.statusCode === 200) {
          items += body.split('<item>').length - 1;
          validators.set(url, { etag: res.headers.etag as string | undefined, lastModified: res.headers['last-modified'] as string | undefined });
        } else if (res.statusCode !== 304 && res.statusCode !== 404) failed += 1;
      });
      return { items, failed };
    });
  const phase = (m: Awaited<ReturnType<typeof fetchAll>>, feeds: number): Phase => ({ seconds: m.seconds, feeds, items: m.result.items, cpuSeconds: m.cpuSeconds, peakRssMb: m.peakRssMb, failed: m.result.failed });
  const cold = phase(await fetchAll(input.feedUrls, false), input.feedUrls.length);
  // Palaver asks a WordPress post's comment feed for its Atom variant first: the same URLs here.
  const commentUrls = input.commentFeedUrls.map((u) => `${u}atom/`);
  const comments = phase(await fetchAll(commentUrls, false), commentUrls.length);
  const repoll = phase(await fetchAll(input.feedUrls, true), input.feedUrls.length);
  await agent.close();
  return { cold, comments, repoll };
}

function benchConfig(input: WorkerInput, dir: string): Config {
  return validateConfig({
    ...defaults,
    databasePath: path.join(dir, 'bench.db'),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true, perHostConcurrency: input.perHost },
    // BENCH_READER_THREADS: the same build with another number of reading threads (0: none), for pairs.
    poller: { ...defaults.poller, ...(process.env.BENCH_READER_THREADS ? { readerThreads: Number(process.env.BENCH_READER_THREADS) } : {}) },
  });
}

/** Registers one blog per post feed, as an OPML import would leave them (no ping endpoints: see the README). */
async function registerFeeds(db: Db, feedUrls: string[]): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (const url of feedUrls) {
      const home = url.replace(/feed\/$/, '');
      const blog = await insertBlog(trx, { homeUrl: home, urlKey: home.replace(/^https?:\/\//, ''), title: home, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
      await insertSource(trx, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
    }
  });
}

async function palaver(input: WorkerInput): Promise<WorkerReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-wp-'));
  const config = benchConfig(input, dir);
  const database = await openMigratedDatabase(config);
  await registerFeeds(database.db, input.feedUrls);
  const fetcher = fetcherFromConfig(config);
  const reader = readerFromConfig(config);
  const pollOnce = (kinds: SourceKind[], force = true) =>
    measure(() => createPoller({ db: database.db, fetch: fetcher.fetch, settings: pollerSettings(config), reader, log: silent, kinds }).pollOnce({ force }));
  const phase = (m: Awaited<ReturnType<typeof pollOnce>>): Phase => ({
    seconds: m.seconds,
    feeds: m.result.polled,
    items: m.result.inserted + m.result.changed,
    cpuSeconds: m.cpuSeconds,
    ...(m.cpuByThread ? { cpuByThread: m.cpuByThread } : {}),
    peakRssMb: m.peakRssMb,
    failed: m.result.crashed + m.result.results.filter((r) => r.outcome === 'failed' && r.status !== 404).length,
  });
  try {
    const cold = phase(await pollOnce(['feed']));
    const comments = phase(await pollOnce(['post-comments']));
    const repoll = phase(await pollOnce(['feed']));
    // The later feeds alone: the others are not due again for a while.
    let laterCold: Phase | undefined;
    if (input.laterFeedUrls?.length) {
      await registerFeeds(database.db, input.laterFeedUrls);
      laterCold = phase(await pollOnce(['feed'], false));
    }
    // BENCH_EXTRA_REPOLLS=<n>: that many more all-304 re-polls, not reported, so that a CPU
    // profile (BENCH_CPU_PROF) is mostly of them.
    for (let i = 0; i < Number(process.env.BENCH_EXTRA_REPOLLS ?? 0); i++) await pollOnce(['feed']);
    return { cold, comments, repoll, ...(laterCold ? { laterCold } : {}) };
  } finally {
    await reader?.close();
    await fetcher.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Watches the event loop and the pages' time inside the service until the returned function ends it. */
function watchServiceSide(): () => ServiceSide {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const started = new WeakMap<IncomingMessage, number>();
  const times: number[] = [];
  const onStart = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    if (request.url?.startsWith('/c/')) started.set(request, performance.now());
  };
  const onFinish = (m: unknown) => {
    const { request } = m as { request: IncomingMessage; response: ServerResponse };
    const t = started.get(request);
    if (t !== undefined) times.push(performance.now() - t);
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return () => {
    loop.disable();
    diagnostics.unsubscribe('http.server.request.start', onStart);
    diagnostics.unsubscribe('http.server.response.finish', onFinish);
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    const used = process.cpuUsage(cpu);
    const cpuShare = (used.user + used.system) / 1000 / (performance.now() - wall);
    return { loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, pageP50: at(0.5), pageP99: at(0.99), cpuShare };
  };
}

async function serve(input: WorkerInput): Promise<ServeReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-wp-'));
  const service = await startService(benchConfig(input, dir), { startPoller: false });
  // Compiled beside this file when it runs compiled (bench/measured-process.ts).
  const compiled = fileURLToPath(import.meta.url).endsWith('.js');
  const client = fork(path.join(here, compiled ? 'page-client.js' : 'page-client.ts'), [service.address, String(input.pageRate ?? 20)], { execArgv: compiled ? [] : ['--import', 'tsx'] });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string } & T) => {
        if (m.type !== type) return;
        client.off('message', onMessage);
        resolve(m);
      };
      client.on('message', onMessage);
      client.once('exit', (code) => reject(new Error(`bench: page client exited ${code}`)));
    });
  try {
    await registerFeeds(service.database.db, input.feedUrls);
    await next('ready');
    client.send({ type: 'measure' });
    const t = performance.now();
    let feedsDone = 0;
    let feedsSeconds = 0;
    const ingestReport = next<{ report: PageReport }>('report');
    const endIngestSide = watchServiceSide();
    let ingestSide: ServiceSide | undefined;
    // The service's own poller, all kinds, as its first poll after an import: post feeds first
    // (oldest due), then the comment feeds they named. The pages are measured until the last post feed is in.
    const summary = await service.poller.pollOnce({
      force: true,
      onResult: (_r, source) => {
        if (source.kind !== 'feed' || ++feedsDone < input.feedUrls.length) return;
        feedsSeconds = (performance.now() - t) / 1000;
        ingestSide = endIngestSide();
        client.send({ type: 'stop' });
      },
    });
    const pollSeconds = (performance.now() - t) / 1000;
    const ingest = (await ingestReport).report;
    const endIdleSide = watchServiceSide();
    client.send({ type: 'measure' });
    await new Promise((r) => setTimeout(r, (input.idleSeconds ?? 15) * 1000));
    const idleReport = next<{ report: PageReport }>('report');
    client.send({ type: 'stop' });
    const idleSide = endIdleSide();
    const idle = (await idleReport).report;
    return { ingest, idle, ingestSide: ingestSide ?? endIngestSide(), idleSide, feedsSeconds, pollSeconds, polled: summary.polled, inserted: summary.inserted };
  } finally {
    client.kill();
    await service.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.once('message', (input: WorkerInput) => {
  const run = input.mode === 'baseline' ? baseline(input) : input.mode === 'palaver' ? palaver(input) : serve(input);
  run.then(
    (report) => process.send!(report, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
