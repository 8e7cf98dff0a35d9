import iconv from 'iconv-lite';
import type { Source } from '../../src/domain/models.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FixtureServer } from '../../src/demo/fixture-server.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { refreshSource } from '../../src/poller/refresh.ts';
import { describeTransportError } from '../../src/reader/fetch-errors.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { countEntries, listRecentEntries } from '../../src/store/entries.ts';
import { findSourceById } from '../../src/store/sources.ts';
import { createFeedReader, type FeedReader } from '../../src/reader/read-feed.ts';
import type { ReadItemsAnswer } from '../../src/reader/read-items.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { readItemRecord } from '../../src/store/source-item-records.ts';
import { rssFeed } from '../support/blog-pages.ts';
import { createTestDatabase } from '../support/db.ts';
import { startPolledFeed, testRefreshSettings, type PolledFeed } from '../support/polled-feed.ts';

const settings = testRefreshSettings;
const now = new Date('2026-03-01T12:00:00Z');
const rssType = { 'content-type': 'application/rss+xml; charset=UTF-8' };

let database: OpenedDatabase;
let fetcher: Fetcher;
let server: FixtureServer;
let source: Source;

const items = [
  { id: 1, slug: 'eins', title: 'Erster Beitrag', body: '<p>Eins</p>', date: 'Mon, 10 Nov 2008 10:00:00 +0100' },
  { id: 2, slug: 'zwei', title: 'Zweiter Beitrag', body: '<p>Zwei</p>', date: 'Tue, 11 Nov 2008 10:00:00 +0100' },
];

async function refresh(): Promise<Awaited<ReturnType<typeof refreshSource>>> {
  const current = (await findSourceById(database.db, source.id))!;
  return refreshSource({ db: database.db, fetch: fetcher.fetch, settings, now: () => now }, current);
}

let feed: PolledFeed;

beforeEach(async () => {
  feed = await startPolledFeed(now);
  ({ database, fetcher, server, source } = feed);
});

afterEach(() => feed.close());

describe('refreshSource', () => {
  it('stores the items, the validators and the next check; a repeated poll duplicates nothing', async () => {
    server.set('/feed/', { headers: { ...rssType, etag: '"v1"', 'last-modified': 'Tue, 11 Nov 2008 09:00:00 GMT' }, body: rssFeed(server.origin, items) });
    const first = await refresh();
    expect(first).toMatchObject({ outcome: 'updated', inserted: 2, status: 200 });
    const stored = (await findSourceById(database.db, source.id))!;
    expect(stored).toMatchObject({ etag: '"v1"', lastModified: 'Tue, 11 Nov 2008 09:00:00 GMT', format: 'rss', lastError: null });
    // The feed's sy:updatePeriod (hourly) is longer than the 30-minute interval, so it wins.
    expect(stored.nextCheckAt).toBe('2026-03-01T13:00:00.000Z');

    server.set('/feed/', { headers: rssType, body: rssFeed(server.origin, items) });
    const again = await refresh();
    expect(again).toMatchObject({ outcome: 'unchanged', inserted: 0, updated: 0 });
    expect(await countEntries(database.db)).toBe(2);
  });

  it('sends the stored validators and takes a 304 as success', async () => {
    server.set('/feed/', { headers: { ...rssType, etag: '"v1"' }, body: rssFeed(server.origin, items) });
    await refresh();
    server.set('/feed/', (req, res) => {
      res.writeHead(req.headers['if-none-match'] === '"v1"' ? 304 : 200, { etag: '"v1"' });
      res.end();
    });
    const r = await refresh();
    expect(r.outcome).toBe('not-modified');
    expect((await findSourceById(database.db, source.id))!.lastStatus).toBe(304);
  });

  it('updates an edited post in place', async () => {
    server.set('/feed/', { headers: rssType, body: rssFeed(server.origin, items) });
    await refresh();
    server.set('/feed/', { headers: rssType, body: rssFeed(server.origin, [{ ...items[0]!, title: 'Erster Beitrag (Nachtrag)' }, items[1]!]) });
    const r = await refresh();
    expect(r).toMatchObject({ outcome: 'updated', inserted: 0, updated: 1 });
    const titles = (await listRecentEntries(database.db, { limit: 10 })).map((e) => e.title);
    expect(titles).toEqual(['Zweiter Beitrag', 'Erster Beitrag (Nachtrag)']);
  });

  it('honours 429 with Retry-After and keeps the entries', async () => {
    server.set('/feed/', { headers: rssType, body: rssFeed(server.origin, items) });
    await refresh();
    server.set('/feed/', { status: 429, headers: { 'retry-after': '7200' } });
    const r = await refresh();
    expect(r.outcome).toBe('failed');
    expect(r.nextCheckAt).toBe('2026-03-01T14:00:00.000Z');
    expect(r.error).toContain('slow down (429)');
    expect(await countEntries(database.db)).toBe(2);
  });

  it('backs off after errors and stops after the configured number in a row', async () => {
    server.set('/feed/', { status: 503 });
    const r1 = await refresh();
    const r2 = await refresh();
    expect(r1.nextCheckAt).toBe('2026-03-01T12:30:00.000Z');
    expect(r2.nextCheckAt).toBe('2026-03-01T13:00:00.000Z');
    const r3 = await refresh();
    expect(r3.outcome).toBe('disabled');
    expect((await findSourceById(database.db, source.id))!.disabledReason).toMatch(/stopped after 3 failed checks/);
  });

  it('stops polling a feed that answers 410', async () => {
    server.set('/feed/', { status: 410 });
    const r = await refresh();
    expect(r.outcome).toBe('disabled');
    expect((await findSourceById(database.db, source.id))!.disabledAt).not.toBeNull();
  });

  it('records a malformed feed as the last error in plain words', async () => {
    server.set('/feed/', { headers: rssType, body: '<?xml version="1.0"?><rss version="2.0"><channel><title>kaputt</title><item><title>x' });
    const r = await refresh();
    expect(r.outcome).toBe('failed');
    expect((await findSourceById(database.db, source.id))!.lastError).toMatch(/^the feed could not be read/);
  });

  it('records an HTML page where a feed was expected', async () => {
    server.set('/feed/', { headers: { 'content-type': 'text/html' }, body: '<!doctype html><html><head><title>Just a moment…</title></head><body>Checking your browser</body></html>' });
    const r = await refresh();
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/could not be read/);
  });

  it('moves the feed address only when a permanent redirect repeats', async () => {
    server.set('/feed/', { status: 301, headers: { location: '/new-feed/' } });
    server.set('/new-feed/', { headers: rssType, body: rssFeed(server.origin, items) });
    await refresh();
    expect((await findSourceById(database.db, source.id))!.url).toBe(`${server.origin}/feed/`);
    await refresh();
    expect((await findSourceById(database.db, source.id))!.url).toBe(`${server.origin}/new-feed/`);
  });

  it('does not move the feed on a temporary redirect', async () => {
    server.set('/feed/', { status: 302, headers: { location: '/elsewhere/' } });
    server.set('/elsewhere/', { headers: rssType, body: rssFeed(server.origin, items) });
    await refresh();
    await refresh();
    expect((await findSourceById(database.db, source.id))!.url).toBe(`${server.origin}/feed/`);
  });

  it('reads a windows-1252 feed labelled ISO-8859-1 with typographic quotes intact', async () => {
    const text = rssFeed(server.origin, [{ id: 7, slug: 'sieben', title: '„Zitat“ – 5 €', body: '<p>Grüße</p>', date: 'Mon, 10 Nov 2008 10:00:00 +0100' }]).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    server.set('/feed/', { headers: { 'content-type': 'application/rss+xml; charset=ISO-8859-1' }, body: iconv.encode(text, 'windows-1252') });
    await refresh();
    const [entry] = await listRecentEntries(database.db, { limit: 1 });
    expect(entry!.title).toBe('„Zitat“ – 5 €');
    expect(entry!.contentHtml).toContain('Grüße');
  });

  it('reports an unreachable blog without throwing', async () => {
    await server.close();
    const r = await refresh();
    expect(r.outcome).toBe('failed');
    expect(r.error).toBeTruthy();
  });

  it('charges the blog nothing when this machine is out of open files: the poll throws and the record stays', async () => {
    const emfile = Object.assign(new Error('connect EMFILE 127.0.0.1'), { code: 'EMFILE', syscall: 'connect' });
    const fetch = async (req: { url: string }) => {
      throw describeTransportError(new TypeError('fetch failed', { cause: emfile }), new URL(req.url), { connectTimeoutMs: 1000, headersTimeoutMs: 1000, timeoutMs: 1000 });
    };
    await expect(refreshSource({ db: database.db, fetch, settings, now: () => now }, source)).rejects.toMatchObject({ code: 'local' });
    expect(await findSourceById(database.db, source.id)).toMatchObject({ consecutiveFailures: 0, lastError: null, lastCheckedAt: null });
  });
});

describe('refreshSource: the item record', () => {
  const withComments = (xml: string, slug: string, count: number) => xml.replace(new RegExp(`(${slug}/feed/</wfw:commentRss>\\s*<slash:comments>)0<`), `$1${count}<`);
  const post = (id: number) => ({ id, slug: `beitrag-${id}`, title: `Beitrag ${id}`, body: `<p>Zu <a href="${server.origin}/2008/11/beitrag-${id - 1}/">Beitrag ${id - 1}</a>.</p>`, date: `Mon, ${String(id).padStart(2, '0')} Nov 2008 10:00:00 +0100` });
  const posts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => post(to - k));
  const built = (n: number) => `Mon, ${17 + n} Nov 2008 10:00:00 +0000`;
  const feedOf = (list: ReturnType<typeof post>[], step: number) => rssFeed(server.origin, list).replace(built(0), built(step));

  let reader: FeedReader;
  let read: ReadItemsAnswer[];
  beforeEach(() => {
    const real = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    read = [];
    reader = { ...real, readItems: async (...args) => read[read.push(await real.readItems(...args)) - 1]! };
  });
  afterEach(() => reader.close());

  const refreshWith = async (db: OpenedDatabase['db'], id: number, withReader: boolean) =>
    refreshSource({ db, fetch: fetcher.fetch, settings, now: () => now, ...(withReader ? { reader } : {}) }, (await findSourceById(db, id))!);
  const entriesOf = async (db: OpenedDatabase['db']) =>
    (await db.selectFrom('entries').select(['identity', 'title', 'content_hash', 'item_hash', 'comment_count', 'conversation_id']).orderBy('identity').execute()).map((e) => ({ ...e, conversation_id: e.conversation_id !== null }));

  it.each([
    ['through a reading thread', true],
    ['on the event loop, without one', false],
  ])('parses only the items whose text is new %s, and stores what a poll reading every item stores', async (_, threaded) => {
    // The same blog in a second database, its item record removed before each poll: every item read.
    const other = await createTestDatabase();
    try {
      const blog = await insertBlog(other.db, { homeUrl: server.origin, urlKey: 'x', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now.toISOString());
      const whole = await insertSource(other.db, { blogId: blog.id, kind: 'feed', url: `${server.origin}/feed/`, nextCheckAt: now.toISOString() }, now.toISOString());
      const steps = [
        { xml: feedOf(posts(1, 5), 0), left: 0 },
        // One new post, the oldest gone, the channel's lastBuildDate moved: four left unread.
        { xml: feedOf(posts(2, 6), 1), left: 4 },
        // An edited post and a post with new comments: their text changed, so they are read.
        { xml: withComments(feedOf(posts(2, 6).map((p) => (p.id === 3 ? { ...p, title: 'Beitrag 3 (Nachtrag)' } : p)), 2), 'beitrag-5', 4), left: 3 },
        // The feed in another language: every item is read again.
        { xml: feedOf(posts(3, 7), 3).replace('<language>de-DE</language>', '<language>en</language>'), left: 0 },
      ];
      for (const [n, step] of steps.entries()) {
        server.set('/feed/', { headers: rssType, body: step.xml });
        const withRecord = await refreshWith(database.db, source.id, threaded);
        await other.db.deleteFrom('source_item_records').execute();
        const everyItem = await refreshWith(other.db, whole.id, false);
        if (threaded) expect(read[n]!.digests?.skipped ?? [], `step ${n}`).toHaveLength(step.left);
        expect((await readItemRecord(database.db, source.id))?.items.size, `step ${n}`).toBe(5);
        expect({ ...withRecord, sourceId: 0, blogId: 0 }, `step ${n}`).toEqual({ ...everyItem, sourceId: 0, blogId: 0 });
        expect(await entriesOf(database.db), `step ${n}`).toEqual(await entriesOf(other.db));
        if (n === 2) expect((await entriesOf(database.db)).map((e) => e.comment_count)).toContain(4);
      }
    } finally {
      await other.close();
    }
  });

  it('leaves unread the comments a site comment feed showed before', async () => {
    server.set('/feed/', { headers: rssType, body: feedOf(posts(1, 2), 0) });
    await refreshWith(database.db, source.id, true);
    const comments = await insertSource(database.db, { blogId: source.blogId, kind: 'site-comments', url: `${server.origin}/comments/feed/`, nextCheckAt: now.toISOString() }, now.toISOString());
    const comment = (n: number) =>
      `<item><title>Kommentar zu Beitrag 2 von Leser ${n}</title><link>${server.origin}/2008/11/beitrag-2/#comment-${n}</link><dc:creator><![CDATA[Leser ${n}]]></dc:creator><pubDate>Tue, 0${n} Nov 2008 12:00:00 +0100</pubDate><guid isPermaLink="false">${server.origin}/?p=2#comment-${n}</guid><description><![CDATA[Antwort ${n}]]></description><content:encoded><![CDATA[<p>Antwort ${n}</p>]]></content:encoded></item>`;
    const commentFeed = (ns: number[], step: number) => feedOf([], step).replace('</channel>', `${ns.map(comment).join('\n')}</channel>`);
    server.set('/comments/feed/', { headers: rssType, body: commentFeed([2, 1], 0) });
    expect(await refreshWith(database.db, comments.id, true)).toMatchObject({ outcome: 'updated', inserted: 2 });
    server.set('/comments/feed/', { headers: rssType, body: commentFeed([3, 2, 1], 1) });
    expect(await refreshWith(database.db, comments.id, true)).toMatchObject({ outcome: 'updated', inserted: 1 });
    expect(read.at(-1)!.feed.items.map((i) => i.title)).toEqual(['Kommentar zu Beitrag 2 von Leser 3']);
    expect(read.at(-1)!.digests?.skipped).toHaveLength(2);
    expect((await readItemRecord(database.db, comments.id))?.items.size).toBe(3);
  });

  it('reads the whole feed when an item left unread is not the one stored, and keeps no record for a blog waiting for a moderator', async () => {
    server.set('/feed/', { headers: rssType, body: feedOf(posts(1, 5), 0) });
    await refreshWith(database.db, source.id, true);
    // The store's entry of post 3 no longer matches its recorded reading.
    await database.db.updateTable('entries').set({ item_hash: 'anders' }).where('identity', '=', `guid:${server.origin}/?p=3`).execute();
    server.set('/feed/', { headers: rssType, body: feedOf(posts(1, 6), 1) });
    expect(await refreshWith(database.db, source.id, true)).toMatchObject({ outcome: 'updated', inserted: 1, updated: 0 });
    expect(read.map((r) => r.digests?.skipped.length)).toEqual([0, 5, 0]);
    const hashes = await database.db.selectFrom('entries').select('item_hash').execute();
    expect(hashes.map((h) => h.item_hash)).not.toContain('anders');
    expect((await readItemRecord(database.db, source.id))?.items.size).toBe(6);

    await database.db.updateTable('blogs').set({ approval: 'pending' }).execute();
    server.set('/feed/', { headers: rssType, body: feedOf(posts(1, 7), 2) });
    await refreshWith(database.db, source.id, true);
    expect(await readItemRecord(database.db, source.id)).toBeNull();
  });
});
