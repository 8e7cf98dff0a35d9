// Several Palaver processes on one PostgreSQL (npm run test:pg only): migrations started together,
// pollers claiming disjoint work under one per-host limit, a poller killed mid-pass, web
// processes that share their rate limits and their pings, a NOTIFY that wakes another process's
// worker, and pings that outlive the process killed while verifying them.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/postgres.ts';
import { createService, type Service } from '../../src/service.ts';
import type { Db } from '../../src/db/open.ts';
import { testConfig } from '../support/app.ts';
import { registerFarm, startPollFarm, type PollFarm } from '../support/feed-farm.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const root = path.resolve(import.meta.dirname, '../..');
const silent = { info: () => {}, warn: () => {}, error: () => {} };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshDatabase(options: { unmigrated?: boolean } = {}) {
  const created = await createPostgresTestDatabase(adminUrl, options);
  cleanups.push(() => created.drop());
  return created;
}

async function farm(count: number, options: Parameters<typeof startPollFarm>[1] = {}): Promise<PollFarm> {
  const f = await startPollFarm(count, options);
  cleanups.push(() => f.close());
  return f;
}

/** A process of Palaver in all but the operating system's sense: its own pool, fetcher and workers. */
async function processOn(databaseUrl: string | null, overrides: Record<string, unknown> = {}, now?: () => Date): Promise<Service> {
  const service = await createService(testConfig({ ...(databaseUrl ? { databaseUrl, database: { poolSize: 4 } } : {}), ...overrides }), { log: silent, ...(now ? { now } : {}) });
  cleanups.push(() => service.stop());
  return service;
}

/** What was threaded, independent of ids and ports: every conversation as the sorted paths of its entries. */
/** A real `palaver poller` process on the database, SIGKILLed at cleanup if still running. */
function spawnPoller(databaseUrl: string) {
  const child = spawn(process.execPath, [path.join(root, 'bin/palaver.js'), 'poller', '--quiet'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, FETCHER_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited };
}

async function threading(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('entries').select(['url', 'conversation_id']).execute();
  const groups = new Map<number | null, string[]>();
  for (const r of rows) groups.set(r.conversation_id, [...(groups.get(r.conversation_id) ?? []), `${r.url?.replace(/^http:\/\/[^/]+/, '')}`]);
  return [...groups.values()].map((g) => g.sort().join(' ')).sort();
}

function runPalaver(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/palaver.js'), ...args], { cwd: root, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('several processes on one PostgreSQL', () => {
  it('applies the migrations once when three processes start them at the same moment', async () => {
    const { url } = await freshDatabase({ unmigrated: true });
    const runs = await Promise.all([1, 2, 3].map(() => runPalaver(['migrate', '--quiet'], { DATABASE_URL: url })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const applied = runs.filter((r) => r.stdout.startsWith('Applied'));
    expect(applied).toHaveLength(1);
    expect(runs.filter((r) => r.stdout.includes('up to date'))).toHaveLength(2);
    const check = openPostgres(url, { poolSize: 1 });
    try {
      const { rows } = await sql<{ name: string; n: number }>`select name, count(*) as n from kysely_migration group by name`.execute(check.db);
      const files = fs.readdirSync(path.join(root, 'migrations')).filter((f) => /^\d{4}_.*\.ts$/.test(f));
      expect(rows.map((r) => r.name).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await check.close();
    }
  });

  it('three pollers fetch every feed exactly once, never more than the per-host limit at a time, and thread as one SQLite process does', async () => {
    const feeds = 500;
    const { url } = await freshDatabase();
    const pgFarm = await farm(feeds, { delayMs: 25 });
    const pollers = [await processOn(url), await processOn(url), await processOn(url)];
    const web = await processOn(url);
    const t = new Date().toISOString();
    await registerFarm(web.database.db, pgFarm, t);

    const summaries = await Promise.all(pollers.map((p) => p.poller.pollOnce()));
    expect(summaries.reduce((n, s) => n + s.polled, 0)).toBe(feeds);
    // Each poller took a share: the work was claimed side by side, not by one of them alone.
    for (const s of summaries) expect(s.polled).toBeGreaterThan(0);
    for (const feedUrl of pgFarm.urls) expect(pgFarm.fetches.get(feedUrl) ?? 0, feedUrl).toBe(1);
    expect(pgFarm.maxInFlightPerHost()).toBeLessThanOrEqual(2);
    // Polled again at once: nothing is due within its interval, so nothing is fetched.
    const again = await Promise.all(pollers.map((p) => p.poller.pollOnce()));
    expect(again.reduce((n, s) => n + s.polled, 0)).toBe(0);

    // The same feeds, one process, SQLite.
    const sqliteFarm = await farm(feeds);
    const single = await processOn(null);
    await registerFarm(single.database.db, sqliteFarm, t);
    await single.poller.pollOnce();
    const [onPg, onSqlite] = [await threading(web.database.db), await threading(single.database.db)];
    expect(onPg.length).toBeGreaterThan(feeds / 5 - 1);
    expect(onPg).toEqual(onSqlite);
    const home = await web.app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Post 2 of blog');
  }, 120_000);

  it('a poller killed mid-pass leaves its sources to another after the lease: no duplicate entry, nothing lost', async () => {
    const feeds = 24;
    const { url } = await freshDatabase();
    const slowFarm = await farm(feeds, { delayMs: 2000, hosts: 4 });
    const survivorClock = { offsetMs: 0 };
    const survivor = await processOn(url, {}, () => new Date(Date.now() + survivorClock.offsetMs));
    await registerFarm(survivor.database.db, slowFarm, new Date().toISOString());

    const { child, exited } = spawnPoller(url);
    // Mid-pass: it has claimed sources and its requests are in flight.
    for (let waited = 0; slowFarm.requests() < 4; waited += 50) {
      if (waited > 30_000) throw new Error('the poller process did not start polling');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const db = survivor.database.db;
    const leased = await db.selectFrom('sources').select((eb) => eb.fn.countAll<number>().as('n')).where('next_check_at', '>', new Date().toISOString()).executeTakeFirstOrThrow();
    expect(leased.n).toBeGreaterThan(0);

    // Within the lease, the survivor leaves them alone; after it, it polls them.
    const before = await survivor.poller.pollOnce();
    expect(before.polled).toBe(feeds - leased.n);
    survivorClock.offsetMs = 11 * 60_000;
    const after = await survivor.poller.pollOnce();
    expect(after.polled).toBe(leased.n);
    const entries = await db.selectFrom('entries').select(['url']).execute();
    expect(entries).toHaveLength(feeds * 3);
    expect(new Set(entries.map((e) => e.url)).size).toBe(feeds * 3);
  }, 120_000);

  it('two web processes count one rate limit, and a ping accepted by one is verified and shown by the other', async () => {
    const { url } = await freshDatabase();
    const pages = await farm(1, { hosts: 1 });
    const settings = { pings: { ...testConfig().pings, perClientPerMinute: 3, perSourceHostPerMinute: 100, moderation: 'open' } };
    const a = await processOn(url, settings);
    const b = await processOn(url, settings);
    await registerFarm(a.database.db, pages, new Date().toISOString());
    await a.poller.pollOnce();
    const target = `${pages.blogUrl(0)}post-1/`;

    const send = (app: Service, n: number) =>
      app.app.inject({
        method: 'POST',
        url: '/webmention',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `source=${encodeURIComponent(`${pages.origins[0]}/mention/${encodeURIComponent(target)}?${n}`)}&target=${encodeURIComponent(target)}`,
      });
    const codes = [(await send(a, 1)).statusCode, (await send(b, 2)).statusCode, (await send(a, 3)).statusCode, (await send(b, 4)).statusCode];
    expect(codes.slice(0, 3).every((c) => c >= 200 && c < 300), String(codes)).toBe(true);
    expect(codes[3]).toBe(429);

    await b.pingVerifier.runOnce();
    const statuses = await b.database.db.selectFrom('pings').select(['status', 'source_url']).execute();
    expect(statuses).toHaveLength(3);
    expect(statuses.every((p) => p.status === 'accepted'), JSON.stringify(statuses)).toBe(true);
    // The mention joined the target's conversation, on the pages of the process that took the ping.
    const { conversation_id } = await a.database.db.selectFrom('entries').select('conversation_id').where('url', '=', target).executeTakeFirstOrThrow();
    const page = await a.app.inject({ method: 'GET', url: `/api/conversations/${conversation_id}` });
    expect(page.body).toContain('/mention/');
  }, 60_000);

  it('a ping queued by one process wakes the idle verifier of another at once (NOTIFY), long before its tick', async () => {
    const { url } = await freshDatabase();
    const pages = await farm(1, { hosts: 1 });
    const settings = { poller: { ...testConfig().poller, tickSeconds: 3600 }, pings: { ...testConfig().pings, moderation: 'open' } };
    const worker = await processOn(url, settings);
    const web = await processOn(url, settings);
    await registerFarm(web.database.db, pages, new Date().toISOString());
    await web.poller.pollOnce();
    // The worker looks at its queues once at start, then sleeps for its tick (an hour).
    await worker.startWorkers({ poller: false });
    await new Promise((r) => setTimeout(r, 500));

    const target = `${pages.blogUrl(0)}post-1/`;
    const sent = await web.app.inject({
      method: 'POST',
      url: '/webmention',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `source=${encodeURIComponent(`${pages.origins[0]}/mention/${encodeURIComponent(target)}`)}&target=${encodeURIComponent(target)}`,
    });
    expect([201, 202]).toContain(sent.statusCode);
    // The web process runs no worker: only the other process can verify the ping.
    let status = '';
    for (let waited = 0; waited < 15_000 && status !== 'accepted'; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await web.database.db.selectFrom('pings').select('status').executeTakeFirst())?.status ?? '';
    }
    expect(status).toBe('accepted');
  }, 60_000);

  it('a process killed (kill -9) while verifying queued pings loses none: another verifies them after the lease', async () => {
    const { url } = await freshDatabase();
    const pages = await farm(1, { hosts: 1 });
    // The pages that mention the post answer slowly, so the process is killed mid-verification.
    const sources = await farm(1, { hosts: 1, delayMs: 4000 });
    const clock = { offsetMs: 0 };
    const settings = { pings: { ...testConfig().pings, moderation: 'open' }, fetcher: { timeoutMs: 15_000, headersTimeoutMs: 10_000 } };
    const survivor = await processOn(url, settings, () => new Date(Date.now() + clock.offsetMs));
    await registerFarm(survivor.database.db, pages, new Date().toISOString());
    await survivor.poller.pollOnce();
    const target = `${pages.blogUrl(0)}post-1/`;
    for (const n of [1, 2, 3]) {
      const sent = await survivor.app.inject({
        method: 'POST',
        url: '/webmention',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `source=${encodeURIComponent(`${sources.origins[0]}/mention/${encodeURIComponent(target)}?${n}`)}&target=${encodeURIComponent(target)}`,
      });
      expect([201, 202]).toContain(sent.statusCode);
    }
    const before = sources.requests();

    const { child, exited } = spawnPoller(url);
    // Killed while it verifies: it claimed the queued pings (one batch) and fetches the first source.
    for (let waited = 0; sources.requests() < before + 1; waited += 50) {
      if (waited > 30_000) throw new Error('the poller process did not start verifying');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const db = survivor.database.db;
    const queued = await db.selectFrom('pings').select(['status', 'next_attempt_at']).execute();
    expect(queued.map((p) => p.status)).toEqual(['queued', 'queued', 'queued']);
    expect(queued.every((p) => p.next_attempt_at! > new Date().toISOString())).toBe(true);

    // Within the lease the pings stay with the dead process; after it, the survivor verifies them.
    expect((await survivor.pingVerifier.runOnce()).accepted).toBe(0);
    clock.offsetMs = 6 * 60_000;
    expect((await survivor.pingVerifier.runOnce()).accepted).toBe(3);
    const pings = await db.selectFrom('pings').select(['status', 'entry_id']).execute();
    expect(pings.map((p) => p.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const mentions = await db.selectFrom('entries').select('url').where('url', 'like', '%/mention/%').execute();
    expect(new Set(mentions.map((m) => m.url)).size).toBe(3);
    expect(mentions).toHaveLength(3);
  }, 120_000);

  it('migrate-to-postgres copies groups, and the group command lists, adds, removes and creates on PostgreSQL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-groups-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'palaver.db');
    const blogs = await farm(4);
    const sqlite = await createService(testConfig({ databasePath: file }), { log: silent });
    await registerFarm(sqlite.database.db, blogs, new Date().toISOString());
    await sqlite.stop();
    const onSqlite = { DATABASE_URL: '', DATABASE_PATH: file, PUBLIC_URL: 'https://palaver.example' };
    const made = await runPalaver(['group', 'create', 'week', '--title', 'Blog week', '--blog', '1', '--blog', '2'], onSqlite);
    expect(made.code, made.stderr + made.stdout).toBe(0);

    const { url } = await freshDatabase({ unmigrated: true });
    const onPg = { DATABASE_URL: url, PUBLIC_URL: 'https://palaver.example' };
    const copy = await runPalaver(['migrate-to-postgres', file], onPg);
    expect(copy.code, copy.stderr + copy.stdout).toBe(0);
    const list = async () => (await runPalaver(['group', 'list'], onPg)).stdout;
    expect(await list()).toMatch(/^week\tBlog week\t2 blog\(s\)\t.*https:\/\/palaver\.example\/g\/week$/m);

    const added = await runPalaver(['group', 'add', 'week', blogs.blogUrl(2)], onPg);
    expect(added.code, added.stderr + added.stdout).toBe(0);
    expect(added.stdout).toContain('Added 1 blog(s) to “Blog week”.');
    expect(await list()).toMatch(/^week\tBlog week\t3 blog\(s\)/m);
    const removed = await runPalaver(['group', 'remove', 'week', blogs.blogUrl(0)], onPg);
    expect(removed.code, removed.stderr + removed.stdout).toBe(0);
    expect(await list()).toMatch(/^week\tBlog week\t2 blog\(s\)/m);
    // A group created after the copy takes an id past the copied ones (the sequences moved).
    const other = await runPalaver(['group', 'create', 'other', '--title', 'Other', '--blog', '4'], onPg);
    expect(other.code, other.stderr + other.stdout).toBe(0);
    expect(await list()).toMatch(/^other\tOther\t1 blog\(s\)/m);
    const taken = await runPalaver(['group', 'create', 'week', '--title', 'Again', '--blog', '1'], onPg);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('There is already a group “week”.');
  }, 90_000);

  it('migrate-to-postgres copies a SQLite database one way, verified, and refuses a database that holds blogs', async () => {
    const feeds = 20;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-copy-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'palaver.db');
    const blogs = await farm(feeds);
    const sqlite = await createService(testConfig({ databasePath: file }), { log: silent });
    await registerFarm(sqlite.database.db, blogs, new Date().toISOString());
    await sqlite.poller.pollOnce();
    const expected = await threading(sqlite.database.db);
    await sqlite.stop();

    const { url } = await freshDatabase({ unmigrated: true });
    const copy = await runPalaver(['migrate-to-postgres', file], { DATABASE_URL: url });
    expect(copy.code, copy.stderr + copy.stdout).toBe(0);
    expect(copy.stdout).toMatch(/row counts match, and \d+ sampled conversation\(s\) read the same on both/);
    const copied = openPostgres(url, { poolSize: 1 });
    try {
      expect(await threading(copied.db)).toEqual(expected);
      // New rows take ids after the copied ones.
      const next = await copied.db.insertInto('blogs').values({ home_url: 'http://new.example/', url_key: 'new.example', created_at: 'x', updated_at: 'x' } as never).returning('id').executeTakeFirstOrThrow();
      expect(next.id).toBe(feeds + 1);
    } finally {
      await copied.close();
    }
    const again = await runPalaver(['migrate-to-postgres', file], { DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds');
  }, 60_000);
});
