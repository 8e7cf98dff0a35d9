// The poller's claims: the lease a claimed source is held for (poller.claimLeaseSeconds), and
// claims made as workers come free, so pollers side by side share the due sources evenly, one
// claim for all the workers that came free in a turn, committed with that turn's poll records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedSqlite } from '../../src/db/open.ts';
import { countEntries } from '../../src/store/entries.ts';
import { createPoller, type Poller } from '../../src/poller/poller.ts';
import type { Fetch, FetchResponse } from '../../src/reader/types.ts';
import { pollerSettings } from '../../src/service.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const silent = { info() {}, warn() {}, error() {} };
const feed = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog ${n}</title><link>http://blog${n}.example/</link><description>d</description>` +
  `<item><title>Post of ${n}</title><link>http://blog${n}.example/post/</link><guid>http://blog${n}.example/?p=1</guid></item></channel></rss>`;

function answer(url: string): FetchResponse {
  const n = Number(/blog(\d+)/.exec(url)![1]);
  return { requestedUrl: url, url, status: 200, headers: { 'content-type': 'application/rss+xml' }, body: Buffer.from(feed(n)), redirects: [], notModified: false };
}

// Every claim the poller makes, with the number of sources it asked for and got.
const claims: { limit: number; got: number; inTransaction: boolean }[] = [];
vi.mock('../../src/store/source-claims.ts', async (original) => {
  const store = await original<typeof import('../../src/store/source-claims.ts')>();
  return {
    ...store,
    claimDueSources: async (...args: Parameters<typeof store.claimDueSources>) => {
      const got = await store.claimDueSources(...args);
      claims.push({ limit: args[1].limit, got: got.length, inTransaction: args[0].isTransaction });
      return got;
    },
  };
});

let t: TestApp;
beforeEach(async () => {
  claims.length = 0;
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

async function registerBlogs(count: number, at: string): Promise<void> {
  for (let n = 0; n < count; n++) {
    const blog = await insertBlog(t.database.db, { homeUrl: `http://blog${n}.example/`, urlKey: `blog${n}.example`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
    await insertSource(t.database.db, { blogId: blog.id, kind: 'feed', url: `http://blog${n}.example/feed/`, nextCheckAt: at }, at);
  }
}

function pollerWith(fetch: Fetch, overrides: { concurrency?: number; claimLeaseSeconds?: number }, now?: () => Date): Poller {
  return createPoller({ db: t.database.db, fetch, settings: { ...pollerSettings(t.config), ...overrides }, log: silent, kinds: ['feed'], ...(now ? { now } : {}) });
}

/** A fetch that holds every request until released, counting how many it was asked. */
function heldFetch(): { fetch: Fetch; asked: () => number; release: () => void } {
  let release: () => void = () => {};
  const hanging = new Promise<void>((resolve) => (release = resolve));
  let asked = 0;
  const fetch: Fetch = async (req) => {
    asked += 1;
    await hanging;
    return answer(req.url);
  };
  return { fetch, asked: () => asked, release: () => release() };
}

describe('the claims of the poller', () => {
  it('leases a claimed source for poller.claimLeaseSeconds: another poller takes it only after the lease', async () => {
    const start = new Date('2026-01-05T10:00:00.000Z');
    await registerBlogs(1, start.toISOString());
    const held = heldFetch();
    const stuck = pollerWith(held.fetch, { claimLeaseSeconds: 90 }, () => start);
    const running = stuck.pollOnce();
    while (held.asked() === 0) await new Promise((r) => setTimeout(r, 5));
    const [source] = await t.database.db.selectFrom('sources').select('next_check_at').execute();
    expect(source!.next_check_at).toBe(new Date(start.getTime() + 90_000).toISOString());

    // A poller whose clock is within the lease finds nothing due; one past it polls the source.
    const within = await pollerWith(async (req) => answer(req.url), {}, () => new Date(start.getTime() + 89_000)).pollOnce();
    expect(within.polled).toBe(0);
    const after = await pollerWith(async (req) => answer(req.url), {}, () => new Date(start.getTime() + 91_000)).pollOnce();
    expect(after.polled).toBe(1);
    held.release();
    await running;
  });

  it('a run polls each source once: one whose poll asks for another check at once keeps it, unleased, for the next run', async () => {
    const start = new Date('2026-01-05T10:00:00.000Z');
    const blog = await insertBlog(t.database.db, { homeUrl: 'http://blog0.example/', urlKey: 'blog0.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, start.toISOString());
    // A WordPress post's Atom comment feed that is not there: the poll follows the RSS one at once.
    await insertSource(t.database.db, { blogId: blog.id, kind: 'post-comments', url: 'http://blog0.example/2008/11/eins/feed/atom/', nextCheckAt: start.toISOString() }, start.toISOString());
    const asked: string[] = [];
    const fetch: Fetch = async (req) => {
      asked.push(req.url);
      return { requestedUrl: req.url, url: req.url, status: 404, headers: { 'content-type': 'text/html' }, body: Buffer.from('nicht da'), redirects: [], notModified: false };
    };
    let clock = start;
    const poller = createPoller({ db: t.database.db, fetch, settings: pollerSettings(t.config), log: silent, kinds: ['post-comments'], now: () => clock });
    expect((await poller.pollOnce()).polled).toBe(1);
    expect(asked).toEqual(['http://blog0.example/2008/11/eins/feed/atom/']);
    const [source] = await t.database.db.selectFrom('sources').select(['url', 'next_check_at']).execute();
    expect(source).toEqual({ url: 'http://blog0.example/2008/11/eins/feed/', next_check_at: start.toISOString() });
    // The next run, a second later, polls the RSS comment feed.
    clock = new Date(start.getTime() + 1000);
    await poller.pollOnce();
    expect(asked).toEqual(['http://blog0.example/2008/11/eins/feed/atom/', 'http://blog0.example/2008/11/eins/feed/']);
  });

  it('two pollers side by side share the due sources about evenly, claiming as their workers come free', async () => {
    await registerBlogs(24, new Date().toISOString());
    const slow: Fetch = async (req) => {
      await new Promise((r) => setTimeout(r, 15));
      return answer(req.url);
    };
    const [a, b] = await Promise.all([pollerWith(slow, { concurrency: 2 }).pollOnce(), pollerWith(slow, { concurrency: 2 }).pollOnce()]);
    expect(a.polled + b.polled).toBe(24);
    // A batch claimed at once (four times the concurrency, at least 16) would leave one poller 16 or more.
    expect(Math.abs(a.polled - b.polled), `${a.polled} and ${b.polled}`).toBeLessThanOrEqual(6);
  });
  it('the background loop claims as its workers come free: it leases no more sources than it polls at once', async () => {
    await registerBlogs(10, new Date().toISOString());
    const held = heldFetch();
    const stuck = pollerWith(held.fetch, { concurrency: 2 });
    stuck.start();
    try {
      while (held.asked() < 2) await new Promise((r) => setTimeout(r, 5));
      // Let a claim beyond its workers (as a pass of twice the concurrency made) show up.
      await new Promise((r) => setTimeout(r, 50));
      const leased = await t.database.db.selectFrom('sources').select('id').where('next_check_at', '>', new Date().toISOString()).execute();
      expect(leased).toHaveLength(2);
      // Another poller with free workers polls everything the stuck one has not started.
      const other = await pollerWith(async (req) => answer(req.url), { concurrency: 2 }).pollOnce();
      expect(other.polled).toBe(8);
      expect(held.asked()).toBe(2);
    } finally {
      held.release();
      await stuck.stop();
    }
  });

  it('polls that end in the same turn are followed by one claim for all the workers they freed, not one claim each', async () => {
    await registerBlogs(12, new Date().toISOString());
    // Every feed answers 304 at once: the four polls of a claim end (and commit) together.
    const notModified: Fetch = async (req) => ({ ...answer(req.url), status: 304, body: Buffer.alloc(0), notModified: true });
    const summary = await pollerWith(notModified, { concurrency: 4 }).pollOnce();
    expect(summary.notModified).toBe(12);
    const filled = claims.filter((c) => c.got > 0);
    expect(filled.map((c) => c.got), JSON.stringify(claims)).toEqual([4, 4, 4]);
  });

  it('a claim commits in one transaction with the records of polls that end in its turn', async () => {
    await registerBlogs(12, new Date().toISOString());
    // Polls that end one after another, as answers from many blogs do: each poll's end lets the
    // next answer in, in the same turn as the claim that follows the first.
    const waiting: (() => void)[] = [];
    const notModified: Fetch = (req) => new Promise((resolve) => waiting.push(() => resolve({ ...answer(req.url), status: 304, body: Buffer.alloc(0), notModified: true })));
    // Commits: SQLite's (a transaction's commit may wait for the next: src/db/open.ts), or
    // PostgreSQL's transactions.
    const sqlite = 'sqlite' in t.database ? (t.database as OpenedSqlite).sqlite : null;
    const exec = sqlite ? vi.spyOn(sqlite, 'exec') : null;
    const transactions = vi.spyOn(t.database.db, 'transaction');
    const commits = () => (exec ? exec.mock.calls.filter(([sql]) => sql === 'commit').length : transactions.mock.calls.length);
    const poll = pollerWith(notModified, { concurrency: 4 }).pollOnce({ onResult: () => waiting.shift()?.() });
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 1));
    waiting.shift()!();
    const summary = await poll;
    expect(summary.notModified).toBe(12);
    const together = claims.filter((c) => c.inTransaction);
    expect(together.length, JSON.stringify(claims)).toBeGreaterThan(0);
    // Twelve records and the claims, in fewer commits than writes.
    expect(commits()).toBeGreaterThan(0);
    expect(commits()).toBeLessThan(12);
  });
});

describe('what a poll stored', () => {
  it('is committed when pollOnce resolves, though its polls let their commits wait to be shared', async () => {
    // A SQLite file, whose read connection (the pages') sees only what is committed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-poll-'));
    const database = openDatabase(path.join(dir, 'p.db'));
    try {
      await migrateToLatest(database.db);
      const at = new Date().toISOString();
      for (let n = 0; n < 3; n++) {
        const blog = await insertBlog(database.db, { homeUrl: `http://blog${n}.example/`, urlKey: `blog${n}.example`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
        await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: `http://blog${n}.example/feed/`, nextCheckAt: at }, at);
      }
      const poller = createPoller({ db: database.db, fetch: async (req) => answer(req.url), settings: pollerSettings(t.config), log: silent, kinds: ['feed'] });
      const summary = await poller.pollOnce();
      expect(summary.inserted).toBe(3);
      expect(await countEntries(database.read)).toBe(3);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
