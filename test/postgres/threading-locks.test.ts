// Threading by several pollers at once on one PostgreSQL (npm run test:pg only): posts of blogs
// polled by different pollers answer each other, so their conversations are merged across
// pollers while other merges run, and every blog's items also arrive through a second feed, so
// the same entry is stored by two pollers at once. What they build must equal what one SQLite
// process builds of the same feeds: the locks of src/store/dialect.ts at work.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/service.ts';
import type { Db } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { testConfig } from '../support/app.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const blogs = 48;
const posts = 6;
// Blogs answer within circles of twelve, so each circle is one conversation in the end, built
// from many smaller ones by merges; circles are not joined to each other.
const circle = 12;
const peer = (n: number, step: number) => Math.floor(n / circle) * circle + ((n + step) % circle);

/** Serves blog n's feed at /feed/n.xml and the same items again at /feed/n.xml?again. */
async function startBlogs(): Promise<{ base: string; close(): Promise<void> }> {
  let base = '';
  const blogUrl = (n: number) => `${base}/blog${n}/`;
  const server = http.createServer((req, res) => {
    const m = /^\/feed\/(\d+)\.xml(\?again)?$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const n = Number(m[1]);
    const items: string[] = [];
    for (let i = 0; i < posts; i++) {
      // Post i answers post i of the next blog and post i+1 of the blog five further on.
      const links = [`${blogUrl(peer(n, 1))}post-${i}/`, `${blogUrl(peer(n, 5))}post-${(i + 1) % posts}/`];
      items.push(
        `<item><title>Post ${i} of blog ${n}</title><link>${blogUrl(n)}post-${i}/</link><guid>${blogUrl(n)}?p=${i}</guid>` +
          `<author>author${n % 7}@example.com (Author ${n % 7})</author>` +
          `<pubDate>Mon, 10 Nov 2008 ${String((n + i) % 24).padStart(2, '0')}:00:00 +0000</pubDate>` +
          `<description><![CDATA[<p>${links.map((l) => `<a href="${l}">this</a>`).join(' and ')}</p>]]></description></item>`,
      );
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Blog ${n}</title><link>${blogUrl(n)}</link><description>d</description>${items.join('')}</channel></rss>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function register(db: Db, base: string): Promise<void> {
  const now = new Date().toISOString();
  for (let n = 0; n < blogs; n++) {
    const home = `${base}/blog${n}/`;
    const blog = await insertBlog(db, { homeUrl: home, urlKey: home.replace(/^http:\/\//, '').replace(/\/$/, ''), title: `Blog ${n}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
    await insertSource(db, { blogId: blog.id, kind: 'feed', url: `${base}/feed/${n}.xml`, nextCheckAt: now }, now);
    await insertSource(db, { blogId: blog.id, kind: 'feed', url: `${base}/feed/${n}.xml?again`, nextCheckAt: now }, now);
  }
}

async function processOn(overrides: Record<string, unknown>): Promise<Service> {
  const service = await createService(testConfig({ ...overrides, poller: { ...testConfig().poller, concurrency: 4 } }), { log: silent });
  cleanups.push(() => service.stop());
  return service;
}

/** Every live conversation, independent of ids and ports: its entries' paths and its counts. */
async function conversations(db: Db): Promise<string[]> {
  const entries = await db.selectFrom('entries').select(['url', 'conversation_id']).execute();
  const paths = new Map<number | null, string[]>();
  for (const e of entries) paths.set(e.conversation_id, [...(paths.get(e.conversation_id) ?? []), e.url!.replace(/^http:\/\/[^/]+/, '')]);
  const live = await db
    .selectFrom('conversations')
    .select(['id', 'entry_count', 'post_count', 'blog_count', 'author_count', 'first_activity_at', 'last_activity_at'])
    .where('merged_into_id', 'is', null)
    .execute();
  const described = live.map(
    (c) => `${(paths.get(c.id) ?? []).sort().join(' ')} | ${c.entry_count} entries, ${c.post_count} posts, ${c.blog_count} blogs, ${c.author_count} authors, ${c.first_activity_at} – ${c.last_activity_at}`,
  );
  // Entries outside any live conversation would show here too.
  for (const [id, p] of paths) if (!live.some((c) => c.id === id)) described.push(`outside a live conversation: ${p.sort().join(' ')}`);
  return described.sort();
}

describe('threading by several pollers on one PostgreSQL', () => {
  it('four pollers merging each other’s conversations, and storing the same entries twice at once, build what one SQLite process builds', async () => {
    const created = await createPostgresTestDatabase(adminUrl);
    cleanups.push(() => created.drop());
    const farm = await startBlogs();
    cleanups.push(() => farm.close());

    const pollers = await Promise.all([1, 2, 3, 4].map(() => processOn({ databaseUrl: created.url, database: { poolSize: 4 } })));
    const db = pollers[0]!.database.db;
    await register(db, farm.base);
    const summaries = await Promise.all(pollers.map((p) => p.poller.pollOnce()));
    expect(summaries.reduce((n, s) => n + s.polled, 0)).toBe(blogs * 2);
    expect(summaries.reduce((n, s) => n + s.crashed + s.failed, 0)).toBe(0);
    for (const s of summaries) expect(s.polled).toBeGreaterThan(0);

    const single = await processOn({});
    await register(single.database.db, farm.base);
    await single.poller.pollOnce();

    const [onPg, onSqlite] = [await conversations(db), await conversations(single.database.db)];
    expect(onSqlite).toHaveLength(blogs / circle);
    expect(onPg).toEqual(onSqlite);
    // Every entry once, although two feeds brought each of them to different pollers.
    const stored = await db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(blogs * posts);
    // Every link found its post, whichever poller stored which end first.
    const waiting = await db.selectFrom('edges').select((eb) => eb.fn.countAll<number>().as('n')).where('to_entry_id', 'is', null).executeTakeFirstOrThrow();
    expect(Number(waiting.n)).toBe(0);
  }, 120_000);
});
