import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { RoundupState, type EntryKind } from '../../src/domain/vocabulary.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { findCountedPost } from '../../src/store/comment-gaps.ts';
import { joinConversations } from '../../src/store/conversation-union.ts';
import { takeEntryIds } from '../../src/store/dialect.ts';
import type { NewEntryRow } from '../../src/store/entries.ts';
import { addNewEntryChannel, holdEntryChannels, writeHeldChannels } from '../../src/store/held-channels.ts';
import {
  heldConversationOf,
  heldEdgesFrom,
  heldEntryRow,
  holdEdgesPointedAt,
  holdNewEdges,
  holdNewEntryConversation,
  holdNewEntryRows,
  holdsCommentsOf,
  holdsEntriesOf,
  holdThreadingWrites,
  moveHeldEntries,
  writeHeldThreading,
} from '../../src/store/held-threading.ts';
import { findRoundupState, updateRoundupState } from '../../src/store/threads.ts';
import { listLengthsKept } from '../../src/store/prepared.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import { countStarting, recordStatements } from '../support/statements.ts';

const now = '2026-03-01T12:00:00.000Z';
let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await database.close();
});

async function blogFeed(name: string, kind: Source['kind'] = 'feed', entryId: number | null = null): Promise<Source> {
  const blog = await insertBlog(database.db, { homeUrl: `http://${name}.example/`, urlKey: `${name}.example`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
  return insertSource(database.db, { blogId: blog.id, kind, url: `http://${name}.example/${kind}/`, nextCheckAt: now, ...(entryId !== null ? { entryId } : {}) }, now);
}

function item(name: string, id: string, hour: number, contentHtml: string, extra: Partial<FeedItem> = {}): FeedItem {
  return {
    guid: `http://${name}.example/?p=${id}`, url: `http://${name}.example/${id}/`, title: `Beitrag ${id}`, authorName: `Autor ${id}`, authorUrl: null,
    contentHtml, summaryHtml: null, publishedAt: new Date(Date.UTC(2026, 2, 1, hour)).toISOString(), updatedAt: null, commentsPageUrl: null,
    commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: `http://${name}.example/`, lang: 'de', ...extra,
  };
}

const link = (href: string) => `<a href="${href}">x</a>`;

/** The row of a new entry as a part of a feed holds it (holdNewEntryRows). */
function heldRow(blogId: number, id: string, kind: EntryKind, extra: Partial<FeedItem> = {}): NewEntryRow {
  return { blogId, draft: draftEntry(item('eins', id, 2, `<p>${id}</p>`, extra), kind, new Date(now)), derived: { contentText: id }, threading: { sourceKey: null, roundup: RoundupState.None, targetUrl: null } };
}

/**
 * A source of a blog (the blog made on first use) and feeds stored through it, for comparing the
 * same feeds stored with a part's writes held and item by item (an item named twice makes a part
 * store item by item).
 */
function storing(db: OpenedDatabase['db'], itemByItem: boolean) {
  const blog = async (name: string, kind: Source['kind'] = 'feed', entryId: number | null = null) => {
    const found = await db.selectFrom('blogs').select('id').where('url_key', '=', `${name}.example`).executeTakeFirst();
    const id = found?.id ?? (await insertBlog(db, { homeUrl: `http://${name}.example/`, urlKey: `${name}.example`, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now)).id;
    return insertSource(db, { blogId: id, kind, url: `http://${name}.example/${kind}/${entryId ?? ''}`, nextCheckAt: now, ...(entryId !== null ? { entryId } : {}) }, now);
  };
  const ingest = (source: Source, items: FeedItem[]) => ingestFeedItems(db, source, { items: itemByItem ? [...items, items[0]!] : items, title: null }, now);
  return { blog, ingest };
}

/** Stores the same feeds with a part's writes held (this test's database) and item by item (another): the same rows. */
async function expectHeldAsItemByItem(storeAll: (db: OpenedDatabase['db'], itemByItem: boolean) => Promise<Awaited<ReturnType<typeof rows>>>) {
  const other = await createTestDatabase();
  try {
    const held = await storeAll(database.db, false);
    expect(held).toEqual(await storeAll(other.db, true));
    return held;
  } finally {
    await other.close();
  }
}

/** Every row of the tables threading writes, sorted, ids and times included. */
async function rows(db: OpenedDatabase['db']) {
  const out: Record<string, string[]> = {};
  for (const table of ['entries', 'edges', 'conversations', 'entry_channels'] as const) out[table] = (await db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return out;
}

describe('held threading writes', () => {
  it('are held only within a transaction', () => {
    expect(() => holdThreadingWrites(database.db)).toThrow(/only within a transaction/);
    expect(holdNewEntryConversation(database.db, 1, 1)).toBe(false);
    expect(holdEdgesPointedAt(database.db, [{ id: 1, type: 'links-to' }], 1)).toBe(false);
  });

  it('keep the edges of new entries until written, each written with the entry that found it, and in the order they came', async () => {
    const feed = await blogFeed('eins');
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>'), item('eins', 'b', 2, '<p>B</p>')], title: null }, now);
    const [a, b] = await database.db.selectFrom('entries').select('id').orderBy('id').execute();
    const row = (from: number, target: string, to: number | null) => ({ from, type: 'links-to' as const, target, to, toUrl: null, createdAt: now, toSite: null });
    const { sql } = await recordStatements(() =>
      database.db.transaction().execute(async (trx) => {
        holdThreadingWrites(trx);
        // An edge named twice is kept once; those without a target wait, with a stand-in id.
        const waiting = holdNewEdges(trx, [row(a!.id, 'url:x.example/1', null), row(a!.id, 'url:x.example/1', null), row(a!.id, 'url:eins.example/b', b!.id)])!;
        expect(waiting).toEqual([{ id: -1, type: 'links-to', target: 'url:x.example/1' }]);
        expect(heldEdgesFrom(trx, a!.id)?.map((e) => [e.target, e.to])).toEqual([
          ['url:x.example/1', null],
          ['url:eins.example/b', b!.id],
        ]);
        expect(heldEdgesFrom(trx, b!.id)).toBeUndefined();
        // A read needs them written (a flush); the stand-in still finds its edge afterwards.
        await writeHeldThreading(trx);
        expect(heldEdgesFrom(trx, a!.id)).toBeUndefined();
        expect(holdEdgesPointedAt(trx, waiting, b!.id)).toBe(true);
        const more = holdNewEdges(trx, [row(b!.id, 'url:x.example/2', null)])!;
        expect(holdEdgesPointedAt(trx, more, a!.id)).toBe(true);
        await writeHeldThreading(trx);
      }),
    );
    expect(countStarting(sql, 'insert into edges')).toBe(2);
    expect(countStarting(sql, 'update edges set to_entry_id')).toBe(1);
    const edges = await database.db.selectFrom('edges').select(['id', 'from_entry_id', 'target', 'to_entry_id']).where('from_entry_id', 'in', [a!.id, b!.id]).orderBy('id').execute();
    expect(edges.map(({ id: _id, ...e }) => e)).toEqual([
      { from_entry_id: a!.id, target: 'url:x.example/1', to_entry_id: b!.id },
      { from_entry_id: a!.id, target: 'url:eins.example/b', to_entry_id: b!.id },
      { from_entry_id: b!.id, target: 'url:x.example/2', to_entry_id: a!.id },
    ]);
  });

  it('keep a new entry’s conversation and its waiting edges in memory, follow a merge, and write them in one statement each', async () => {
    const feed = await blogFeed('eins');
    // Two debates, and a post whose link waits for a page not stored yet.
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>'), item('eins', 'b', 2, '<p>B</p>'), item('eins', 'w', 3, `<p>${link('http://zwei.example/later/')}</p>`)], title: null }, now);
    const entries = await database.db.selectFrom('entries').select(['id', 'url', 'conversation_id']).orderBy('id').execute();
    const [a, b, w] = entries;
    const edge = await database.db.selectFrom('edges').select(['id', 'type']).where('to_entry_id', 'is', null).executeTakeFirstOrThrow();

    const { sql } = await recordStatements(() =>
      database.db.transaction().execute(async (trx) => {
        holdThreadingWrites(trx);
        // `w` is put into a's debate and its waiting edge pointed at b; nothing is written yet.
        expect(holdNewEntryConversation(trx, w!.id, a!.conversation_id!)).toBe(true);
        expect(holdEdgesPointedAt(trx, [edge], b!.id)).toBe(true);
        expect(heldConversationOf(trx, w!.id)).toBe(a!.conversation_id);
        expect(holdsEntriesOf(trx, a!.conversation_id!)).toBe(true);
        expect(holdsEntriesOf(trx, a!.conversation_id!, w!.id)).toBe(false);
        // A links-to edge makes no comment of b; a comment-of edge would.
        expect(holdsCommentsOf(trx, b!.id)).toBe(false);
        // a's debate merges into b's: the held entry moves with it.
        moveHeldEntries(trx, a!.conversation_id!, b!.conversation_id!);
        expect(heldConversationOf(trx, w!.id)).toBe(b!.conversation_id);
        expect((await trx.selectFrom('entries').select('conversation_id').where('id', '=', w!.id).executeTakeFirstOrThrow()).conversation_id).toBe(w!.conversation_id);
        await writeHeldThreading(trx);
        expect(heldConversationOf(trx, w!.id)).toBeUndefined();
        // Nothing held any more: a second write sends nothing.
        await writeHeldThreading(trx);
      }),
    );
    expect(countStarting(sql, 'update entries set conversation_id')).toBe(1);
    expect(countStarting(sql, 'update edges set to_entry_id')).toBe(1);
    expect((await database.db.selectFrom('entries').select('conversation_id').where('id', '=', w!.id).executeTakeFirstOrThrow()).conversation_id).toBe(b!.conversation_id);
    expect((await database.db.selectFrom('edges').select('to_entry_id').where('id', '=', edge.id).executeTakeFirstOrThrow()).to_entry_id).toBe(b!.id);
  });

  it('write a part’s edges, conversations and the edges its entries found once for the part, not once per entry', async () => {
    const feed = await blogFeed('eins');
    // Newest first, each post answering the one before it: every post's edge waits for the next
    // item of the part, which finds it and joins the conversation the post joined (held).
    const items = Array.from({ length: 20 }, (_, i) => 20 - i).map((n) => item('eins', `p${n}`, n, `<p>${link(`http://eins.example/p${n - 1}/`)}</p>`));
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, feed, { items, title: null }, now));
    expect(result.inserted).toBe(20);
    // Before: an insert of its edges and of its conversation per entry, and an update of the
    // edge waiting for it (20, 20 and 19). The edges waiting for a later item are written with it.
    expect(countStarting(sql, 'insert into edges')).toBe(1);
    expect(countStarting(sql, 'update edges set to_entry_id')).toBe(0);
    // Each row written once, with the conversation it joined: before, the rows were inserted
    // first and their conversations written by an update of all twenty.
    expect(countStarting(sql, 'insert into entries')).toBe(1);
    expect(countStarting(sql, 'update entries')).toBe(0);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ entry_count: 20, post_count: 20 });
    expect(await database.db.selectFrom('edges').select('id').where('to_entry_id', 'is', null).execute()).toHaveLength(1);
    await expectCountsMatchRecount(database);
  });

  it('write a part’s many edges in statements of a length kept compiled, every edge written', async () => {
    const feed = await blogFeed('eins');
    // 40 posts with two links each: 80 edges, more than one statement of a kept length holds.
    const items = Array.from({ length: 40 }, (_, i) => item('eins', `p${i}`, 1 + (i % 20), `<p>${link(`http://zwei.example/a${i}/`)} ${link(`http://drei.example/b${i}/`)}</p>`));
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, feed, { items, title: null }, now));
    expect(result.inserted).toBe(40);
    const inserts = sql.filter((s) => s.replaceAll('"', '').toLowerCase().startsWith('insert into edges'));
    // Without parts, one insert of 80 rows, built and compiled anew on every such feed.
    expect(inserts.map((s) => s.split('), (').length)).toEqual([listLengthsKept, listLengthsKept, 80 - 2 * listLengthsKept]);
    expect(await database.db.selectFrom('edges').select('id').execute()).toHaveLength(80);
    await expectCountsMatchRecount(database);
  });

  it('write a comment feed’s part once, counting its comments toward the post’s reported count without writing them first', async () => {
    const feed = await blogFeed('eins');
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>', { commentCount: 12 })], title: null }, now);
    const post = await database.db.selectFrom('entries').select(['id', 'conversation_id']).executeTakeFirstOrThrow();
    const comments = await insertSource(database.db, { blogId: feed.blogId, kind: 'post-comments', url: 'http://eins.example/a/feed/', nextCheckAt: now, entryId: post.id }, now);
    // Newest first, each answering the one before it, the first the post: as WordPress lists them.
    const items = Array.from({ length: 10 }, (_, i) => 10 - i).map((n) =>
      item('eins', `a/#comment-${n}`, 1 + n, `<p>Kommentar ${n}</p>`, {
        guid: `http://eins.example/?p=a#comment-${n}`,
        url: `http://eins.example/a/#comment-${n}`,
        title: null,
        inReplyTo: [{ ref: n === 1 ? 'http://eins.example/?p=a' : `http://eins.example/?p=a#comment-${n - 1}`, href: null }],
      }),
    );
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, comments, { items, title: null }, now));
    expect(result.inserted).toBe(10);
    // Before: each comment's edges, its conversation and the edge waiting for it were written
    // before it was counted toward the post (10 inserts of edges).
    expect(countStarting(sql, 'insert into edges')).toBe(1);
    // The comments' rows written once, with their conversation, after they were counted.
    expect(countStarting(sql, 'insert into entries')).toBe(1);
    expect(countStarting(sql, 'update entries')).toBe(0);
    // The post's conversation is read and locked once for the part, not once per comment, and
    // the post itself (what it reports) read once.
    expect(countStarting(sql, 'select entries.id, entries.conversation_id') + countStarting(sql, 'select e.id, e.conversation_id')).toBe(1);
    expect(countStarting(sql, 'select id, kind, comment_count, conversation_id from entries')).toBe(1);
    const conversation = await database.db.selectFrom('conversations').selectAll().where('id', '=', post.conversation_id!).executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({ entry_count: 11, comment_count: 10, missing_count: 2 });
    await expectCountsMatchRecount(database);
  });

  it('thread answers to earlier entries of the same part, merges and comment threads inside one part as item by item', async () => {
    // The same feeds stored with the part's writes held (every item new) and item by item (an
    // item named twice makes a part store item by item): the same rows, ids and times included.
    const storeAll = async (db: OpenedDatabase['db'], itemByItem: boolean) => {
      const { blog, ingest } = storing(db, itemByItem);
      await ingest(await blog('zwei'), [item('zwei', 'x', 1, '<p>X</p>'), item('zwei', 'y', 2, '<p>Y</p>')]);
      // Oldest first: each later item answers an earlier one of the part (found threaded though
      // its conversation is held); `m` joins two debates the part started and merges them; `n`
      // links x and y, stored before, merging them into the part's debate.
      await ingest(await blog('eins'), [
        item('eins', 'a', 1, '<p>A</p>', { commentCount: 3 }),
        item('eins', 'b', 2, `<p>${link('http://eins.example/a/')}</p>`),
        item('eins', 'c', 3, '<p>C</p>'),
        item('eins', 'm', 4, `<p>${link('http://eins.example/b/')} ${link('http://eins.example/c/')}</p>`),
        item('eins', 'n', 5, `<p>${link('http://zwei.example/x/')} ${link('http://zwei.example/y/')} ${link('http://eins.example/m/')}</p>`),
        item('eins', 'o', 6, `<p>${link('http://eins.example/n/')}</p>`),
      ]);
      // A post's comment feed: replies to earlier comments of the same part, oldest first.
      const post = await db.selectFrom('entries').select('id').where('url', '=', 'http://eins.example/a/').executeTakeFirstOrThrow();
      const comment = (n: number, parent: number | null, hour: number): FeedItem =>
        item('eins', `a/#comment-${n}`, hour, `<p>Kommentar ${n}</p>`, {
          guid: `http://eins.example/?p=a#comment-${n}`,
          url: `http://eins.example/a/#comment-${n}`,
          title: null,
          inReplyTo: [{ ref: parent === null ? 'http://eins.example/?p=a' : `http://eins.example/?p=a#comment-${parent}`, href: null }],
        });
      await ingest(await blog('eins', 'post-comments', post.id), [comment(1, null, 7), comment(2, 1, 8), comment(3, 2, 9)]);
      return rows(db);
    };
    const held = await expectHeldAsItemByItem(storeAll);
    expect(held.entries).toHaveLength(11);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
    // a, b, c, m, n, o, x, y and the three comments: one debate.
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ entry_count: 11, post_count: 8, comment_count: 3, missing_count: 0 });
    await expectCountsMatchRecount(database);
  });

  it('hold a part’s new rows until written with their conversations, a roundup’s state among them, as item by item', async () => {
    const storeAll = async (db: OpenedDatabase['db'], itemByItem: boolean) => {
      const { blog, ingest } = storing(db, itemByItem);
      await ingest(await blog('zwei'), [item('zwei', 'x', 1, '<p>X</p>'), item('zwei', 'y', 2, '<p>Y</p>')]);
      // Oldest first: `r` is a roundup (more than four links) of x, y and the part's own `a`; the
      // first of its links to resolve (x) joins it to that debate and marks it joined, the others
      // join nothing (its state is read and changed while its row is held). `s` answers `r`.
      const roundup = ['http://zwei.example/x/', 'http://zwei.example/y/', 'http://eins.example/a/', 'http://drei.example/1/', 'http://drei.example/2/'].map(link).join(' ');
      await ingest(await blog('eins'), [item('eins', 'a', 3, '<p>A</p>'), item('eins', 'r', 4, `<p>${roundup}</p>`), item('eins', 's', 5, `<p>${link('http://eins.example/r/')}</p>`)]);
      return rows(db);
    };
    const held = await expectHeldAsItemByItem(storeAll);
    expect(held.entries).toHaveLength(5);
    const r = await database.db.selectFrom('entries').select(['id', 'is_roundup', 'conversation_id']).where('url', '=', 'http://eins.example/r/').executeTakeFirstOrThrow();
    expect(r.is_roundup).toBe(RoundupState.Joined);
    const live = await database.db.selectFrom('conversations').select(['id', 'entry_count']).where('merged_into_id', 'is', null).orderBy('id').execute();
    // x with r (its first link) and s; y and a alone: the roundup bridged nothing.
    expect(live.map((c) => c.entry_count).sort()).toEqual([1, 1, 3]);
    expect(live.find((c) => c.entry_count === 3)?.id).toBe(r.conversation_id);
    await expectCountsMatchRecount(database);
  });

  it('hold new rows under the ids taken for them, answering roundup reads from memory, and write each once with its conversation', async () => {
    const feed = await blogFeed('eins');
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>')], title: null }, now);
    const a = await database.db.selectFrom('entries').select(['id', 'conversation_id']).executeTakeFirstOrThrow();
    const draft = (id: string) => draftEntry(item('eins', id, 2, '<p>B</p>'), 'post', new Date(now));
    const { sql } = await recordStatements(() =>
      database.db.transaction().execute(async (trx) => {
        holdThreadingWrites(trx);
        const [b, c] = await takeEntryIds(trx, 2);
        expect([b, c]).toEqual([a.id + 1, a.id + 2]);
        const rowOf = (id: string) => ({ blogId: feed.blogId, draft: draft(id), derived: { contentText: 'B' }, threading: { sourceKey: null, roundup: RoundupState.Waiting, targetUrl: null } });
        holdNewEntryRows(trx, [{ id: b!, row: rowOf('b') }, { id: c!, row: rowOf('c') }], now);
        expect(heldEntryRow(trx, b!)?.draft.url).toBe('http://eins.example/b/');
        // Read and changed in memory; only a row still waiting becomes joined.
        expect(await findRoundupState(trx, b!)).toEqual({ roundup: RoundupState.Waiting, conversationId: null });
        expect(await updateRoundupState(trx, b!, RoundupState.Joined, RoundupState.Waiting)).toBe(true);
        expect(await updateRoundupState(trx, b!, RoundupState.Joined, RoundupState.Waiting)).toBe(false);
        expect(holdNewEntryConversation(trx, b!, a.conversation_id!)).toBe(true);
        expect(await findRoundupState(trx, b!)).toEqual({ roundup: RoundupState.Joined, conversationId: a.conversation_id });
        expect(await trx.selectFrom('entries').select('id').where('id', 'in', [b!, c!]).execute()).toEqual([]);
        await writeHeldThreading(trx);
        expect(heldEntryRow(trx, b!)).toBeUndefined();
        expect(heldConversationOf(trx, b!)).toBeUndefined();
      }),
    );
    expect(countStarting(sql, 'insert into entries')).toBe(1);
    expect(countStarting(sql, 'update entries')).toBe(0);
    const written = await database.db.selectFrom('entries').select(['id', 'url', 'is_roundup', 'conversation_id']).where('id', '>', a.id).orderBy('id').execute();
    expect(written).toEqual([
      { id: a.id + 1, url: 'http://eins.example/b/', is_roundup: RoundupState.Joined, conversation_id: a.conversation_id },
      { id: a.id + 2, url: 'http://eins.example/c/', is_roundup: RoundupState.Waiting, conversation_id: null },
    ]);
  });

  it('take ids after every id handed out, a deleted last entry’s included, and the entries stored after them follow them', async () => {
    const feed = await blogFeed('eins');
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>'), item('eins', 'b', 2, '<p>B</p>')], title: null }, now);
    const last = await database.db.selectFrom('entries').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await database.db.deleteFrom('entries').where('id', '=', last.id).execute();
    const taken = await database.db.transaction().execute((trx) => takeEntryIds(trx, 3));
    expect(taken).toEqual([last.id + 1, last.id + 2, last.id + 3]);
    // Rows written under taken ids move the ids handed out next past them.
    await database.db.transaction().execute(async (trx) => {
      holdThreadingWrites(trx);
      const [id] = await takeEntryIds(trx, 1);
      holdNewEntryRows(trx, [{ id: id!, row: { blogId: feed.blogId, draft: draftEntry(item('eins', 'c', 3, '<p>C</p>'), 'post', new Date(now)), derived: { contentText: 'C' } } }], now);
      await writeHeldThreading(trx);
    });
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'd', 4, '<p>D</p>')], title: null }, now);
    const ids = (await database.db.selectFrom('entries').select(['id', 'url']).orderBy('id').execute()).map((e) => e.url);
    expect(ids).toEqual(['http://eins.example/a/', 'http://eins.example/c/', 'http://eins.example/d/']);
    const [c, d] = await database.db.selectFrom('entries').select('id').where('url', 'in', ['http://eins.example/c/', 'http://eins.example/d/']).orderBy('id').execute();
    expect(d!.id).toBeGreaterThan(c!.id);
    expect(c!.id).toBeGreaterThan(last.id);
  });

  it('give a held new entry joining a stored debate no read of its own the debate, in its row', async () => {
    const feed = await blogFeed('eins');
    await ingestFeedItems(database.db, feed, { items: [item('eins', 'a', 1, '<p>A</p>')], title: null }, now);
    const a = await database.db.selectFrom('entries').select(['id', 'conversation_id']).executeTakeFirstOrThrow();
    await database.db.transaction().execute(async (trx) => {
      holdThreadingWrites(trx);
      const [b] = await takeEntryIds(trx, 1);
      holdNewEntryRows(trx, [{ id: b!, row: heldRow(feed.blogId, 'b', 'post') }], now);
      // a's debate was not read ahead for the part: the join reads it, and finds b in none yet.
      const arrival = { kind: 'post' as const, blogId: feed.blogId, authorUrl: null, authorName: 'Autor b', sortAt: '2026-03-01T02:00:00.000Z', title: 'Beitrag b', excerpt: null, commentCount: null, viaLinkback: false, answered: false, towardPost: false };
      expect(await joinConversations(trx, b!, [a.id], now, true, { arrival })).toBe(a.conversation_id);
      expect(heldConversationOf(trx, b!)).toBe(a.conversation_id);
      await writeHeldThreading(trx);
    });
    const b = await database.db.selectFrom('entries').select(['conversation_id']).where('url', '=', 'http://eins.example/b/').executeTakeFirstOrThrow();
    expect(b.conversation_id).toBe(a.conversation_id);
    await expectCountsMatchRecount(database);
  });

  it('find the post a held comment counts toward among the part’s held rows', async () => {
    const feed = await blogFeed('eins');
    await database.db.transaction().execute(async (trx) => {
      holdThreadingWrites(trx);
      const [p, c] = await takeEntryIds(trx, 2);
      holdNewEntryRows(trx, [{ id: p!, row: heldRow(feed.blogId, 'p', 'post', { commentCount: 5 }) }, { id: c!, row: heldRow(feed.blogId, 'c', 'comment') }], now);
      holdNewEdges(trx, [{ from: c!, type: 'comment-of', target: 'ref:http://eins.example/?p=p', to: p!, toUrl: null, createdAt: now, toSite: null }]);
      expect(await findCountedPost(trx, c!)).toEqual({ id: p, commentCount: 5, conversationId: null });
      await writeHeldThreading(trx);
    });
  });

  it('write held rows before the channels that name them', async () => {
    const feed = await blogFeed('eins');
    await database.db.transaction().execute(async (trx) => {
      holdThreadingWrites(trx);
      holdEntryChannels(trx);
      const [p] = await takeEntryIds(trx, 1);
      holdNewEntryRows(trx, [{ id: p!, row: heldRow(feed.blogId, 'p', 'post') }], now);
      await addNewEntryChannel(trx, p!, 'listing', now);
      // A read of listed pings writes the held channels, and the row they name with them.
      await writeHeldChannels(trx, ['listing']);
      expect(heldEntryRow(trx, p!)).toBeUndefined();
      expect(await trx.selectFrom('entry_channels').innerJoin('entries', 'entries.id', 'entry_channels.entry_id').select('entries.url').execute()).toEqual([{ url: 'http://eins.example/p/' }]);
      await writeHeldThreading(trx);
    });
  });

  it('read the stored debates a part’s posts join once for the part, not once per post', async () => {
    const zwei = await blogFeed('zwei');
    await ingestFeedItems(database.db, zwei, { items: Array.from({ length: 12 }, (_, i) => item('zwei', `z${i}`, 1 + i, `<p>Z${i}</p>`)), title: null }, now);
    // A stored post whose link waits for a post of the part, which reports comments of its own.
    const drei = await blogFeed('drei');
    await ingestFeedItems(database.db, drei, { items: [item('drei', 'd', 1, `<p>${link('http://eins.example/w/')}</p>`)], title: null }, now);
    const eins = await blogFeed('eins');
    // Each post answers another of zwei's debates; one is zwei's own author's.
    const items = [
      ...Array.from({ length: 12 }, (_, i) => item('eins', `p${i}`, 20 + i, `<p>${link(`http://zwei.example/z${i}/`)}</p>`, i === 3 ? { authorName: 'Autor z3' } : {})),
      item('eins', 'w', 40, '<p>W</p>', { commentCount: 3 }),
    ];
    const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, eins, { items, title: null }, now));
    expect(result.inserted).toBe(13);
    // Before: the conversation of each joined post read (and locked) and read again for its
    // counts as each post arrived: 13 of each.
    expect(countStarting(sql, 'select entries.id, entries.conversation_id') + countStarting(sql, 'select e.id, e.conversation_id')).toBe(1);
    expect(countStarting(sql, 'select c.*')).toBe(1);
    const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).orderBy('id').execute();
    expect(live).toHaveLength(13);
    expect(live.find((c) => c.entry_count === 2 && c.author_count === 1)).toBeDefined();
    expect(live.find((c) => c.missing_count === 3)).toMatchObject({ entry_count: 2, blog_count: 2 });
    await expectCountsMatchRecount(database);
  });

  it('join stored debates as item by item: blogs and authors already there, a post’s comments, merges and a stale read', async () => {
    const storeAll = async (db: OpenedDatabase['db'], itemByItem: boolean) => {
      const { blog, ingest } = storing(db, itemByItem);
      await ingest(await blog('zwei'), ['x', 'y', 'q', 'r', 's'].map((id, i) => item('zwei', id, 1 + i, `<p>${id}</p>`)));
      // eins takes part in y's debate already; drei's post waits for eins' w; a comment on x waits for eins' k.
      await ingest(await blog('eins'), [item('eins', 'e', 6, `<p>${link('http://zwei.example/y/')}</p>`), item('eins', 'f', 7, '<p>F</p>')]);
      await ingest(await blog('drei'), [item('drei', 'd', 8, `<p>${link('http://eins.example/w/')}</p>`), item('drei', 'g', 9, '<p>G</p>')]);
      const x = await db.selectFrom('entries').select('id').where('url', '=', 'http://zwei.example/x/').executeTakeFirstOrThrow();
      await ingest(await blog('zwei', 'post-comments', x.id), [
        item('zwei', 'x/#comment-1', 10, '<p>Kommentar</p>', { guid: 'http://zwei.example/?p=x#comment-1', url: 'http://zwei.example/x/#comment-1', title: null, authorName: 'Autor k', inReplyTo: [{ ref: 'http://eins.example/?p=k', href: null }] }),
        item('zwei', 'x/#comment-2', 11, '<p>Noch einer</p>', { guid: 'http://zwei.example/?p=x#comment-2', url: 'http://zwei.example/x/#comment-2', title: null, inReplyTo: [{ ref: 'http://zwei.example/?p=x', href: null }] }),
      ]);
      await ingest(await blog('eins'), [
        // x's own author, in x's debate; eins in y's debate already.
        item('eins', 'a', 12, `<p>${link('http://zwei.example/x/')}</p>`, { authorName: 'Autor x' }),
        item('eins', 'b', 13, `<p>${link('http://zwei.example/y/')}</p>`),
        // Answered by drei's stored post (a link, no comment) and by the stored comment.
        item('eins', 'w', 14, '<p>W</p>', { commentCount: 3 }),
        item('eins', 'k', 15, '<p>K</p>', { commentCount: 2 }),
        // Merges q's debate with x's; then q's again (its counts changed since they were read), r and s.
        item('eins', 'm', 16, `<p>${link('http://zwei.example/q/')} ${link('http://zwei.example/x/')}</p>`),
        item('eins', 'l', 16, `<p>${link('http://zwei.example/q/')}</p>`, { authorName: 'Autor q' }),
        item('eins', 'n', 17, `<p>${link('http://zwei.example/r/')}</p>`, { authorName: 'Autor r' }),
        item('eins', 'o', 18, `<p>${link('http://zwei.example/s/')} ${link('http://eins.example/f/')}</p>`),
      ]);
      return rows(db);
    };
    await expectHeldAsItemByItem(storeAll);
    await expectCountsMatchRecount(database);
  });
});
