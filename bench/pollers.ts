// Several pollers on one PostgreSQL: cold ingest of N fixture feeds (about 20 items each) by 1,
// 2 and 4 poller processes at once, with the fixture blogs answering at once (CPU-bound) and after
// 100 ms (latency-bound), against one poller in the same run; and one poller on SQLite against
// one on PostgreSQL. Also the per-feed CPU and the bytes per stored entry that docs/scaling.md
// works from. Needs BENCH_DATABASE_URL: the admin database of a server it may create databases on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase, type Db } from '../src/db/open.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import { startFeedFarm } from './feed-fixtures.ts';
import type { Figure } from './poll.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const template = 'palaver_bench_template';
const runDb = 'palaver_bench_run';

interface WorkerResult {
  polled: number;
  inserted: number;
  failed: number;
  seconds: number;
  cpuMs: number;
}

interface Run {
  feedsPerSecond: number;
  polled: number;
  inserted: number;
  cpuMsPerFeed: number;
  bytesPerEntry: number | null;
}

function urlOf(adminUrl: string, name: string): string {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/i.exec(adminUrl);
  if (!m) throw new Error(`not a postgres:// URL: ${adminUrl}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

async function register(db: Db, urls: string[]): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (const [i, url] of urls.entries()) {
      const blog = await insertBlog(trx, { homeUrl: `http://blog${i}.example/`, urlKey: `blog${i}.example`, title: `Blog ${i}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
      await insertSource(trx, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
    }
  });
}

/** Starts `count` workers on `target`, lets them go at once, and waits for all. */
async function runWorkers(target: string, count: number, options: { concurrency: number; perHost: number }): Promise<{ seconds: number; results: WorkerResult[] }> {
  const workers = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'pollers-worker.ts'), target, String(options.concurrency), String(options.perHost)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout });
    const next = (() => {
      const it = lines[Symbol.asyncIterator]();
      return async () => (await it.next()).value as string | undefined;
    })();
    return { child, next };
  });
  for (const w of workers) if ((await w.next()) !== 'ready') throw new Error('a poller worker did not start');
  const t = performance.now();
  for (const w of workers) w.child.stdin.write('go\n');
  const results = await Promise.all(workers.map(async (w) => JSON.parse((await w.next()) ?? 'null') as WorkerResult));
  const seconds = (performance.now() - t) / 1000;
  for (const w of workers) w.child.stdin.end();
  return { seconds, results };
}

/** Runs the several-pollers benchmark and returns its figures (none without BENCH_DATABASE_URL). */
export async function benchPollers(options: { feeds: number; hosts: number; perHost: number; concurrency: number }): Promise<Figure[]> {
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    console.log('Skipped: several pollers on PostgreSQL (set BENCH_DATABASE_URL to the admin database of a PostgreSQL server).');
    return [];
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const recreate = async (name: string, from?: string) => {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await admin.query(`create database ${pg.escapeIdentifier(name)}${from ? ` template ${pg.escapeIdentifier(from)}` : ''}`);
  };
  await recreate(template);
  const migrating = openPostgres(urlOf(adminUrl, template), { poolSize: 1 });
  await migrateToLatest(migrating.db);
  await migrating.close();

  const runs = new Map<string, Run>();
  const settings = { concurrency: options.concurrency, perHost: options.perHost };
  try {
    for (const delayMs of [0, 100]) {
      const farm = await startFeedFarm(options.feeds, { hosts: options.hosts, delayMs });
      try {
        for (const pollers of [1, 2, 4]) {
          await recreate(runDb, template);
          const url = urlOf(adminUrl, runDb);
          const db = openPostgres(url, { poolSize: 2 });
          await register(db.db, farm.urls);
          const { seconds, results } = await runWorkers(url, pollers, settings);
          const size = await admin.query<{ n: string }>(`select pg_database_size($1) as n`, [runDb]);
          const entries = Number((await db.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
          await db.close();
          const polled = results.reduce((n, r) => n + r.polled, 0);
          const failed = results.reduce((n, r) => n + r.failed, 0);
          if (polled !== options.feeds || failed > 0) console.error(`bench: ${pollers} poller(s), ${delayMs} ms: polled ${polled} of ${options.feeds}, ${failed} failed`);
          console.log(`  ${pollers} poller(s), latency ${delayMs} ms: ${(polled / seconds).toFixed(1)} feeds/s (${polled} feeds in ${seconds.toFixed(1)} s)`);
          runs.set(`pg ${pollers} ${delayMs}`, {
            feedsPerSecond: polled / seconds,
            polled,
            inserted: results.reduce((n, r) => n + r.inserted, 0),
            cpuMsPerFeed: results.reduce((n, r) => n + r.cpuMs, 0) / polled,
            bytesPerEntry: entries ? Number(size.rows[0]!.n) / entries : null,
          });
        }
        if (delayMs === 0) {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-'));
          const file = path.join(dir, 'bench.db');
          const sqlite = openDatabase(file);
          await migrateToLatest(sqlite.db);
          await register(sqlite.db, farm.urls);
          await sqlite.close();
          const { seconds, results } = await runWorkers(file, 1, settings);
          const polled = results.reduce((n, r) => n + r.polled, 0);
          const entries = results.reduce((n, r) => n + r.inserted, 0);
          console.log(`  1 poller on SQLite, latency 0 ms: ${(polled / seconds).toFixed(1)} feeds/s (${polled} feeds in ${seconds.toFixed(1)} s)`);
          runs.set('sqlite 1 0', { feedsPerSecond: polled / seconds, polled, inserted: entries, cpuMsPerFeed: results[0]!.cpuMs / polled, bytesPerEntry: entries ? fs.statSync(file).size / entries : null });
          fs.rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        await farm.close();
      }
    }
  } finally {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(runDb)} with (force)`);
    await admin.query(`drop database if exists ${pg.escapeIdentifier(template)} with (force)`);
    await admin.end();
  }

  const get = (key: string) => runs.get(key)!;
  const note = `${options.feeds} feeds × 20 items, cold, on ${options.hosts} loopback addresses, ${options.perHost} per host over all pollers, ${options.concurrency} at once per poller; each poller a process`;
  const figures: Figure[] = [];
  for (const delayMs of [0, 100]) {
    const one = get(`pg 1 ${delayMs}`).feedsPerSecond;
    for (const pollers of [1, 2, 4]) {
      figures.push({
        name: `pollers on PostgreSQL, ${pollers} × poller, fixture latency ${delayMs} ms`,
        value: get(`pg ${pollers} ${delayMs}`).feedsPerSecond,
        unit: 'feeds/s',
        baseline: pollers === 1 ? null : one,
        note: pollers === 1 ? note : 'baseline: 1 poller, same latency, same run',
        higherIsBetter: true,
      });
    }
  }
  figures.push({ name: 'one poller, PostgreSQL against SQLite, latency 0 ms', value: get('pg 1 0').feedsPerSecond, unit: 'feeds/s', baseline: get('sqlite 1 0').feedsPerSecond, note: 'baseline: the same poller on a SQLite file', higherIsBetter: true });
  figures.push({ name: 'poller CPU per feed (20 items), PostgreSQL', value: get('pg 1 0').cpuMsPerFeed, unit: 'ms', baseline: get('sqlite 1 0').cpuMsPerFeed, note: 'the poller process only (the server’s own CPU is not counted); baseline: SQLite, in-process', higherIsBetter: false });
  const bytes = get('pg 1 0').bytesPerEntry;
  if (bytes !== null) figures.push({ name: 'PostgreSQL size per stored entry', value: bytes / 1024, unit: 'KiB', baseline: (get('sqlite 1 0').bytesPerEntry ?? 0) / 1024, note: 'pg_database_size / entries after the cold ingest (indexes and the search vector included); baseline: the SQLite file', higherIsBetter: false });
  return figures;
}
