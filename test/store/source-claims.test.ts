import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPostgres } from '../../src/db/dialect.ts';
import type { Db, OpenedDatabase } from '../../src/db/open.ts';
import { claimDueSources, makeSourcesDue, type ClaimOptions } from '../../src/store/source-claims.ts';
import { enableSourcesOfBlog, findSourceById, insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
import { createTestDatabase, insertHomeOnlyBlog } from '../support/db.ts';
import { countStarting, recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const later = '2026-01-01T01:00:00.000Z';

const blog = (home: string) => insertHomeOnlyBlog(database.db, home, t0);

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

// A claim on its own is one statement; the poller claims in the transaction of its turn's other
// writes (src/store/commit-together.ts), where SQLite reads the due sources and leases each.
const claimers: [string, (db: Db, options: ClaimOptions) => ReturnType<typeof claimDueSources>][] = [
  ['on its own', (db, options) => claimDueSources(db, options)],
  ['in a transaction, as the poller claims', (db, options) => db.transaction().execute((trx) => claimDueSources(trx, options))],
];

describe.each(claimers)('claimDueSources %s', (_, claim) => {
  it('claims only due sources and leases them', async () => {
    const b = await blog('http://a.example/');
    const due = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'site-comments', url: 'http://a.example/comments/feed/', nextCheckAt: later }, t0);
    const claimed = await claim(database.db, { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later });
    expect(claimed.map((s) => s.id)).toEqual([due.id]);
    expect(claimed[0]!.nextCheckAt).toBe(later);
    // Leased: a second claim at the same moment finds nothing.
    expect(await claim(database.db, { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later })).toEqual([]);
  });

  it('takes at most perHostLimit sources of one host per claim', async () => {
    const a = await blog('http://a.example/');
    const b = await blog('http://b.example/');
    for (let i = 0; i < 5; i++) await insertSource(database.db, { blogId: a.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://b.example/feed/', nextCheckAt: later }, t0);
    const claimed = await claim(database.db, { now: later, limit: 10, perHostLimit: 2, leaseUntil: '2026-01-02T00:00:00.000Z' });
    const hosts = claimed.map((s) => s.host).sort();
    expect(hosts).toEqual(['a.example', 'a.example', 'b.example']);
  });

  it('ranks only the first due sources by host: a host due after them waits until the earlier ones are leased', async () => {
    const a = await blog('http://a.example/');
    const b = await blog('http://b.example/');
    // 300 sources of one host due first (more than the 256 a claim of 10 × 2 ranks), then one of another.
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 300; i++) await insertSource(trx, { blogId: a.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: t0 }, t0);
    });
    const late = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://b.example/feed/', nextCheckAt: later }, t0);
    const options = { now: later, limit: 10, perHostLimit: 2, leaseUntil: '2026-01-02T00:00:00.000Z' };
    expect((await claim(database.db, options)).map((s) => s.host)).toEqual(['a.example', 'a.example']);
    // Once the sources ahead of it are leased, it is in the first ones ranked.
    await database.db.updateTable('sources').set({ next_check_at: options.leaseUntil }).where('host', '=', 'a.example').where('id', '<', 100).execute();
    const next = await claim(database.db, options);
    expect(next.map((s) => s.host)).toEqual(['a.example', 'a.example', 'b.example']);
    expect(next[2]!.id).toBe(late.id);
  });

  it('for a forced run makes every active source due, and a run claims each once', async () => {
    const b = await blog('http://a.example/');
    const feed = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: later }, t0);
    const options = { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later, notCheckedSince: t0 };
    expect(await claim(database.db, options)).toHaveLength(0);
    expect(await makeSourcesDue(database.db, { at: t0 })).toBe(1);
    expect((await claim(database.db, options)).map((s) => s.id)).toEqual([feed.id]);
    // Polled, and due again at once (as a poll may ask): not in the same run.
    await updateSourceAfterPoll(database.db, feed.id, { checkedAt: t0, nextCheckAt: t0, lastStatus: 200, lastError: null, consecutiveFailures: 0, succeeded: true });
    expect(await claim(database.db, { ...options, now: '2026-01-01T00:00:01.000Z' })).toHaveLength(0);
    expect(await claim(database.db, { now: '2026-01-01T00:00:01.000Z', limit: 10, perHostLimit: 10, leaseUntil: later })).toHaveLength(1);
  });

  it('for a forced run moves neither disabled sources, nor those of disabled blogs, nor those due already, nor other kinds', async () => {
    const a = await blog('http://a.example/');
    const off = await blog('http://off.example/');
    const wanted = await insertSource(database.db, { blogId: a.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: later }, t0);
    const other = await insertSource(database.db, { blogId: a.id, kind: 'site-comments', url: 'http://a.example/comments/feed/', nextCheckAt: later }, t0);
    const overdue = await insertSource(database.db, { blogId: a.id, kind: 'feed', url: 'http://a.example/2/feed/', nextCheckAt: '2025-12-31T00:00:00.000Z' }, t0);
    const ofDisabledBlog = await insertSource(database.db, { blogId: off.id, kind: 'feed', url: 'http://off.example/feed/', nextCheckAt: later }, t0);
    await database.db.updateTable('blogs').set({ disabled_at: t0 }).where('id', '=', off.id).execute();
    const disabled = await insertSource(database.db, { blogId: a.id, kind: 'feed', url: 'http://a.example/3/feed/', nextCheckAt: later }, t0);
    await updateSourceAfterPoll(database.db, disabled.id, { checkedAt: t0, nextCheckAt: later, lastStatus: 410, lastError: 'gone', consecutiveFailures: 1, succeeded: false, disabledReason: 'gone' });
    expect(await makeSourcesDue(database.db, { at: t0, kinds: ['feed'] })).toBe(1);
    const next = async (id: number) => (await findSourceById(database.db, id))!.nextCheckAt;
    expect([await next(wanted.id), await next(other.id), await next(overdue.id), await next(ofDisabledBlog.id), await next(disabled.id)]).toEqual([t0, later, '2025-12-31T00:00:00.000Z', later, later]);
  });

  it('for a forced run moves thousands of sources in parts, each source once', async () => {
    const a = await blog('http://a.example/');
    const n = 2 * 2000 + 7;
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) await insertSource(trx, { blogId: a.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: later }, t0);
    });
    expect(await makeSourcesDue(database.db, { at: t0 })).toBe(n);
    expect(await makeSourcesDue(database.db, { at: t0 })).toBe(0);
  });

  it('claims of every shape one after another, each as its own options say (a statement kept per shape)', async () => {
    const a = await blog('http://a.example/');
    const feed = await insertSource(database.db, { blogId: a.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    const comments = await insertSource(database.db, { blogId: a.id, kind: 'post-comments', url: 'http://a.example/1/feed/', nextCheckAt: t0 }, t0);
    const listing = await insertSource(database.db, { blogId: a.id, kind: 'site-comments', url: 'http://a.example/comments/feed/', nextCheckAt: later }, t0);
    const lease = '2026-01-02T00:00:00.000Z';
    const ids = (sources: { id: number }[]) => sources.map((s) => s.id);
    expect(ids(await claim(database.db, { now: t0, limit: 5, perHostLimit: 5, leaseUntil: lease, kinds: ['feed'] }))).toEqual([feed.id]);
    expect(ids(await claim(database.db, { now: later, limit: 5, perHostLimit: 5, leaseUntil: lease, kinds: ['feed', 'post-comments'] }))).toEqual([comments.id]);
    // Ranked by host (a limit above perHostLimit), of no kind in particular: the listing, due later.
    expect(ids(await claim(database.db, { now: later, limit: 5, perHostLimit: 1, leaseUntil: lease }))).toEqual([listing.id]);
    // A run: those due and not checked since it began, of some kinds or ranked by host.
    await makeSourcesDue(database.db, { at: '2026-01-01T02:00:00.000Z' });
    const run = { now: '2026-01-01T02:00:00.000Z', limit: 5, perHostLimit: 5, leaseUntil: lease, notCheckedSince: '2026-01-01T02:00:00.000Z' };
    expect(ids(await claim(database.db, { ...run, kinds: ['feed'] }))).toEqual([feed.id]);
    expect(ids(await claim(database.db, { ...run, perHostLimit: 1 }))).toEqual([comments.id]);
    expect(ids(await claim(database.db, run))).toEqual([listing.id]);
    expect(await claim(database.db, { ...run, now: '2026-01-01T02:00:01.000Z' })).toEqual([]);
  });

  it('skips disabled sources until the blog is registered again', async () => {
    const b = await blog('http://a.example/');
    const s = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    await updateSourceAfterPoll(database.db, s.id, {
      checkedAt: t0, nextCheckAt: t0, lastStatus: 410, lastError: 'gone', consecutiveFailures: 1, succeeded: false, disabledReason: 'gone',
    });
    expect(await claim(database.db, { now: later, limit: 10, perHostLimit: 10, leaseUntil: later })).toEqual([]);
    await enableSourcesOfBlog(database.db, b.id, later);
    expect((await findSourceById(database.db, s.id))!.disabledAt).toBeNull();
    expect(await claim(database.db, { now: later, limit: 10, perHostLimit: 10, leaseUntil: later })).toHaveLength(1);
  });
});

describe('claimDueSources in a transaction', () => {
  it('on SQLite reads the due sources, then leases each by its id (one UPDATE … IN (…) cost two to three times as much); on PostgreSQL locks as it reads, in one statement', async () => {
    const b = await blog('http://a.example/');
    for (let i = 0; i < 3; i++) await insertSource(database.db, { blogId: b.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: t0 }, t0);
    const options = { now: later, limit: 2, perHostLimit: 2, leaseUntil: '2026-01-02T00:00:00.000Z' };
    const { result, sql } = await recordStatements(() => database.db.transaction().execute((trx) => claimDueSources(trx, options)));
    expect(result.map((s) => s.nextCheckAt)).toEqual([options.leaseUntil, options.leaseUntil]);
    const updates = sql.filter((s) => /^\s*update/i.test(s));
    if (isPostgres(database.db)) {
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatch(/for update of "sources" skip locked/);
    } else {
      expect(countStarting(sql, 'select sources.id as id from sources')).toBe(1);
      expect(countStarting(sql, 'update sources set next_check_at = ?, last_checked_at = ? where id = ? returning *')).toBe(2);
      expect(updates).toHaveLength(2);
    }
    // The third, not claimed, is still due.
    expect(await claimDueSources(database.db, options)).toHaveLength(1);
  });
});
