// Counts the statements a changed feed costs, as one poller in this process sends them: every
// statement the driver runs (BEGIN and COMMIT, the claim and the poll records included), over
// the pollers benchmark's fixture feeds (20 new posts each, each answering the next blog's),
// on SQLite and, with a PostgreSQL admin URL, on PostgreSQL; with the CPU of this process (the
// fixture server included) and of the PostgreSQL server's backends per feed. The store is loaded
// from the checkout given, so two versions run the same script.
//
// With --wordpress, over the WordPress benchmark's feeds instead (30 KB of German text a post,
// bench/wordpress-farm.ts): what real posts cost the database's search index. With --shuffled,
// the blogs are registered (and so polled) in a fixed shuffled order rather than the one their
// posts answer each other in: debates then start apart and merge, as a blogosphere's do.
//
//   node --import tsx bench/feed-statements.ts <checkout> [feeds] [postgres admin URL] [--shapes] [--wordpress] [--shuffled]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../src/db/open.ts';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type Pg from 'pg';
import { startFeedFarm } from './feed-fixtures.ts';
import { startWordPressFarm } from './wordpress-farm.ts';

const [checkoutArg, feedsArg, adminUrl] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const wordpress = process.argv.includes('--wordpress');
if (!checkoutArg) throw new Error('usage: feed-statements.ts <checkout> [feeds] [postgres admin URL]');
const checkout = path.resolve(checkoutArg);
const feeds = Number(feedsArg ?? 20);
const load = (file: string) => import(pathToFileURL(path.join(checkout, 'src', file)).href);
// The drivers the checkout's store loads (its own node_modules), where the statements are counted.
const fromCheckout = createRequire(path.join(checkout, 'package.json'));
const Database = fromCheckout('better-sqlite3') as typeof BetterSqlite3;
const pg = fromCheckout('pg') as typeof Pg;

// Every statement either database runs goes through one of these: counted where it is sent,
// and with --shapes by its SQL text (the statements a feed sends most, for finding what to save).
let statements = 0;
const shapes = process.argv.includes('--shapes') ? new Map<string, number>() : undefined;
function count(text: unknown): void {
  statements += 1;
  if (!shapes) return;
  const sql = typeof text === 'string' ? text : ((text as { text?: string; source?: string } | null)?.text ?? (text as { source?: string } | null)?.source ?? '?');
  const shape = sql.replace(/\s+/g, ' ').replace(/(\?|\$\d+)(, (\?|\$\d+))+/g, '…').slice(0, 160);
  shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
}
const sqliteStatement = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
for (const method of ['run', 'all', 'get'] as const) {
  const original = sqliteStatement[method]!;
  sqliteStatement[method] = function (this: { source: string }, ...a: unknown[]) {
    count(this.source);
    return original.apply(this, a);
  };
}
const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
pg.Client.prototype.query = function (this: unknown, ...a: unknown[]) {
  count(a[0]);
  return pgQuery.apply(this, a);
} as typeof pg.Client.prototype.query;

/** The CPU (ms) PostgreSQL's postmaster and its backends used so far, or null when not readable here. */
async function serverCpuReader(admin: Pg.Client): Promise<(() => number) | null> {
  try {
    const dir = (await admin.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
    const postmaster = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const fields = (pid: string) => {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    return () => {
      const f = fields(postmaster);
      let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      for (const pid of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          const g = fields(pid);
          if (g[1] === postmaster) ticks += Number(g[11]) + Number(g[12]);
        } catch {
          // Ended while listed.
        }
      }
      return ticks * 10;
    };
  } catch {
    return null;
  }
}

function nextPrime(n: number): number {
  const isPrime = (k: number) => {
    for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
    return k > 1;
  };
  let k = n + 1;
  while (!isPrime(k)) k += 1;
  return k;
}

async function run(kind: 'sqlite' | 'postgres'): Promise<void> {
  const { migrateToLatest } = await load('db/migrate.ts');
  const { openDatabase } = await load('db/open.ts');
  const { openPostgres } = await load('db/postgres.ts');
  const { insertBlog } = await load('store/blogs.ts');
  const { insertSource } = await load('store/sources.ts');
  const { createPoller } = await load('poller/poller.ts');
  const { createFetcher } = await load('reader/fetcher.ts');
  const farm = wordpress ? await startWordPressFarm(feeds).then((f) => ({ urls: f.feedUrls, close: () => f.close() })) : await startFeedFarm(feeds, { hosts: 8 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-statements-'));
  const name = `palaver_statements_${process.pid}`;
  let admin: Pg.Client | undefined;
  let database: { db: Db; close(): Promise<void> };
  if (kind === 'postgres') {
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    database = openPostgres(adminUrl!.replace(/\/[^/?]*(\?|$)/, `/${name}$1`), { poolSize: 8 });
  } else database = openDatabase(path.join(dir, 'bench.db'));
  try {
    await migrateToLatest(database.db);
    const now = new Date().toISOString();
    // A fixed order unrelated to the debates': i × 7919 modulo the next prime above the feeds.
    const prime = nextPrime(farm.urls.length);
    const order = process.argv.includes('--shuffled') ? [...farm.urls.entries()].sort(([a], [b]) => ((a * 7919) % prime) - ((b * 7919) % prime)) : [...farm.urls.entries()];
    for (const [i, url] of order) {
      const blog = await insertBlog(database.db, { homeUrl: `http://blog${i}.example/`, urlKey: `blog${i}.example`, title: `Blog ${i}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
      await insertSource(database.db, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
    }
    const fetcher = createFetcher({ userAgent: 'Palaver-bench', timeoutMs: 30_000, connectTimeoutMs: 5_000, headersTimeoutMs: 20_000, maxBodyBytes: 5 * 2 ** 20, maxRedirects: 5, perHostConcurrency: 2, allowPrivateNetworks: true });
    const poller = createPoller({
      db: database.db,
      fetch: fetcher.fetch,
      settings: { pollIntervalSeconds: 1800, maxIntervalSeconds: 86400, maxBackoffSeconds: 86400, disableAfterFailures: 20, commentFeedMaxQuietDays: 60, concurrency: 16, tickSeconds: 15, perHostLimit: 4 },
      log: { info: () => {}, warn: () => {}, error: (o: unknown, m: string) => console.error(m, o) },
      kinds: ['feed'],
    });
    const serverCpu = admin ? await serverCpuReader(admin) : null;
    const serverBefore = serverCpu?.();
    const cpu = process.cpuUsage();
    statements = 0;
    shapes?.clear();
    const summary = await poller.pollOnce();
    const counted = statements;
    const used = process.cpuUsage(cpu);
    const conversations = await database.db
      .selectFrom('conversations')
      .select((eb) => [eb.fn.countAll<number>().as('started'), eb.fn.count<number>('merged_into_id').as('merged')])
      .executeTakeFirstOrThrow();
    await fetcher.close();
    await database.close();
    const serverMs = serverCpu && serverBefore !== undefined ? serverCpu() - serverBefore : null;
    console.log(
      `${kind}: ${summary.polled} feeds, ${summary.inserted} posts: ${(counted / summary.polled).toFixed(1)} statements a feed, ${(counted / summary.inserted).toFixed(2)} a post; ` +
        `CPU per feed: this process ${((used.user + used.system) / 1000 / summary.polled).toFixed(1)} ms` +
        (serverMs === null ? '' : `, PostgreSQL ${(serverMs / summary.polled).toFixed(1)} ms`) +
        `; conversations per feed: ${(Number(conversations.started) / summary.polled).toFixed(2)} started, ${(Number(conversations.merged) / summary.polled).toFixed(2)} merged into another`,
    );
    if (shapes) for (const [shape, n] of [...shapes].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / summary.polled).toFixed(2).padStart(6)} a feed  ${shape}`);
  } finally {
    await farm.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (admin) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
}

console.log(`${checkout} (${feeds} feeds; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
await run('sqlite');
if (adminUrl) await run('postgres');
