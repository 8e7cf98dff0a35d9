import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { findSourceById, insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
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
