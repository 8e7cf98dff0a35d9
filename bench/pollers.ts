// Several pollers on one PostgreSQL: cold ingest of N fixture feeds (about 20 items each) by 1,
// 2 and 4 poller processes at once, with the fixture blogs answering at once (CPU-bound) and after
// 100 ms (latency-bound), against one poller in the same run; and one poller on SQLite against
// one on PostgreSQL, and that one poller's later passes (304, one new post a feed, a body without
// validators) on both. Also the per-feed CPU (the pollers' and, when the server runs on this
// machine, PostgreSQL's), what the server's connections waited on, and the bytes per stored entry
// that docs/scaling.md works from. Needs BENCH_DATABASE_URL: the admin database of a server it may
// create databases on.
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
import { startFeedFarm, type FeedFarm } from './feed-fixtures.ts';
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
  /** Statements the poller's pool sent, and how long its threading name locks took (PostgreSQL). */
  statements: number;
  nameLockMs: number;
}

interface Run {
  feedsPerSecond: number;
  polled: number;
  inserted: number;
  cpuMsPerFeed: number;
  /** PostgreSQL's CPU per feed, when the server runs on this machine (null otherwise). */
  serverCpuMsPerFeed: number | null;
  bytesPerEntry: number | null;
  waits: WaitSamples;
  /** One poller's further passes over every feed (laterPasses), when it made them. */
  later?: Record<LaterPass, Later>;
}

/**
 * What one poller polls again right after its cold pass, the fixture changed before each as
 * named: every feed unchanged (304), one new post a feed (the farm advances), and the same
 * bodies from a farm without validators (200).
 */
const laterPasses = ['unchanged', 'one new post', 'no validators'] as const;
type LaterPass = (typeof laterPasses)[number];

const describePass: Record<LaterPass, string> = {
  unchanged: 'every feed again (304)',
  'one new post': 'one new post a feed (200, the other 19 items as before)',
  'no validators': 'the same bodies without validators (200)',
};

/** A later pass of one poller: its feeds/s, CPU and statements per feed. */
interface Later {
  feedsPerSecond: number;
  inserted: number;
  cpuMsPerFeed: number;
  serverCpuMsPerFeed: number | null;
  /** Counted on PostgreSQL only (the statements pg sends). */
  statementsPerFeed: number | null;
}

function laterPass(pass: { seconds: number; results: WorkerResult[] }, serverMs: number | null, postgres: boolean): Later {
  const polled = pass.results.reduce((n, r) => n + r.polled, 0);
  return {
    feedsPerSecond: polled / pass.seconds,
    inserted: pass.results.reduce((n, r) => n + r.inserted, 0),
    cpuMsPerFeed: pass.results.reduce((n, r) => n + r.cpuMs, 0) / polled,
    serverCpuMsPerFeed: serverMs === null ? null : serverMs / polled,
    statementsPerFeed: postgres ? pass.results.reduce((n, r) => n + r.statements, 0) / polled : null,
  };
}

/** The later passes of one run, by name, with the server's CPU of pass i when it was read. */
function laterOf(passes: { seconds: number; results: WorkerResult[] }[], serverMs: (i: number) => number | null, postgres: boolean): Record<LaterPass, Later> {
  return Object.fromEntries(laterPasses.map((pass, i) => [pass, laterPass(passes[i]!, serverMs(i), postgres)])) as Record<LaterPass, Later>;
}

const describeLater = (u: Later) =>
  `${u.feedsPerSecond.toFixed(0)} feeds/s, ${u.inserted} entries stored; CPU per feed: poller ${u.cpuMsPerFeed.toFixed(2)} ms${u.serverCpuMsPerFeed === null ? '' : `, PostgreSQL ${u.serverCpuMsPerFeed.toFixed(2)} ms`}${u.statementsPerFeed === null ? '' : `; statements per feed ${u.statementsPerFeed.toFixed(1)}`}`;

/** Changes the fixture as a later pass needs it (validators back on after the last one). */
function prepareFarm(farm: FeedFarm, pass: LaterPass | 'done'): void {
  if (pass === 'one new post') farm.advance();
  farm.validators(pass !== 'no validators');
}

/** The run of the median feeds/s (the lower middle of an even count). */
function medianRun(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.feedsPerSecond - b.feedsPerSecond)[Math.floor((runs.length - 1) / 2)]!;
}

/** How the run database's connections were found, sampled from pg_stat_activity. */
interface WaitSamples {
  samples: number;
  /** Running a statement (on the CPU or the disk). */
  active: number;
  /** Waiting for a lock: advisory (threading's names, rate limits) or a row (conversations, claims). */
  advisory: number;
  row: number;
  otherLock: number;
  /** In a transaction, waiting for the poller's next statement. */
  client: number;
  /** Idle in a poller's pool. */
  idle: number;
}

/** One setting of the fixture: its latency and how many feeds each poller polls at once. */
export interface PollersLatency {
  delayMs: number;
  concurrency: number;
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

/**
 * The CPU time (ms) used so far by the PostgreSQL server behind `admin`, its ended backends
 * included (the postmaster's reaped children), or null when the server's data folder is not
 * readable here (another machine, another user).
 */
async function serverCpuReader(admin: pg.Client): Promise<(() => number) | null> {
  try {
    const dir = (await admin.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
    const postmaster = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const ticks = 100; // USER_HZ on Linux
    const fields = (pid: string) => {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    const read = () => {
      // utime, stime, cutime, cstime of the postmaster: the backends that ended are in the last two.
      const f = fields(postmaster);
      let total = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      for (const pid of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          const g = fields(pid);
          if (g[1] === postmaster) total += Number(g[11]) + Number(g[12]);
        } catch {
          // Ended while listed.
        }
      }
      return (total * 1000) / ticks;
    };
    read();
    return read;
  } catch {
    return null;
  }
}

/** Samples what the run database's connections are doing every 100 ms until stopped. */
function sampleWaits(admin: pg.Client, database: string): { stop(): Promise<WaitSamples> } {
  const w: WaitSamples = { samples: 0, active: 0, advisory: 0, row: 0, otherLock: 0, client: 0, idle: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await admin.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        `select state, wait_event_type, wait_event from pg_stat_activity where datname = $1 and backend_type = 'client backend'`,
        [database],
      );
      for (const r of rows.rows) {
        w.samples += 1;
        if (r.wait_event_type === 'Lock') {
          if (r.wait_event === 'advisory') w.advisory += 1;
          else if (r.wait_event === 'tuple' || r.wait_event === 'transactionid') w.row += 1;
          else w.otherLock += 1;
        } else if (r.state === 'active') w.active += 1;
        else if (r.state === 'idle') w.idle += 1;
        else w.client += 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return w;
    },
  };
}

/** Waits (at most 10 s) until no client is connected to `database`. */
async function untilNoConnections(admin: pg.Client, database: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = $1`, [database]);
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const share = (n: number, w: WaitSamples) => `${((100 * n) / Math.max(1, w.samples)).toFixed(1)} %`;

/**
 * Starts `count` workers on `target` (each first warmed up on its database of `warm`, when
 * given), lets them go at once when all are ready and `beforeGo` is done, and waits for all.
 */
async function runWorkers(
  target: string,
  count: number,
  options: { concurrency: number; perHost: number },
  warm: string[] = [],
  beforeGo: () => Promise<void> = async () => {},
  later: { before: () => Promise<void> | void }[] = [],
): Promise<{ seconds: number; results: WorkerResult[]; later: { seconds: number; results: WorkerResult[] }[] }> {
  const workers = Array.from({ length: count }, (_, i) => {
    const args = [path.join(here, 'pollers-worker.ts'), target, String(options.concurrency), String(options.perHost), ...(warm[i] ? [warm[i]] : [])];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout });
    const next = (() => {
      const it = lines[Symbol.asyncIterator]();
      return async () => (await it.next()).value as string | undefined;
    })();
    return { child, next };
  });
  for (const w of workers) if ((await w.next()) !== 'ready') throw new Error('a poller worker did not start');
  await beforeGo();
  const t = performance.now();
  for (const w of workers) w.child.stdin.write('go\n');
  const results = await Promise.all(workers.map(async (w) => JSON.parse((await w.next()) ?? 'null') as WorkerResult));
  const seconds = (performance.now() - t) / 1000;
  // The same processes poll every feed again, once for each later pass.
  const passes: { seconds: number; results: WorkerResult[] }[] = [];
  for (const pass of later) {
    await pass.before();
    const t2 = performance.now();
    for (const w of workers) w.child.stdin.write('go\n');
    const results2 = await Promise.all(workers.map(async (w) => JSON.parse((await w.next()) ?? 'null') as WorkerResult));
    passes.push({ seconds: (performance.now() - t2) / 1000, results: results2 });
  }
  for (const w of workers) w.child.stdin.end();
  return { seconds, results, later: passes };
}

/** Runs the several-pollers benchmark and returns its figures (none without BENCH_DATABASE_URL). */
export async function benchPollers(options: { feeds: number; hosts: number; perHost: number; latencies: PollersLatency[]; warmupFeeds: number; rounds?: number }): Promise<Figure[]> {
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

  // Feeds of other blogs each poller first polls into a database of its own (warmDatabases).
  const warmFarm = options.warmupFeeds > 0 ? await startFeedFarm(options.warmupFeeds, { hosts: options.hosts }) : undefined;
  const warmNames = [0, 1, 2, 3].map((i) => `palaver_bench_warm_${i}`);
  const warmDatabases = async (count: number): Promise<string[]> => {
    if (!warmFarm) return [];
    const urls: string[] = [];
    for (const name of warmNames.slice(0, count)) {
      await recreate(name, template);
      const warm = openPostgres(urlOf(adminUrl, name), { poolSize: 1 });
      await register(warm.db, warmFarm.urls);
      await warm.close();
      urls.push(urlOf(adminUrl, name));
    }
    return urls;
  };

  const rounds = options.rounds ?? 1;
  const runs = new Map<string, Run[]>();
  const addRun = (key: string, run: Run) => runs.set(key, [...(runs.get(key) ?? []), run]);
  const serverCpu = await serverCpuReader(admin);
  // The settings that decide what a commit costs: the figures hold for these only.
  const setting = async (name: string) => (await admin.query<Record<string, string>>(`show ${name}`)).rows[0]![name];
  const serverSettings = `PostgreSQL ${await setting('server_version')}, fsync=${await setting('fsync')}, synchronous_commit=${await setting('synchronous_commit')}, shared_buffers=${await setting('shared_buffers')}`;
  console.log(`  server: ${serverSettings}`);
  // A second connection for sampling, so the samples never wait behind the admin's own statements.
  const sampler = new pg.Client({ connectionString: adminUrl });
  await sampler.connect();
  try {
    for (const { delayMs, concurrency } of options.latencies) {
      const settings = { concurrency, perHost: options.perHost };
      const farm = await startFeedFarm(options.feeds, { hosts: options.hosts, delayMs });
      try {
        // Rounds of 1, 2 and 4 pollers one after another, so that a slow spell of the machine
        // falls on every count alike; the table shows each count's median run.
        for (let round = 0; round < rounds; round++) for (const pollers of [1, 2, 4]) {
          await recreate(runDb, template);
          const url = urlOf(adminUrl, runDb);
          const db = openPostgres(url, { poolSize: 2 });
          await register(db.db, farm.urls);
          await db.close();
          const warm = await warmDatabases(pollers);
          // A backend that ends between reading the postmaster and listing its children would be
          // missed: the CPU is read when the run database has no connection left.
          await untilNoConnections(sampler, runDb);
          let cpuBefore: number | undefined;
          let sampling: ReturnType<typeof sampleWaits> | undefined;
          let cpuCold: number | undefined;
          let coldWaits: WaitSamples | undefined;
          // One poller at 0 ms polls its feeds again (laterPasses): what a running service's polls
          // cost. The cold pass's CPU and waits end where the first begins; the server's CPU is
          // read between the passes.
          const serverMarks: (number | undefined)[] = [];
          const later =
            pollers === 1 && delayMs === 0
              ? laterPasses.map((pass, i) => ({
                  before: async () => {
                    if (i === 0) {
                      cpuCold = serverCpu?.();
                      coldWaits = await sampling!.stop();
                    }
                    serverMarks.push(serverCpu?.());
                    prepareFarm(farm, pass);
                  },
                }))
              : [];
          const { seconds, results, later: laterResults } = await runWorkers(
            url,
            pollers,
            settings,
            warm,
            async () => {
              // From "go", once the warm-up's backends have ended (none may end while the CPU is read).
              for (const name of warmNames) await untilNoConnections(sampler, name);
              cpuBefore = serverCpu?.();
              sampling = sampleWaits(sampler, runDb);
            },
            later,
          );
          if (later.length) {
            serverMarks.push(serverCpu?.());
            prepareFarm(farm, 'done');
          }
          const waits = coldWaits ?? (await sampling!.stop());
          await untilNoConnections(sampler, runDb);
          const serverMs = serverCpu && cpuBefore !== undefined ? (cpuCold ?? serverCpu()) - cpuBefore : null;
          const laterRun = laterResults.length ? laterOf(laterResults, (i) => (serverMarks[i] !== undefined && serverMarks[i + 1] !== undefined ? serverMarks[i + 1]! - serverMarks[i]! : null), true) : undefined;
          if (laterRun) for (const pass of laterPasses) console.log(`  1 poller, ${describePass[pass]}: ${describeLater(laterRun[pass])}`);
          const size = await admin.query<{ n: string }>(`select pg_database_size($1) as n`, [runDb]);
          const counting = openPostgres(url, { poolSize: 1 });
          const entries = Number((await counting.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
          // The debates' posts arrive in another order with more pollers: a post that joins two
          // conversations started apart merges them, work a single poller in registration order
          // mostly does not do.
          const conversations = await counting.db
            .selectFrom('conversations')
            .select((eb) => [eb.fn.countAll<number>().as('started'), eb.fn.count<number>('merged_into_id').as('merged')])
            .executeTakeFirstOrThrow();
          await counting.close();
          const polled = results.reduce((n, r) => n + r.polled, 0);
          const failed = results.reduce((n, r) => n + r.failed, 0);
          if (polled !== options.feeds || failed > 0) console.error(`bench: ${pollers} poller(s), ${delayMs} ms: polled ${polled} of ${options.feeds}, ${failed} failed`);
          const cpuMsPerFeed = results.reduce((n, r) => n + r.cpuMs, 0) / polled;
          const serverCpuMsPerFeed = serverMs === null ? null : serverMs / polled;
          const statementsPerFeed = results.reduce((n, r) => n + r.statements, 0) / polled;
          const nameLockMsPerFeed = results.reduce((n, r) => n + r.nameLockMs, 0) / polled;
          // How much of the wall time the two cores' worth of CPU the run used: near 100 % is CPU-bound.
          const busy = ((cpuMsPerFeed + (serverCpuMsPerFeed ?? 0)) * polled) / (seconds * 1000 * os.cpus().length);
          console.log(
            `  ${rounds > 1 ? `round ${round + 1}: ` : ''}${pollers} poller(s), latency ${delayMs} ms, ${concurrency} at once each: ${(polled / seconds).toFixed(2)} feeds/s (${polled} feeds in ${seconds.toFixed(1)} s); ` +
              `CPU per feed: pollers ${cpuMsPerFeed.toFixed(1)} ms, PostgreSQL ${serverCpuMsPerFeed === null ? 'not measured' : `${serverCpuMsPerFeed.toFixed(1)} ms`}; ` +
              `${serverCpuMsPerFeed === null ? '' : `CPU busy ${(100 * busy).toFixed(0)} % of ${os.cpus().length} cores; `}` +
              `statements per feed ${statementsPerFeed.toFixed(1)}, conversations per feed ${(Number(conversations.started) / polled).toFixed(2)} started and ${(Number(conversations.merged) / polled).toFixed(2)} merged into another, threading's name locks ${nameLockMsPerFeed.toFixed(1)} ms per feed from sending to answer; ` +
              `server connections: running ${share(waits.active, waits)}, in a transaction waiting for the poller ${share(waits.client, waits)}, idle ${share(waits.idle, waits)}, on advisory locks ${share(waits.advisory, waits)}, on row locks ${share(waits.row, waits)}, on other locks ${share(waits.otherLock, waits)} (${waits.samples} samples)`,
          );
          addRun(`pg ${pollers} ${delayMs}`, {
            feedsPerSecond: polled / seconds,
            polled,
            inserted: results.reduce((n, r) => n + r.inserted, 0),
            cpuMsPerFeed,
            serverCpuMsPerFeed,
            bytesPerEntry: entries ? Number(size.rows[0]!.n) / entries : null,
            waits,
            ...(laterRun ? { later: laterRun } : {}),
          });
        }
        if (delayMs === 0) {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-'));
          const file = path.join(dir, 'bench.db');
          const sqlite = openDatabase(file);
          await migrateToLatest(sqlite.db);
          await register(sqlite.db, farm.urls);
          await sqlite.close();
          const warmFiles: string[] = [];
          if (warmFarm) {
            const warmFile = path.join(dir, 'warm.db');
            const warm = openDatabase(warmFile);
            await migrateToLatest(warm.db);
            await register(warm.db, warmFarm.urls);
            await warm.close();
            warmFiles.push(warmFile);
          }
          const { seconds, results, later: laterResults } = await runWorkers(file, 1, settings, warmFiles, undefined, laterPasses.map((pass) => ({ before: () => prepareFarm(farm, pass) })));
          prepareFarm(farm, 'done');
          const polled = results.reduce((n, r) => n + r.polled, 0);
          const entries = results.reduce((n, r) => n + r.inserted, 0);
          const later = laterOf(laterResults, () => null, false);
          console.log(`  1 poller on SQLite, latency 0 ms, ${concurrency} at once: ${(polled / seconds).toFixed(2)} feeds/s (${polled} feeds in ${seconds.toFixed(1)} s); CPU per feed ${(results[0]!.cpuMs / polled).toFixed(1)} ms`);
          for (const pass of laterPasses) console.log(`  1 poller on SQLite, ${describePass[pass]}: ${describeLater(later[pass])}`);
          addRun('sqlite 1 0', {
            feedsPerSecond: polled / seconds,
            polled,
            inserted: entries,
            cpuMsPerFeed: results[0]!.cpuMs / polled,
            serverCpuMsPerFeed: null,
            bytesPerEntry: entries ? fs.statSync(file).size / entries : null,
            waits: { samples: 0, active: 0, advisory: 0, row: 0, otherLock: 0, client: 0, idle: 0 },
            later,
          });
          fs.rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        await farm.close();
      }
    }
  } finally {
    await warmFarm?.close();
    await sampler.end();
    for (const name of warmNames) await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await admin.query(`drop database if exists ${pg.escapeIdentifier(runDb)} with (force)`);
    await admin.query(`drop database if exists ${pg.escapeIdentifier(template)} with (force)`);
    await admin.end();
  }

  const get = (key: string) => medianRun(runs.get(key)!);
  const figures: Figure[] = [];
  for (const { delayMs, concurrency } of options.latencies) {
    const warmed = options.warmupFeeds > 0 ? `each poller a process, warmed up on ${options.warmupFeeds} other feeds first` : 'each poller a process, started cold';
    const median = rounds > 1 ? `; the median of ${rounds} rounds of 1, 2 and 4 pollers` : '';
    const note = `${options.feeds} feeds × 20 items, cold, on ${options.hosts} loopback addresses, ${options.perHost} per host over all pollers, ${concurrency} at once per poller; ${warmed}; ${serverSettings}${median}`;
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
  const server = get('pg 1 0').serverCpuMsPerFeed;
  if (server !== null) figures.push({ name: 'PostgreSQL server CPU per feed (20 items), one poller', value: server, unit: 'ms', baseline: null, note: 'the postmaster’s backends (ended ones included) over the run, divided by the feeds', higherIsBetter: false });
  const pgLater = get('pg 1 0').later;
  const sqliteLater = get('sqlite 1 0').later;
  if (pgLater && sqliteLater) {
    for (const pass of laterPasses) {
      const pgPass = pgLater[pass];
      const sqlitePass = sqliteLater[pass];
      const server = pgPass.serverCpuMsPerFeed === null ? '' : ` and PostgreSQL ${pgPass.serverCpuMsPerFeed.toFixed(2)} ms`;
      figures.push({
        name: `one poller, ${describePass[pass]}, PostgreSQL against SQLite`,
        value: pgPass.feedsPerSecond,
        unit: 'feeds/s',
        baseline: sqlitePass.feedsPerSecond,
        note: `the same poller process right after its cold pass${pass === 'unchanged' ? '' : ' and the passes before this one'}, latency 0 ms; CPU per feed: the poller ${pgPass.cpuMsPerFeed.toFixed(2)} ms${server} (SQLite ${sqlitePass.cpuMsPerFeed.toFixed(2)} ms), ${pgPass.statementsPerFeed?.toFixed(1)} statements per feed; baseline: SQLite`,
        higherIsBetter: true,
      });
    }
  }
  const bytes = get('pg 1 0').bytesPerEntry;
  if (bytes !== null) figures.push({ name: 'PostgreSQL size per stored entry', value: bytes / 1024, unit: 'KiB', baseline: (get('sqlite 1 0').bytesPerEntry ?? 0) / 1024, note: 'pg_database_size / entries after the cold ingest (indexes and the search vector included); baseline: the SQLite file', higherIsBetter: false });
  return figures;
}
