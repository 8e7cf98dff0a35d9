import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { claimDueSources, enableSourcesOfBlog, findSourceById, insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const later = '2026-01-01T01:00:00.000Z';

async function blog(home: string) {
  return insertBlog(
    database.db,
    { homeUrl: home, urlKey: home, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] },
    t0,
  );
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('insertSource', () => {
  it('returns the existing source for the same blog and URL', async () => {
    const b = await blog('http://a.example/');
    const one = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    const two = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    expect(two.id).toBe(one.id);
    expect(one.host).toBe('a.example');
  });
});

describe('claimDueSources', () => {
  it('claims only due sources and leases them', async () => {
    const b = await blog('http://a.example/');
    const due = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'site-comments', url: 'http://a.example/comments/feed/', nextCheckAt: later }, t0);
    const claimed = await claimDueSources(database.db, { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later });
    expect(claimed.map((s) => s.id)).toEqual([due.id]);
    expect(claimed[0]!.nextCheckAt).toBe(later);
    // Leased: a second claim at the same moment finds nothing.
    expect(await claimDueSources(database.db, { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later })).toEqual([]);
  });

  it('takes at most perHostLimit sources of one host per claim', async () => {
    const a = await blog('http://a.example/');
    const b = await blog('http://b.example/');
    for (let i = 0; i < 5; i++) await insertSource(database.db, { blogId: a.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://b.example/feed/', nextCheckAt: later }, t0);
    const claimed = await claimDueSources(database.db, { now: later, limit: 10, perHostLimit: 2, leaseUntil: '2026-01-02T00:00:00.000Z' });
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
    expect((await claimDueSources(database.db, options)).map((s) => s.host)).toEqual(['a.example', 'a.example']);
    // Once the sources ahead of it are leased, it is in the first ones ranked.
    await database.db.updateTable('sources').set({ next_check_at: options.leaseUntil }).where('host', '=', 'a.example').where('id', '<', 100).execute();
    const next = await claimDueSources(database.db, options);
    expect(next.map((s) => s.host)).toEqual(['a.example', 'a.example', 'b.example']);
    expect(next[2]!.id).toBe(late.id);
  });

  it('with force claims sources that are not due yet, once per run', async () => {
    const b = await blog('http://a.example/');
    await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: later }, t0);
    const options = { now: t0, limit: 10, perHostLimit: 10, leaseUntil: later, force: true, notCheckedSince: t0 };
    expect(await claimDueSources(database.db, options)).toHaveLength(1);
    expect(await claimDueSources(database.db, { ...options, now: '2026-01-01T00:00:01.000Z' })).toHaveLength(0);
  });

  it('skips disabled sources until the blog is registered again', async () => {
    const b = await blog('http://a.example/');
    const s = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    await updateSourceAfterPoll(database.db, s.id, {
      checkedAt: t0, nextCheckAt: t0, lastStatus: 410, lastError: 'gone', consecutiveFailures: 1, succeeded: false, disabledReason: 'gone',
    });
    expect(await claimDueSources(database.db, { now: later, limit: 10, perHostLimit: 10, leaseUntil: later })).toEqual([]);
    await enableSourcesOfBlog(database.db, b.id, later);
    expect((await findSourceById(database.db, s.id))!.disabledAt).toBeNull();
    expect(await claimDueSources(database.db, { now: later, limit: 10, perHostLimit: 10, leaseUntil: later })).toHaveLength(1);
  });
});

describe('updateSourceAfterPoll', () => {
  it('keeps the last error until a success clears it', async () => {
    const b = await blog('http://a.example/');
    const s = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    await updateSourceAfterPoll(database.db, s.id, { checkedAt: t0, nextCheckAt: later, lastStatus: 500, lastError: 'boom', consecutiveFailures: 1, succeeded: false });
    let now = (await findSourceById(database.db, s.id))!;
    expect(now).toMatchObject({ lastError: 'boom', consecutiveFailures: 1, lastErrorAt: t0, lastSuccessAt: null });
    await updateSourceAfterPoll(database.db, s.id, { checkedAt: later, nextCheckAt: later, lastStatus: 200, lastError: null, consecutiveFailures: 0, succeeded: true, etag: '"x"' });
    now = (await findSourceById(database.db, s.id))!;
    expect(now).toMatchObject({ lastError: null, consecutiveFailures: 0, lastSuccessAt: later, etag: '"x"' });
  });

  it('commits the records of polls that end in the same turn together, each resolving once committed', async () => {
    const b = await blog('http://a.example/');
    const sources = await Promise.all([1, 2, 3, 4, 5].map((i) => insertSource(database.db, { blogId: b.id, kind: 'feed', url: `http://a.example/feed${i}/`, nextCheckAt: t0 }, t0)));
    const transactions = vi.spyOn(database.db, 'transaction');
    await Promise.all(sources.map((src) => updateSourceAfterPoll(database.db, src.id, { checkedAt: later, nextCheckAt: later, lastStatus: 304, lastError: null, consecutiveFailures: 0, succeeded: true })));
    expect(transactions).toHaveBeenCalledTimes(1);
    for (const src of sources) expect(await findSourceById(database.db, src.id)).toMatchObject({ lastCheckedAt: later, lastStatus: 304, lastSuccessAt: later });
  });

  it('records the others when one record of a turn fails, and rejects only that one', async () => {
    const b = await blog('http://a.example/');
    const one = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/one/', nextCheckAt: t0 }, t0);
    const two = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/two/', nextCheckAt: t0 }, t0);
    const ok = { checkedAt: later, nextCheckAt: later, lastStatus: 304, lastError: null, consecutiveFailures: 0, succeeded: true };
    // Moving to the other source's URL breaks the blog's unique URLs.
    const results = await Promise.allSettled([updateSourceAfterPoll(database.db, one.id, { ...ok, url: 'http://a.example/two/' }), updateSourceAfterPoll(database.db, two.id, ok)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await findSourceById(database.db, one.id)).toMatchObject({ url: 'http://a.example/one/', lastCheckedAt: null });
    expect(await findSourceById(database.db, two.id)).toMatchObject({ lastCheckedAt: later, lastStatus: 304 });
  });
});
