import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { blogHasSourceAt, countSourcesOfBlog, findSourceById, insertSource, listBlogSources, listSourcesByBlog, updateSourceAfterPoll } from '../../src/store/sources.ts';
import { createTestDatabase, insertHomeOnlyBlog } from '../support/db.ts';

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

describe('insertSource', () => {
  it('returns the existing source for the same blog and URL', async () => {
    const b = await blog('http://a.example/');
    const one = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    const two = await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    expect(two.id).toBe(one.id);
    expect(one.host).toBe('a.example');
  });
});

describe("a blog's sources", () => {
  async function blogWithSources() {
    const b = await blog('http://a.example/');
    for (let i = 1; i <= 5; i++) await insertSource(database.db, { blogId: b.id, kind: 'post-comments', url: `http://a.example/${i}/feed/`, nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'pingback-listing', url: 'http://a.example/pings/', nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'site-comments', url: 'http://a.example/comments/feed/', nextCheckAt: t0 }, t0);
    await insertSource(database.db, { blogId: b.id, kind: 'feed', url: 'http://a.example/feed/', nextCheckAt: t0 }, t0);
    const other = await blog('http://b.example/');
    await insertSource(database.db, { blogId: other.id, kind: 'feed', url: 'http://b.example/feed/', nextCheckAt: t0 }, t0);
    return { b, other };
  }

  it('listBlogSources gives the blogs’ own sources, never their posts’ comment feeds', async () => {
    const { b, other } = await blogWithSources();
    expect((await listBlogSources(database.db, [b.id, other.id])).map((s) => s.url)).toEqual([
      'http://a.example/pings/',
      'http://a.example/comments/feed/',
      'http://a.example/feed/',
      'http://b.example/feed/',
    ]);
    expect(await listBlogSources(database.db, [])).toEqual([]);
  });

  it('listBlogSources takes more blogs than a statement takes values (the whole registry’s OPML)', async () => {
    const { b, other } = await blogWithSources();
    // SQLite takes 32,766 values in a statement, PostgreSQL 65,535.
    const ids = [...Array.from({ length: 70_000 }, (_, i) => 1000 + i), other.id, b.id];
    expect((await listBlogSources(database.db, ids)).map((s) => s.url)).toEqual(['http://a.example/pings/', 'http://a.example/comments/feed/', 'http://a.example/feed/', 'http://b.example/feed/']);
  });

  it('listSourcesByBlog pages them, the blog’s own first (post feed, site comment feed, listings), then its posts’ comment feeds', async () => {
    const { b } = await blogWithSources();
    const all = (await listSourcesByBlog(database.db, b.id)).map((s) => s.url);
    expect(all).toEqual([
      'http://a.example/feed/',
      'http://a.example/comments/feed/',
      'http://a.example/pings/',
      ...[1, 2, 3, 4, 5].map((i) => `http://a.example/${i}/feed/`),
    ]);
    for (const [offset, limit] of [[0, 3], [0, 2], [2, 3], [3, 3], [6, 3], [8, 3], [1, 100]] as const) {
      expect((await listSourcesByBlog(database.db, b.id, { limit, offset })).map((s) => s.url)).toEqual(all.slice(offset, offset + limit));
    }
    expect(await countSourcesOfBlog(database.db, b.id)).toBe(8);
  });

  it('blogHasSourceAt tells whether one of the blog’s sources reads an address', async () => {
    const { b, other } = await blogWithSources();
    expect(await blogHasSourceAt(database.db, b.id, 'http://a.example/3/feed/')).toBe(true);
    expect(await blogHasSourceAt(database.db, b.id, 'http://b.example/feed/')).toBe(false);
    expect(await blogHasSourceAt(database.db, other.id, 'http://b.example/feed/')).toBe(true);
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
