import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FixtureServer } from '../../src/demo/fixture-server.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase, type OpenedSqlite } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import { ingestFeedItems, itemsPerTransaction } from '../../src/ingest/feed-items.ts';
import { refreshSource } from '../../src/poller/refresh.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { createFeedReader, type FeedReader } from '../../src/reader/read-feed.ts';
import { FeedParseError, type FeedItem } from '../../src/reader/types.ts';
import type { EntryKind } from '../../src/domain/vocabulary.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { countEntries, listRecentEntries } from '../../src/store/entries.ts';
import { findSourceById, insertSource, listSourcesByBlog } from '../../src/store/sources.ts';
import { rssFeed } from '../support/blog-pages.ts';
import { startPolledFeed, testRefreshSettings, type PolledFeed } from '../support/polled-feed.ts';
import { createTestDatabase, expectCountsMatchRecount, onPostgres } from '../support/db.ts';
import { countStarting, recordStatements } from '../support/statements.ts';

const settings = testRefreshSettings;
const now = new Date('2026-03-01T12:00:00Z');
const rssType = { 'content-type': 'application/rss+xml; charset=UTF-8' };

const posts = [
  { id: 1, slug: 'eins', title: 'Erster Beitrag', body: '<p>Eins</p>', date: 'Mon, 10 Nov 2008 10:00:00 +0100' },
  { id: 2, slug: 'zwei', title: 'Zweiter Beitrag', body: '<p>Zwei, siehe <a href="ORIGIN/2008/11/eins/">eins</a></p>', date: 'Tue, 11 Nov 2008 10:00:00 +0100' },
  { id: 3, slug: 'drei', title: 'Dritter Beitrag', body: '<p>Drei</p>', date: 'Wed, 12 Nov 2008 10:00:00 +0100' },
];

let database: OpenedDatabase;
let fetcher: Fetcher;
let server: FixtureServer;
let source: Source;

function feedOf(items: typeof posts): string {
  return rssFeed(server.origin, items.map((p) => ({ ...p, body: p.body.replaceAll('ORIGIN', server.origin) })));
}

/** Makes the database refuse to store the entry titled `title`, as a failing disk or bug would; returns the undo. */
/** The feed of a blog at http://<name>.example/, registered in `db`. */
async function exampleFeed(db: typeof database.db, name: string): Promise<Source> {
  const blog = await insertBlog(db, { homeUrl: `http://${name}.example/`, urlKey: `${name}.example`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now.toISOString());
  return insertSource(db, { blogId: blog.id, kind: 'feed', url: `http://${name}.example/feed/`, nextCheckAt: now.toISOString() }, now.toISOString());
}

/** Runs `work` on two fresh databases (the one of every test holds a blog of its own already) and closes them. */
async function inTwoFreshDatabases(work: (one: OpenedDatabase, other: OpenedDatabase) => Promise<void>): Promise<void> {
  const [one, other] = [await createTestDatabase(), await createTestDatabase()];
  try {
    await work(one, other);
  } finally {
    await one.close();
    await other.close();
  }
}

/** Every row of these tables as JSON, sorted: what two ways of storing the same items compare. */
async function rowsOf(db: typeof database.db, tables: readonly ('entries' | 'entry_channels' | 'edges' | 'conversations' | 'sources')[]): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of tables) rows[table] = (await db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return rows;
}

async function failInsertOf(title: string): Promise<() => Promise<void>> {
  const db = database.db;
  if (onPostgres) {
    await sql`create function fail_insert() returns trigger language plpgsql as $$
      begin if new.title = ${sql.lit(title)} then raise exception 'injected failure'; end if; return new; end $$`.execute(db);
    await sql`create trigger fail_insert before insert on entries for each row execute function fail_insert()`.execute(db);
    return async () => {
      await sql`drop trigger fail_insert on entries`.execute(db);
      await sql`drop function fail_insert()`.execute(db);
    };
  }
  await sql`create trigger fail_insert before insert on entries when new.title = ${sql.lit(title)}
    begin select raise(abort, 'injected failure'); end`.execute(db);
  return async () => {
    await sql`drop trigger fail_insert`.execute(db);
  };
}

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

describe('ingestFeedItems', () => {
  it('stores a feed whole or not at all: a failure mid-feed rolls back every item, and the next poll stores them', async () => {
    server.set('/feed/', { headers: { ...rssType, etag: '"v1"' }, body: feedOf(posts) });
    // The store fails on the feed's second item, after the first was written in the same feed.
    const undo = await failInsertOf('Zweiter Beitrag');
    await expect(refresh()).rejects.toThrow(/injected failure/);
    expect(await countEntries(database.db)).toBe(0);
    // No comment feed of a post that is not there, and no validators that vouch for a feed not stored.
    expect((await listSourcesByBlog(database.db, source.blogId)).map((s) => s.kind)).toEqual(['feed']);
    expect((await findSourceById(database.db, source.id))!.etag).toBeNull();

    await undo();
    expect(await refresh()).toMatchObject({ outcome: 'updated', inserted: 3 });
    expect(await countEntries(database.db)).toBe(3);
    expect((await findSourceById(database.db, source.id))!.etag).toBe('"v1"');
    await expectCountsMatchRecount(database);
  });

  it('stores a feed longer than one transaction takes in parts: a failure keeps the parts before it, and the next poll completes the feed', async () => {
    const many = Array.from({ length: 2 * itemsPerTransaction + 10 }, (_, i) => ({ id: i + 1, slug: `b${i + 1}`, title: `Beitrag ${i + 1}`, body: `<p>${i + 1}</p>`, date: 'Mon, 10 Nov 2008 10:00:00 +0100' }));
    server.set('/feed/', { headers: { ...rssType, etag: '"v1"' }, body: feedOf(many) });
    // Items are stored oldest first: this one is in the second part.
    const failing = many[many.length - itemsPerTransaction - 5]!.title;
    const undo = await failInsertOf(failing);
    await expect(refresh()).rejects.toThrow(/injected failure/);
    expect(await countEntries(database.db)).toBe(itemsPerTransaction);
    expect((await findSourceById(database.db, source.id))!.etag).toBeNull();

    await undo();
    expect(await refresh()).toMatchObject({ outcome: 'updated', inserted: itemsPerTransaction + 10 });
    expect(await countEntries(database.db)).toBe(many.length);
    expect((await findSourceById(database.db, source.id))!.etag).toBe('"v1"');
    await expectCountsMatchRecount(database);
  });

  it('stores what it drafted in reading threads exactly as what it drafted in the event loop, and drafts there only what changed', async () => {
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const drafted: string[] = [];
    const counting: FeedReader = {
      ...reader,
      readItems: async (...args) => {
        const read = await reader.readItems(...args);
        if (read.drafts) drafted.push(`${read.drafts.length} with the read`);
        return read;
      },
      draft: (items: FeedItem[], kind: EntryKind, at: Date) => (drafted.push(`${items.length} alone`), reader.draft(items, kind, at)),
    };
    const here = await createTestDatabase();
    try {
      const blog = await insertBlog(here.db, { homeUrl: server.origin, urlKey: 'x', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now.toISOString());
      const hereSource = await insertSource(here.db, { blogId: blog.id, kind: 'feed', url: `${server.origin}/feed/`, nextCheckAt: now.toISOString() }, now.toISOString());
      const edited = [posts[0]!, { ...posts[1]!, body: '<p>Zwei, nachgetragen, mit <a href="ORIGIN/2008/11/drei/">drei</a></p>' }, posts[2]!];
      for (const [n, version] of [posts, edited].entries()) {
        server.set('/feed/', { headers: rssType, body: feedOf(version) });
        const viaThreads = await refreshSource({ db: database.db, fetch: fetcher.fetch, settings, now: () => now, reader: counting }, (await findSourceById(database.db, source.id))!);
        const inPlace = await refreshSource({ db: here.db, fetch: fetcher.fetch, settings, now: () => now }, (await findSourceById(here.db, hereSource.id))!);
        expect(viaThreads, `poll ${n + 1}`).toEqual({ ...inPlace, sourceId: viaThreads.sourceId });
      }
      // The first poll drafted all three items in a thread with the feed's read, the second
      // read the feed and then drafted only the edited one.
      expect(drafted).toEqual(['3 with the read', '1 alone']);
      for (const table of ['entries', 'edges', 'conversations', 'sources'] as const) {
        const rows = (db: typeof here.db) => db.selectFrom(table).selectAll().orderBy('id').execute();
        expect(await rows(database.db), table).toEqual(await rows(here.db));
      }
      const channels = (db: typeof here.db) => db.selectFrom('entry_channels').selectAll().orderBy('entry_id').orderBy('via').execute();
      expect(await channels(database.db)).toEqual(await channels(here.db));
      // The edit's new link was read from the body the thread read: post two now links to post three.
      expect(await database.db.selectFrom('edges').select('to_entry_id').where('type', '=', 'links-to').execute()).toEqual([{ to_entry_id: 3 }]);
    } finally {
      await reader.close();
      await here.close();
    }
  });

  it("fails a poll whose items a reading thread stopped drafting at its limit, storing nothing, and stores them on the next poll", async () => {
    server.set('/feed/', { headers: { ...rssType, etag: '"v1"' }, body: feedOf(posts.slice(0, 1)) });
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const atLimit = () => Promise.reject(new FeedParseError('too-large', 'reading the items took longer than 20 s'));
    const poll = (via: FeedReader) => findSourceById(database.db, source.id).then((s) => refreshSource({ db: database.db, fetch: fetcher.fetch, settings, now: () => now, reader: via }, s!));
    try {
      // Reads the feed and hashes its items, but stops at the limit when it drafts them.
      const limited: FeedReader = {
        ...reader,
        readItems: async (body, type, url, items) => (items.draftUpTo > 0 ? atLimit() : reader.readItems(body, type, url, items)),
        draft: atLimit,
      };
      // Read for the first time, the feed's items are drafted in the job that reads it.
      expect(await poll(limited)).toMatchObject({ outcome: 'failed', error: 'the feed could not be read: reading the items took longer than 20 s' });
      expect(await countEntries(database.db)).toBe(0);
      // The validators were not kept: the next poll fetches the feed whole again.
      expect((await findSourceById(database.db, source.id))!.etag).toBeNull();
      expect(await poll(reader)).toMatchObject({ outcome: 'updated', inserted: 1 });
      // Read again, its new items are drafted in a job of their own.
      server.set('/feed/', { headers: { ...rssType, etag: '"v2"' }, body: feedOf(posts) });
      expect(await poll(limited)).toMatchObject({ outcome: 'failed', error: 'the feed could not be read: reading the items took longer than 20 s' });
      expect(await countEntries(database.db)).toBe(1);
      expect((await findSourceById(database.db, source.id))!.etag).toBe('"v1"');
      expect(await poll(reader)).toMatchObject({ outcome: 'updated', inserted: 2 });
    } finally {
      await reader.close();
    }
  });

  it('leaves an item it read before alone, before sanitizing or threading it, and reads the changed one', async () => {
    server.set('/feed/', { headers: rssType, body: feedOf(posts) });
    expect(await refresh()).toMatchObject({ inserted: 3 });
    // Were the first post read again, its stored hash would no longer match and it would be rewritten.
    await database.db.updateTable('entries').set({ content_hash: 'stale' }).where('title', '=', 'Erster Beitrag').execute();

    server.set('/feed/', { headers: rssType, body: feedOf([posts[0]!, { ...posts[1]!, body: '<p>Zwei, nachgetragen</p>' }, posts[2]!]) });
    expect(await refresh()).toMatchObject({ outcome: 'updated', inserted: 0, updated: 1 });
    const rows = await database.db.selectFrom('entries').select(['title', 'content_hash', 'content_html']).orderBy('id').execute();
    expect(rows.find((r) => r.title === 'Erster Beitrag')!.content_hash).toBe('stale');
    expect(rows.find((r) => r.title === 'Zweiter Beitrag')!.content_html).toBe('<p>Zwei, nachgetragen</p>');
  });

  it('takes the hashes a reading thread made of the items, one per item in their order, instead of making them again', async () => {
    const items: FeedItem[] = ['eins', 'zwei'].map((slug, i) => ({
      guid: slug, url: `${server.origin}/2008/11/${slug}/`, title: slug, authorName: 'Sab', authorUrl: null, contentHtml: `<p>${slug}</p>`, summaryHtml: null,
      publishedAt: `2008-11-1${i}T09:00:00.000Z`, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: 0, inReplyTo: [], trackbackPingUrl: null, baseUrl: server.origin, lang: 'de',
    }));
    expect((await ingestFeedItems(database.db, source, { items, title: null }, now.toISOString(), { itemHashes: ['hash-eins', 'hash-zwei'] })).inserted).toBe(2);
    const stored = await database.db.selectFrom('entries').select(['guid', 'item_hash']).orderBy('guid').execute();
    expect(stored).toEqual([{ guid: 'eins', item_hash: 'hash-eins' }, { guid: 'zwei', item_hash: 'hash-zwei' }]);
    // The same hashes again: both items are the ones stored, whatever they hold.
    const edited = items.map((item) => ({ ...item, contentHtml: '<p>anders</p>' }));
    expect(await ingestFeedItems(database.db, source, { items: edited, title: null }, now.toISOString(), { itemHashes: ['hash-eins', 'hash-zwei'] })).toMatchObject({ inserted: 0, updated: 0 });
    // Hashed here, the edit shows.
    expect(await ingestFeedItems(database.db, source, { items: edited, title: null }, now.toISOString())).toMatchObject({ inserted: 0, updated: 2 });
  });

  it('still records the comment count an unchanged item reports, and wakes its comment feed when it rose', async () => {
    const item: FeedItem = {
      guid: 'p1', url: `${server.origin}/2008/11/eins/`, title: 'Eins', authorName: 'Sab', authorUrl: null, contentHtml: '<p>Eins</p>', summaryHtml: null,
      publishedAt: '2008-11-10T09:00:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [{ url: `${server.origin}/2008/11/eins/feed/`, type: null }],
      commentCount: 0, inReplyTo: [], trackbackPingUrl: null, baseUrl: server.origin, lang: 'de',
    };
    await ingestFeedItems(database.db, source, { items: [item], title: null }, now.toISOString());
    const commentFeed = (await listSourcesByBlog(database.db, source.blogId)).find((s) => s.kind === 'post-comments')!;
    await database.db.updateTable('sources').set({ next_check_at: '2026-04-01T00:00:00.000Z' }).where('id', '=', commentFeed.id).execute();

    const later = '2026-03-01T13:00:00.000Z';
    const again = await ingestFeedItems(database.db, source, { items: [{ ...item, commentCount: 3 }], title: null }, later);
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    expect((await listRecentEntries(database.db, { limit: 5 }))[0]!.commentCount).toBe(3);
    expect((await findSourceById(database.db, commentFeed.id))!.nextCheckAt).toBe(later);
    const conversation = await database.db.selectFrom('conversations').select('missing_count').executeTakeFirstOrThrow();
    expect(conversation.missing_count).toBe(3);
  });

  it('lets a page read between the transactions of feeds stored at once, not after all of them', async () => {
    // The order of feed transactions is Palaver's own, whatever the database; it is observed
    // through SQLite's single writer and a function called from a trigger, which PostgreSQL (where
    // a read never waits for a writer) has no counterpart of, so this test keeps a SQLite database.
    const local: OpenedSqlite = openDatabase(':memory:');
    await migrateToLatest(local.db);
    const sources: Source[] = [];
    for (const n of [1, 2, 3]) {
      const blog = await insertBlog(local.db, { homeUrl: `${server.origin}/b${n}/`, urlKey: `b${n}`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now.toISOString());
      sources.push(await insertSource(local.db, { blogId: blog.id, kind: 'feed', url: `${server.origin}/b${n}/feed/`, nextCheckAt: now.toISOString() }, now.toISOString()));
    }
    const itemsOf = (n: number): FeedItem[] =>
      Array.from({ length: 5 }, (_, i) => ({
        guid: `b${n}-${i}`, url: `${server.origin}/b${n}/${i}/`, title: `T${i}`, authorName: null, authorUrl: null, contentHtml: `<p>${i}</p>`, summaryHtml: null,
        publishedAt: '2008-11-10T09:00:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: server.origin, lang: 'de',
      }));
    // A page's read, asked while the first feed's transaction runs.
    let read: Promise<number> | null = null;
    local.sqlite.function('first_insert', () => {
      read ??= new Promise((resolve) => setImmediate(() => resolve(countEntries(local.db))));
      return 0;
    });
    local.sqlite.exec('create trigger on_first after insert on entries begin select first_insert(); end');
    try {
      await Promise.all(sources.map((s, n) => ingestFeedItems(local.db, s, { items: itemsOf(n), title: null }, now.toISOString())));
      // It saw the first feed whole and none of the others: they waited behind it.
      expect(await read).toBe(5);
      expect(await countEntries(local.db)).toBe(15);
    } finally {
      await local.close();
    }
  });

  it('reads an item again when the feed names its identity twice', async () => {
    const item: FeedItem = {
      guid: 'dup', url: `${server.origin}/2008/11/dup/`, title: 'A', authorName: null, authorUrl: null, contentHtml: '<p>A</p>', summaryHtml: null,
      publishedAt: '2008-11-10T09:00:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: server.origin, lang: 'de',
    };
    const twice = [item, { ...item, title: 'B', contentHtml: '<p>B</p>' }];
    await ingestFeedItems(database.db, source, { items: twice, title: null }, now.toISOString());
    expect(await countEntries(database.db)).toBe(1);
    // Both are read each time, the later one last, as a feed that repeats a guid always was.
    await ingestFeedItems(database.db, source, { items: twice, title: null }, now.toISOString());
    expect((await listRecentEntries(database.db, { limit: 5 })).map((e) => e.title)).toEqual(['B']);
  });
});

describe('ingestFeedItems, statements per new item', () => {
  const origin = 'http://blog.example';
  // Posts of one blog, each linking to the one before (stored later in the same part) and to a
  // post of another blog stored before, with a comment feed and a comment count: the usual shape.
  function wordPressItems(count: number, other: string): FeedItem[] {
    return Array.from({ length: count }, (_, i) => {
      const n = count - i;
      return {
        guid: `${origin}/?p=${n}`, url: `${origin}/2026/03/beitrag-${n}/`, title: `Beitrag ${n}`, authorName: 'Sab', authorUrl: null,
        contentHtml: `<p>Siehe <a href="${origin}/2026/03/beitrag-${n - 1}/">davor</a> und <a href="${other}">drüben</a>.</p>`, summaryHtml: null,
        publishedAt: new Date(Date.UTC(2026, 2, 1, n)).toISOString(), updatedAt: null, commentsPageUrl: null,
        commentFeeds: [{ url: `${origin}/2026/03/beitrag-${n}/feed/`, type: null }], commentCount: n % 3, inReplyTo: [], trackbackPingUrl: null, baseUrl: origin, lang: 'de',
      };
    });
  }

  it('records a new item in about ten statements, and its counts are those of a recount', async () => {
    const otherBlog = await insertBlog(database.db, { homeUrl: 'http://other.example/', urlKey: 'other.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now.toISOString());
    const otherSource = await insertSource(database.db, { blogId: otherBlog.id, kind: 'feed', url: 'http://other.example/feed/', nextCheckAt: now.toISOString() }, now.toISOString());
    const other = 'http://other.example/2026/02/anfang/';
    await ingestFeedItems(database.db, otherSource, { items: [{ ...wordPressItems(1, other)[0]!, guid: 'o1', url: other, contentHtml: '<p>Anfang</p>', commentFeeds: [] }], title: null }, now.toISOString());

    let statements = 0;
    const db = database.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (statements++, args.result) });
    const items = wordPressItems(20, other);
    const stored = await ingestFeedItems(db, source, { items, title: null }, now.toISOString());
    expect(stored.inserted).toBe(20);
    // Per new item: its edges' targets; per part: identities, pings, waiting edges, the entries'
    // rows, channels and edges, the conversation each joined, the edges waiting for them pointed
    // at them and the conversation's counts once. Before a part was read and counted once and a
    // new entry's row and edges written once, 25 per item; before the rows and channels of a part
    // were written together, 8.0 (8.05 on PostgreSQL, which adds the locks of names and
    // conversations); before the entries' edges, conversations and the edges they found were
    // written once a part, 6.1 (6.15); then 2.5 on both, one read of edge targets for each item
    // that links a post of its own part; now, with those targets read once for the part and each
    // post added to their lists as it is threaded, 1.55.
    expect(statements / items.length).toBeLessThanOrEqual(1.6);
    const conversations = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ entry_count: 21, post_count: 21, blog_count: 2, author_count: 1 });
    await expectCountsMatchRecount(database);

    statements = 0;
    await ingestFeedItems(db, source, { items, title: null }, now.toISOString());
    // The same feed again: what the store holds of its items, and nothing per item.
    expect(statements).toBeLessThanOrEqual(4);
  });

  it('records posts that each join another debate in a few statements, with counts of a recount', async () => {
    // The shape of the pollers benchmark's feeds: each post answers the same post of the next
    // blog (not stored yet), and the post of the blog before, stored earlier, answers it, so
    // every new post joins a conversation of its own and resolves an edge waiting for it.
    const blogAt = (name: string) => exampleFeed(database.db, name);
    const circleItems = (name: string, next: string, count: number): FeedItem[] =>
      wordPressItems(count, 'http://nowhere.example/').map((item, i) => ({
        ...item,
        guid: `http://${name}.example/?p=${i}`,
        url: `http://${name}.example/post-${i}/`,
        authorName: `Autor ${name}`,
        contentHtml: `<p>Ein <a href="http://${next}.example/post-${i}/">Link</a>.</p>`,
        commentFeeds: [{ url: `http://${name}.example/post-${i}/feed/`, type: null }],
        commentCount: i % 5,
      }));
    await ingestFeedItems(database.db, await blogAt('eins'), { items: circleItems('eins', 'zwei', 20), title: null }, now.toISOString());
    const zwei = await blogAt('zwei');

    let statements = 0;
    const db = database.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (statements++, args.result) });
    const stored = await ingestFeedItems(db, zwei, { items: circleItems('zwei', 'drei', 20), title: null }, now.toISOString());
    expect(stored.inserted).toBe(20);
    // Per new post: its conversation (locked and read at once on PostgreSQL) and what counting it
    // asks of the conversation in one read; per part: identities, pings, waiting edges, the
    // entries the edges aim at, the entries' rows, channels and edges, the conversation each
    // joined, the edges waiting for them pointed at them, the comment feeds and every
    // conversation's counts at once. Before: 16.35 statements a post on PostgreSQL, 14.3 on
    // SQLite; with a row and a channel written per post, 7.45 and 7.4; with its edges, its
    // conversation and the edge waiting for it written per post, 5.55 and 5.5; now 2.7 and 2.65.
    expect(statements / 20).toBeLessThanOrEqual(3);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(live).toHaveLength(20);
    for (const c of live) expect(c).toMatchObject({ entry_count: 2, post_count: 2, blog_count: 2, author_count: 2 });
    await expectCountsMatchRecount(database);
  });

  it("counts no comments of a new post that only other posts' links found, and still counts those it reports as missing", async () => {
    const blogAt = (name: string) => exampleFeed(database.db, name);
    const post = (name: string, i: number, html: string, commentCount: number): FeedItem => ({
      ...wordPressItems(1, 'http://nowhere.example/')[0]!,
      guid: `http://${name}.example/?p=${i}`, url: `http://${name}.example/post-${i}/`, authorName: name, contentHtml: html, commentFeeds: [], commentCount,
    });
    // Blog eins links posts of zwei that are not stored yet (and its own post before, one debate);
    // zwei's posts then find those links waiting.
    const before = (name: string, i: number) => (i > 0 ? ` <a href="http://${name}.example/post-${i - 1}/">davor</a>` : '');
    const einsItems = [2, 1, 0].map((i) => post('eins', i, `<p><a href="http://zwei.example/post-${i}/">drüben</a>${before('eins', i)}</p>`, 0));
    await ingestFeedItems(database.db, await blogAt('eins'), { items: einsItems, title: null }, now.toISOString());
    const zwei = await blogAt('zwei');
    // Each of zwei's posts links the one before it, newest first as a feed lists them: after the
    // first, they join the debate this part counts in memory.
    const items = [2, 1, 0].map((i) => post('zwei', i, `<p>Antwort${before('zwei', i)}</p>`, 2));
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, zwei, { items, title: null }, now.toISOString()));
    expect(result.inserted).toBe(3);
    // A link from another post is no comment: nothing to count among what found the new post.
    // Before, a post that any waiting edge found counted its comments with a statement of its own.
    expect(countStarting(sql, 'select count(*) as n from (')).toBe(0);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ entry_count: 6, post_count: 6, missing_count: 6 });
    await expectCountsMatchRecount(database);
  });

  it("moves a debate's gap by the posts whose counts changed, the debate counted in memory for the part meanwhile", async () => {
    const other = 'http://other.example/2026/02/anfang/';
    const [three, two, one] = wordPressItems(3, other).map((item) => ({ ...item, commentFeeds: [] }));
    await ingestFeedItems(database.db, source, { items: [three!, two!, one!], title: null }, now.toISOString());
    const gap = async () => (await database.db.selectFrom('conversations').select('missing_count').where('merged_into_id', 'is', null).execute()).map((r) => r.missing_count);
    // Reported counts 0, 2 and 1, none of them known.
    expect(await gap()).toEqual([3]);
    // A new post answering the newest counts into the debate in memory; then the second reports
    // seven comments with another comments page (read again, the same entry), and the first none.
    const four = { ...wordPressItems(4, other)[0]!, commentFeeds: [], commentCount: 1 };
    const later = new Date(now.getTime() + 60_000).toISOString();
    await ingestFeedItems(database.db, source, { items: [four, { ...two!, commentCount: 7, commentsPageUrl: `${two!.url}#comments` }, { ...one!, commentCount: 0 }, three!], title: null }, later);
    expect(await gap()).toEqual([1 + 7]);
    await expectCountsMatchRecount(database);
  });

  it('writes the rows of a part whose items are all new 25 to a statement, and their channels in one', async () => {
    const items = wordPressItems(30, 'http://other.example/');
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, source, { items, title: null }, now.toISOString()));
    expect(result.inserted).toBe(30);
    // Before: one insert of an entry and one of its channel per item.
    expect(countStarting(sql, 'insert into entries ')).toBe(2);
    expect(countStarting(sql, 'insert into entry_channels ')).toBe(1);
    expect(await database.db.selectFrom('entry_channels').select('via').distinct().execute()).toEqual([{ via: 'feed' }]);
    expect(Number((await database.db.selectFrom('entry_channels').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(30);
    await expectCountsMatchRecount(database);
  });

  it('stores the same rows when a part is written item by item (an item named twice) as when its new rows are written together', async () => {
    await inTwoFreshDatabases(async (one, other) => {
      const rowsAfter = async (db: typeof database.db, twice: boolean) => {
        const blogs: Source[] = [];
        for (const name of ['eins', 'zwei']) {
          blogs.push(await exampleFeed(db, name));
        }
        const at = (name: string) => (i: FeedItem): FeedItem => JSON.parse(JSON.stringify(i).replaceAll('blog.example', `${name}.example`)) as FeedItem;
        await ingestFeedItems(db, blogs[0]!, { items: wordPressItems(5, 'http://nowhere.example/').map(at('eins')), title: null }, now.toISOString());
        // Posts answering each other and the first blog's, with comment counts and comment feeds.
        const items = wordPressItems(12, 'http://eins.example/2026/03/beitrag-3/').map(at('zwei'));
        const { sql } = await recordStatements(() => ingestFeedItems(db, blogs[1]!, { items: twice ? [...items, items[4]!] : items, title: null }, now.toISOString()));
        return { tables: await rowsOf(db, ['entries', 'entry_channels', 'edges', 'conversations', 'sources']), entryInserts: countStarting(sql, 'insert into entries ') };
      };
      const together = await rowsAfter(one.db, false);
      const oneByOne = await rowsAfter(other.db, true);
      expect(together.entryInserts).toBe(1);
      expect(oneByOne.entryInserts).toBe(12);
      expect(oneByOne.tables).toEqual(together.tables);
      expect(together.tables.entries).toHaveLength(17);
    });
  });

  it('merges the debates its posts join in a few statements, each merged debate recounted once as the part writes its counts', async () => {
    // Debates that started apart, as they do when blogs are read in another order than they
    // answer each other: each new post links a post of eins and one of zwei, each the start of a
    // debate of its own, and so merges the two.
    const starts: Record<string, string[]> = {};
    for (const name of ['eins', 'zwei']) {
      const src = await exampleFeed(database.db, name);
      const items = wordPressItems(10, 'http://nowhere.example/').map((item, i) => ({ ...item, guid: `${name}-${i}`, url: `http://${name}.example/p${i}/`, authorName: name, contentHtml: '<p>Start</p>', commentFeeds: [] }));
      await ingestFeedItems(database.db, src, { items, title: null }, now.toISOString());
      starts[name] = items.map((item) => item.url!);
    }
    expect(await database.db.selectFrom('conversations').select('id').execute()).toHaveLength(20);

    let statements = 0;
    const db = database.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (statements++, args.result) });
    const items = wordPressItems(10, 'http://nowhere.example/').map((item, i) => ({
      ...item,
      contentHtml: `<p><a href="${starts['eins']![i]}">eins</a> und <a href="${starts['zwei']![i]}">zwei</a>.</p>`,
    }));
    expect((await ingestFeedItems(db, source, { items, title: null }, now.toISOString())).inserted).toBe(10);
    // Per merge: the entries of the smaller debate moved, the debate pointed at the larger, and
    // the larger recounted once as the part writes its counts. Before, each merge wrote what the
    // part held (the new post's edges, its conversation, the edges it found) and the counts held
    // of both debates, read the conversations of the post's ends again and recounted the larger
    // at once: 8.3 statements a post on both databases; now 4.6.
    expect(statements / items.length).toBeLessThanOrEqual(5);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(live).toHaveLength(10);
    for (const c of live) expect(c).toMatchObject({ entry_count: 3, post_count: 3, blog_count: 3, author_count: 3 });
    await expectCountsMatchRecount(database);
  });

  it('stores the same rows when posts that merge debates come in one part as when each comes alone', async () => {
    await inTwoFreshDatabases(async (one, other) => {
      const rowsAfter = async (db: typeof database.db, alone: boolean) => {
        const sources: Source[] = [];
        for (const name of ['eins', 'zwei', 'drei']) {
          sources.push(await exampleFeed(db, name));
        }
        const base = wordPressItems(1, 'http://nowhere.example/')[0]!;
        const post = (name: string, i: number, links: string[], hour: number): FeedItem => ({
          ...base,
          guid: `${name}-${i}`,
          url: `http://${name}.example/p${i}/`,
          authorName: name,
          publishedAt: new Date(Date.UTC(2026, 2, 2, hour)).toISOString(),
          commentCount: i,
          contentHtml: `<p>${links.map((l) => `<a href="http://${l}/">x</a>`).join(' ') || 'Start'}</p>`,
          commentFeeds: [],
        });
        for (const [k, name] of ['eins', 'zwei'].entries()) {
          await ingestFeedItems(db, sources[k]!, { items: [0, 1, 2].map((i) => post(name, i, [], i)), title: null }, now.toISOString());
        }
        // In the order they are stored: 1 merges two debates, 2 joins the merged one, 3 merges two
        // more, 4 merges the two merged ones, 5 joins a debate of its own.
        const items = [
          post('drei', 1, ['eins.example/p0', 'zwei.example/p0'], 11),
          post('drei', 2, ['eins.example/p0'], 12),
          post('drei', 3, ['zwei.example/p1', 'eins.example/p1'], 13),
          post('drei', 4, ['eins.example/p0', 'zwei.example/p1'], 14),
          post('drei', 5, ['eins.example/p2'], 15),
        ];
        if (alone) for (const item of items) await ingestFeedItems(db, sources[2]!, { items: [item], title: null }, now.toISOString());
        else await ingestFeedItems(db, sources[2]!, { items, title: null }, now.toISOString());
        return rowsOf(db, ['entries', 'edges', 'conversations']);
      };
      const together = await rowsAfter(one.db, false);
      expect(await rowsAfter(other.db, true)).toEqual(together);
      const live = (await one.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute()).map((c) => c.entry_count).sort();
      expect(live).toEqual([1, 2, 8]);
      await expectCountsMatchRecount(one);
    });
  });

  it('counts entries that join, merge and join again within one part as a recount does', async () => {
    const stores = [];
    for (const name of ['eins', 'zwei']) {
      const src = await exampleFeed(database.db, name);
      const item = { ...wordPressItems(1, 'http://nowhere.example/')[0]!, guid: name, url: `http://${name}.example/p/`, authorName: name, contentHtml: '<p>Start</p>' };
      await ingestFeedItems(database.db, src, { items: [item, { ...item, guid: `${name}-2`, url: `http://${name}.example/p2/`, contentHtml: `<p><a href="http://${name}.example/p/">zurück</a></p>` }], title: null }, now.toISOString());
      stores.push(`http://${name}.example/p/`);
    }
    const link = (hrefs: string[]) => hrefs.map((h) => `<a href="${h}">x</a>`).join(' ');
    const base = wordPressItems(1, 'http://nowhere.example/')[0]!;
    const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h)).toISOString();
    // Newest first, as a feed lists them: stored oldest first. `c` merges the two debates, the
    // second into the first; `e` then joins the second's post, which moved with it.
    const items: FeedItem[] = [
      { ...base, guid: 'e', url: `${origin}/e/`, publishedAt: at(5), authorName: 'E', contentHtml: `<p>${link([stores[1]!])}</p>` },
      { ...base, guid: 'd', url: `${origin}/d/`, publishedAt: at(4), authorName: 'D', contentHtml: `<p>${link([stores[0]!])}</p>` },
      { ...base, guid: 'c', url: `${origin}/c/`, publishedAt: at(3), authorName: 'C', contentHtml: `<p>${link(stores)}</p>` },
      { ...base, guid: 'b', url: `${origin}/b/`, publishedAt: at(2), authorName: 'B', contentHtml: `<p>${link([stores[1]!])}</p>` },
      { ...base, guid: 'a', url: `${origin}/a/`, publishedAt: at(1), authorName: 'A', contentHtml: `<p>${link([stores[0]!])}</p>` },
    ];
    expect((await ingestFeedItems(database.db, source, { items, title: null }, now.toISOString())).inserted).toBe(5);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ entry_count: 9, blog_count: 3, author_count: 7 });
    await expectCountsMatchRecount(database);
  });
});
