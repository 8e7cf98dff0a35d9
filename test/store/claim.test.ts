import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type Db, type OpenedDatabase } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { claimDue } from '../../src/store/claim.ts';
import { claimPing, claimQueuedPings, findPing, upsertPing } from '../../src/store/pings.ts';
import { claimDueSources } from '../../src/store/source-claims.ts';
import { insertSource } from '../../src/store/sources.ts';
import { claimDueDeliveries, claimSubscriberVerifications } from '../../src/store/websub-hub.ts';
import { claimDueFeedSubscriptions } from '../../src/store/websub-subscriptions.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const lease = '2026-01-01T00:05:00.000Z';
const afterLease = '2026-01-01T00:06:00.000Z';

async function ping(n: number, dueAt: string, db: Db = database.db) {
  const { ping } = await upsertPing(
    db,
    { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: `http://source.example/${n}`, targetUrl: 'http://palaver.example/e/1', targetEntryId: null },
    dueAt,
  );
  return ping.id;
}

// The due query of the tests: queued pings by due time, newest id first on a tie.
function dueAt(now: string, limit: number, db: Db = database.db, until = lease) {
  return {
    table: 'pings' as const,
    due: db.selectFrom('pings').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id', 'desc').limit(limit),
    lease: { next_attempt_at: until },
  };
}

async function sourcesOfHosts(db: Db, hosts: string[], perHost: number): Promise<number[]> {
  const ids: number[] = [];
  for (const host of hosts) {
    const home = `http://${host}/`;
    const b = await insertBlog(
      db,
      { homeUrl: home, urlKey: home, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] },
      t0,
    );
    for (let i = 0; i < perHost; i++) ids.push((await insertSource(db, { blogId: b.id, kind: 'post-comments', url: `${home}${i}/feed/`, nextCheckAt: t0 }, t0)).id);
  }
  return ids;
}

/**
 * `n` connections to one fresh database, as `n` processes would hold them: PostgreSQL pools of
 * their own, or SQLite connections to one file; the first one also sets the database up.
 */
async function processes(n: number): Promise<{ dbs: Db[]; file: string | null; close(): Promise<void> }> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  const adminUrl = testPostgresUrl();
  if (adminUrl) {
    const created = await createPostgresTestDatabase(adminUrl);
    closers.push(created.drop);
    const opened = Array.from({ length: n }, () => openPostgres(created.url, { poolSize: 1 }));
    for (const o of opened) closers.push(() => o.close());
    return { dbs: opened.map((o) => o.db), file: null, close };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-claim-'));
  closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'palaver.db');
  const opened = Array.from({ length: n }, () => openDatabase(file));
  for (const o of opened) closers.push(() => o.close());
  await migrateToLatest(opened[0]!.db);
  return { dbs: opened.map((o) => o.db), file, close };
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('claimDue', () => {
  it('takes the rows the due query puts first, at most the limit, leased as the lease wrote them, in id order', async () => {
    const a = await ping(1, t0);
    const b = await ping(2, t0);
    const c = await ping(3, '2026-01-01T00:00:01.000Z');
    await ping(4, '2026-01-02T00:00:00.000Z');
    // Due order: b, a (newest id first on a tie), then c; a limit of 2 leaves c.
    const claimed = await claimDue(database.db, dueAt('2026-01-01T00:01:00.000Z', 2));
    expect(claimed.map((r) => r.id)).toEqual([a, b]);
    expect(claimed.every((r) => r.next_attempt_at === lease)).toBe(true);
    expect((await claimDue(database.db, dueAt('2026-01-01T00:01:00.000Z', 2))).map((r) => r.id)).toEqual([c]);
  });

  it('does not hand out a leased row again until its lease ends', async () => {
    const a = await ping(1, t0);
    expect((await claimDue(database.db, dueAt(t0, 10))).map((r) => r.id)).toEqual([a]);
    expect(await claimDue(database.db, dueAt('2026-01-01T00:04:59.000Z', 10))).toEqual([]);
    // A worker that died leaves the row to fall due again.
    expect((await claimDue(database.db, dueAt(afterLease, 10))).map((r) => r.id)).toEqual([a]);
  });

  it('claims nothing when nothing is due, and writes nothing', async () => {
    const a = await ping(1, '2026-02-01T00:00:00.000Z');
    expect(await claimDue(database.db, dueAt(t0, 10))).toEqual([]);
    expect((await findPing(database.db, a))?.attempts).toBe(0);
  });

  it('picks, locks and leases in one statement, with no transaction of its own, in every queue', async () => {
    const p = await ping(1, t0);
    await ping(2, t0);
    await ping(3, t0);
    await sourcesOfHosts(database.db, ['a.example', 'b.example'], 3);
    const options = { now: t0, leaseUntil: lease, limit: 4 };
    const claims: [string, () => Promise<unknown[] | boolean>, number][] = [
      ['claimDue', () => claimDue(database.db, dueAt(t0, 1)), 1],
      ['claimPing', () => claimPing(database.db, p, { attempts: 0, now: t0, leaseUntil: lease }), 1],
      ['claimQueuedPings', () => claimQueuedPings(database.db, options), 1],
      ['claimDueSources', () => claimDueSources(database.db, { ...options, limit: 2, perHostLimit: 2 }), 2],
      // More than perHostLimit: ranked by host, locked in the layer above.
      ['claimDueSources ranked', () => claimDueSources(database.db, { ...options, limit: 3, perHostLimit: 1 }), 2],
      ['claimSubscriberVerifications', () => claimSubscriberVerifications(database.db, options), 0],
      ['claimDueDeliveries', () => claimDueDeliveries(database.db, options), 0],
      ['claimDueFeedSubscriptions', () => claimDueFeedSubscriptions(database.db, options), 0],
    ];
    for (const [name, claim, expected] of claims) {
      const { result, sql: statements } = await recordStatements(claim);
      expect(typeof result === 'boolean' ? Number(result) : result.length, name).toBe(expected);
      expect(statements, name).toHaveLength(1);
      expect(statements[0]!.replaceAll('"', '').toLowerCase(), name).toMatch(/^update \w+ set .* where id in \(select .* returning \*$/s);
    }
  });
});

describe('claimDue by claimers side by side', () => {
  it('gives each of several processes claiming at once disjoint rows, all of them together, one statement per claim', async () => {
    const { dbs, close } = await processes(4);
    try {
      const ids = new Set<number>();
      for (let i = 0; i < 60; i++) ids.add(await ping(i, t0, dbs[0]));
      // Every process is connected before the race, as running pollers are: on PostgreSQL a first
      // connection starts a server process, which takes as long as dozens of claims, and the
      // process that inserted the rows (connected already) could take them all meanwhile.
      await Promise.all(dbs.map((db) => sql`select 1`.execute(db)));
      const claims = dbs.map(() => 0);
      const claim = (db: Db, i: number) => {
        claims[i]! += 1;
        return claimDue(db, dueAt(t0, 3, db));
      };
      const { result: [first, taken], sql: statements } = await recordStatements(async () => {
        // The first claims of all processes go out together, and none claims again before they
        // are all back: each meets the rows of at most three other claims, held or leased.
        const first = await Promise.all(dbs.map((db, i) => claim(db, i)));
        const taken = await Promise.all(
          dbs.map(async (db, i) => {
            const mine = first[i]!.map((r) => r.id);
            for (;;) {
              const rows = await claim(db, i);
              if (rows.length === 0) return mine;
              mine.push(...rows.map((r) => r.id));
            }
          }),
        );
        return [first, taken] as const;
      });
      // Each first claim passed over the rows the others' first claims held or had leased by then
      // and took a full batch of the next due ones: every process got rows, none came back short.
      expect(first.map((rows) => rows.length)).toEqual(dbs.map(() => 3));
      const all = taken.flat();
      expect(all).toHaveLength(ids.size);
      expect(new Set(all)).toEqual(ids);
      // Not one claim asked twice: a row another claim held was passed over, never lost and retried.
      expect(statements).toHaveLength(claims.reduce((a, b) => a + b, 0));
    } finally {
      await close();
    }
  });

  it('claims sources ranked by host side by side: disjoint, all of them, never more than perHostLimit of a host in one claim', async () => {
    const { dbs, close } = await processes(3);
    try {
      const ids = await sourcesOfHosts(dbs[0]!, ['a.example', 'b.example', 'c.example', 'd.example'], 8);
      const taken = await Promise.all(
        dbs.map(async (db) => {
          const mine: number[] = [];
          for (;;) {
            const claimed = await claimDueSources(db, { now: t0, leaseUntil: lease, limit: 5, perHostLimit: 2 });
            if (claimed.length === 0) return mine;
            const perHost = new Map<string, number>();
            for (const s of claimed) perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
            expect(Math.max(...perHost.values())).toBeLessThanOrEqual(2);
            mine.push(...claimed.map((s) => s.id));
          }
        }),
      );
      expect(taken.flat().sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      await close();
    }
  });

  it('does not take a row again that another process leased while this claim ran', async () => {
    const { dbs, file, close } = await processes(2);
    try {
      const [mine, other] = dbs as [Db, Db];
      const first = await ping(1, t0, mine);
      const second = await ping(2, '2026-01-01T00:00:01.000Z', mine);
      const otherLease = '2026-01-01T00:07:00.000Z';
      const now = '2026-01-01T00:01:00.000Z';
      if (onPostgres) {
        // This claim's statement begins (and sees both pings due), then waits a moment before it
        // reads a row; the other process claims the first ping meanwhile and commits. The claim
        // finds the first ping leased when it locks it, and passes it over.
        const due = dueAt(now, 2, mine);
        const slow = { ...due, due: due.due.where(sql<boolean>`(select pg_sleep(2)) is not null`) };
        const claiming = claimDue(mine, slow);
        // Until the claim's statement runs (and a moment more, for its snapshot).
        const running = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep(2)%' and pid <> pg_backend_pid()`;
        while ((await running.execute(other)).rows[0]!.n === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await claimDue(other, dueAt(now, 1, other, otherLease))).map((r) => r.id)).toEqual([first]);
        expect((await claiming).map((r) => r.id)).toEqual([second]);
      } else {
        // Another process holds a lease of the first ping, not yet committed, as this claim begins:
        // the claim's statement waits for the write lock and then sees the lease.
        const held = holdLeaseInAnotherProcess(file!, first, otherLease, 300);
        await held.started;
        expect((await claimDue(mine, dueAt(now, 2, mine))).map((r) => r.id)).toEqual([second]);
        await held.ended;
      }
      // The other process's lease stands.
      expect((await mine.selectFrom('pings').select('next_attempt_at').where('id', '=', first).executeTakeFirstOrThrow()).next_attempt_at).toBe(otherLease);
    } finally {
      await close();
    }
  });
});

/** Leases a ping in a write transaction of another thread (SQLite file), committed after `ms`. */
function holdLeaseInAnotherProcess(file: string, id: number, until: string, ms: number): { started: Promise<void>; ended: Promise<void> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.driver);
     const db = new Database(workerData.file);
     db.exec('begin immediate');
     db.prepare('update pings set next_attempt_at = ? where id = ?').run(workerData.until, workerData.id);
     parentPort.postMessage('held');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('commit');
     db.close();`,
    { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, id, until, ms } },
  );
  const started = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const ended = new Promise<void>((resolve, reject) => {
    worker.once('exit', () => resolve());
    worker.once('error', reject);
  });
  return { started, ended };
}

describe('claimQueuedPings', () => {
  it('counts the attempt it starts in the table, and hands the ping out with the attempts before it', async () => {
    const a = await ping(1, t0);
    const [first] = await claimQueuedPings(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    expect(first).toMatchObject({ id: a, attempts: 0 });
    expect((await findPing(database.db, a))?.attempts).toBe(1);
    const [second] = await claimQueuedPings(database.db, { now: afterLease, leaseUntil: '2026-01-01T00:10:00.000Z', limit: 5 });
    expect(second).toMatchObject({ id: a, attempts: 1 });
  });
});
