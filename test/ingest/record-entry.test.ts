import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Channel, EntryKind } from '../../src/domain/vocabulary.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { findConversation, listConversationEntries, listConversations } from '../../src/store/conversations.ts';
import { countKnownComments, listCommentGapsOfBlog } from '../../src/store/comment-gaps.ts';
import { recordCommentCount, recordEntry } from '../../src/ingest/record-entry.ts';
import { tombstoneLinkback } from '../../src/store/conversation-union.ts';
import { linkbackRelations, relationsOf, type ArrivalContext } from '../../src/threading/relations.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;
let blogs: Record<'a' | 'b' | 'c' | 'links', number>;
let clock = 0;

function item(fields: Partial<FeedItem> & { url: string }): FeedItem {
  return {
    guid: null,
    title: null,
    authorName: null,
    authorUrl: null,
    contentHtml: null,
    summaryHtml: null,
    publishedAt: null,
    updatedAt: null,
    commentsPageUrl: null,
    commentFeeds: [],
    commentCount: null,
    inReplyTo: [],
    trackbackPingUrl: null,
    baseUrl: fields.url,
    lang: 'de',
    ...fields,
  };
}

async function record(blog: number | null, kind: EntryKind, it: FeedItem, context: Partial<ArrivalContext> = {}) {
  const via: Channel = context.via ?? (kind === 'post' ? 'feed' : 'comment-feed');
  const draft = draftEntry(it, kind);
  const relations = relationsOf(draft, { via, post: null, inReplyTo: it.inReplyTo, ...context });
  clock += 1;
  return recordEntry(database.db, { blogId: blog, draft, via: relations.kind === 'comment' || relations.kind === 'post' ? via : relations.kind, relations }, new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString());
}

const A = 'http://sachar.example/';
const B = 'http://planetsab.example/';
const C = 'http://freitag.example/';

const post = (home: string, slug: string, body = '<p>Text</p>', extra: Partial<Omit<FeedItem, 'url'>> = {}) =>
  item({ url: `${home}${slug}/`, guid: `${home}?p=${slug}`, title: `Post ${slug}`, authorName: 'Autor', contentHtml: body, publishedAt: '2008-11-12T08:00:00.000Z', ...extra });
const comment = (postUrl: string, n: number, author: string, body: string, extra: Partial<Omit<FeedItem, 'url'>> = {}) =>
  item({ url: `${postUrl}#comment-${n}`, guid: `${postUrl}#comment-${n}`, title: `Von: ${author}`, authorName: author, contentHtml: body, publishedAt: `2008-11-13T0${n % 10}:00:00.000Z`, ...extra });

async function conversationOf(entryId: number) {
  const all = await listConversations(database.db, { limit: 100 });
  for (const c of all) {
    const entries = await listConversationEntries(database.db, c.id);
    if (entries.some((e) => e.id === entryId)) return { conversation: c, entries };
  }
  return undefined;
}

beforeEach(async () => {
  database = await createTestDatabase();
  const now = '2026-01-01T00:00:00.000Z';
  const mk = async (home: string) =>
    (await insertBlog(database.db, { homeUrl: home, urlKey: home, title: home, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now)).id;
  blogs = { a: await mk(A), b: await mk(B), c: await mk(C), links: await mk('http://linkblog.example/') };
});

afterEach(async () => {
  await expectCountsMatchRecount(database);
  await database.close();
});

describe('recordEntry', () => {
  it('threads a comment that arrives before its post', async () => {
    const c1 = await record(blogs.a, 'comment', comment(`${A}idee/`, 1, 'Jens', '<p>Gute Idee!</p>'));
    const p = await record(blogs.a, 'post', post(A, 'idee'));
    const found = await conversationOf(p.id);
    expect(found?.entries.map((e) => e.id)).toEqual([p.id, c1.id]);
    expect(found?.entries[1]).toMatchObject({ inReplyToId: p.id, inReplyToType: 'comment-of', via: ['comment-feed'] });
    expect(await listConversations(database.db, { limit: 10 })).toHaveLength(1);
  });

  it('threads a reply that arrives before its parent comment (thr:in-reply-to ref)', async () => {
    const postUrl = `${B}exkurs/`;
    const p = await record(blogs.b, 'post', post(B, 'exkurs'));
    const reply = await record(blogs.b, 'comment', comment(postUrl, 2, 'Katrin', '<p>Genau.</p>', { inReplyTo: [{ ref: `${postUrl}#comment-1`, href: `${postUrl}#comment-1` }] }));
    const parent = await record(blogs.b, 'comment', comment(postUrl, 1, 'Jens', '<p>Erster!</p>', { inReplyTo: [{ ref: post(B, 'exkurs').guid, href: postUrl }] }));
    const { entries } = (await conversationOf(p.id))!;
    const byId = new Map(entries.map((e) => [e.id, e]));
    expect(byId.get(reply.id)).toMatchObject({ inReplyToId: parent.id, inReplyToType: 'reply-to' });
    expect(byId.get(parent.id)?.inReplyToId).toBe(p.id);
    expect(entries).toHaveLength(3);
  });

  it('joins a linking post and the post it links to, whichever comes first', async () => {
    const reply = await record(blogs.b, 'post', post(B, 'exkurs', `<p>Sachar hat <a href="https://www.sachar.example/idee">die Idee</a> gehabt.</p>`));
    const before = await listConversations(database.db, { limit: 10 });
    expect(before).toHaveLength(1);
    const original = await record(blogs.a, 'post', post(A, 'idee', '<p>Idee</p>', { publishedAt: '2008-11-11T08:00:00.000Z' }));
    const { conversation, entries } = (await conversationOf(original.id))!;
    expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining([original.id, reply.id]));
    expect(entries.find((e) => e.id === reply.id)).toMatchObject({ inReplyToId: original.id, inReplyToType: 'links-to' });
    expect(conversation).toMatchObject({ blogCount: 2, postCount: 2, title: 'Post idee' });
    expect(await listConversations(database.db, { limit: 10 })).toHaveLength(1);
  });

  it('merges two conversations when a post is edited to add a link, and the old one redirects', async () => {
    const a = await record(blogs.a, 'post', post(A, 'idee'));
    await record(blogs.a, 'comment', comment(`${A}idee/`, 1, 'Jens', '<p>Ja!</p>'));
    const b = await record(blogs.b, 'post', post(B, 'exkurs', '<p>Ohne Link.</p>'));
    expect(a.conversationId).not.toBe(b.conversationId);
    const edited = await record(blogs.b, 'post', post(B, 'exkurs', `<p>Jetzt mit <a href="${A}idee/">Link</a>.</p>`));
    expect(edited.outcome).toBe('updated');
    expect(await listConversations(database.db, { limit: 10 })).toHaveLength(1);
    // The larger conversation keeps its id; the other redirects to it.
    expect(edited.conversationId).toBe(a.conversationId);
    expect(await findConversation(database.db, b.conversationId)).toEqual({ mergedInto: a.conversationId });
  });

  it('reports comments the feed window hides (an 11th comment beyond the newest ten)', async () => {
    const p = await record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 11 }));
    for (let n = 1; n <= 10; n++) await record(blogs.a, 'comment', comment(`${A}idee/`, n + 1, `Leser ${n}`, '<p>Kommentar</p>'));
    expect((await conversationOf(p.id))!.conversation.missingCount).toBe(1);
    await record(blogs.a, 'comment', comment(`${A}idee/`, 1, 'Leser 0', '<p>Der erste</p>'));
    expect((await conversationOf(p.id))!.conversation.missingCount).toBe(0);
  });

  it('updates the gap when the post feed reports more comments later', async () => {
    const p = await record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 0 }));
    expect((await conversationOf(p.id))!.conversation.missingCount).toBe(0);
    await record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 3 }));
    expect((await conversationOf(p.id))!.conversation.missingCount).toBe(3);
  });

  it('moves the gap by the one post whose count changed, up and down, without recounting the debate', async () => {
    const idee = await record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 5 }));
    for (let n = 1; n <= 2; n++) await record(blogs.a, 'comment', comment(`${A}idee/`, n, `Leser ${n}`, '<p>Kommentar</p>'));
    await record(blogs.b, 'post', post(B, 'antwort', `<p><a href="${A}idee/">Idee</a></p>`, { commentCount: 4 }));
    const gap = async () => (await conversationOf(idee.id))!.conversation.missingCount;
    expect(await gap()).toBe(3 + 4);

    const rose = await recordStatements(() => record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 8 })));
    expect(rose.result.commentCountRose).toBe(true);
    expect(await gap()).toBe(6 + 4);
    // A recount reads every entry of the debate (its distinct blogs and authors among them).
    expect(rose.sql.filter((s) => /count\(distinct/i.test(s))).toEqual([]);
    // The count falls below the comments Palaver has (two were deleted at the blog): no gap of its own.
    const fell = await recordStatements(() => record(blogs.a, 'post', post(A, 'idee', '<p>x</p>', { commentCount: 1 })));
    expect(fell.sql.filter((s) => /count\(distinct/i.test(s))).toEqual([]);
    expect(await gap()).toBe(4);
    await expectCountsMatchRecount(database);

    // The same item unchanged but for its count, as a feed's part records it.
    const stored = (await conversationOf(idee.id))!;
    const at = new Date(Date.UTC(2026, 0, 2)).toISOString();
    await recordCommentCount(database.db, { id: idee.id, kind: 'post', commentCount: 1, conversationId: stored.conversation.id }, 9, at);
    expect(await gap()).toBe(7 + 4);
    expect((await conversationOf(idee.id))!.conversation.updatedAt).toBe(at);
    await recordCommentCount(database.db, { id: idee.id, kind: 'post', commentCount: 9, conversationId: stored.conversation.id }, 0, at);
    expect(await gap()).toBe(4);
    await expectCountsMatchRecount(database);
  });

  it('does not let a link roundup glue unrelated debates together', async () => {
    const one = await record(blogs.a, 'post', post(A, 'camp'));
    const two = await record(blogs.c, 'post', post(C, 'halloween'));
    const others = [];
    for (const slug of ['eins', 'zwei', 'drei', 'vier']) others.push(await record(blogs.b, 'post', post(B, slug)));
    const links = [`${A}camp/`, `${C}halloween/`, ...['eins', 'zwei', 'drei', 'vier'].map((s) => `${B}${s}/`)];
    const roundup = await record(blogs.links, 'post', post('http://linkblog.example/', 'woche', `<ul>${links.map((l) => `<li><a href="${l}">${l}</a></li>`).join('')}</ul>`));
    const conversationIds = new Set([one, two, ...others].map((r) => r.conversationId));
    // Every linked debate stays its own conversation; the roundup joins just one of them.
    const live = await listConversations(database.db, { limit: 100 });
    expect(live).toHaveLength(6);
    expect(conversationIds.has(roundup.conversationId)).toBe(true);
  });

  it('lets an ordinary reply that links to two posts of one debate join it', async () => {
    const a = await record(blogs.a, 'post', post(A, 'idee'));
    await record(blogs.b, 'post', post(B, 'exkurs', `<p><a href="${A}idee/">Idee</a></p>`));
    const c = await record(blogs.c, 'post', post(C, 'gerede', `<p><a href="${A}idee/">Sachar</a> und <a href="${B}exkurs/">planetsab</a></p>`));
    expect(c.conversationId).toBe(a.conversationId);
  });

  it('keeps one node for a post seen via its feed, as a pingback comment and in a listing', async () => {
    const target = await record(blogs.b, 'post', post(B, 'exkurs'));
    const sourceUrl = `${C}gerede/`;
    // WordPress shows the pingback as a comment on the target before Palaver polls the source.
    const pingComment = await record(
      blogs.b,
      'comment',
      comment(`${B}exkurs/`, 1191, 'Freitag » Social Media Camp: Viel Gerede', '[&#8230;] Social Media Camp hat sich noch nicht so viel getan [&#8230;]', { authorUrl: sourceUrl }),
    );
    let found = (await conversationOf(target.id))!;
    expect(found.entries.find((e) => e.id === pingComment.id)).toMatchObject({ kind: 'pingback', via: ['pingback'] });
    expect(found.conversation).toMatchObject({ entryCount: 2, postCount: 1, linkbackCount: 1 });

    const source = await record(blogs.c, 'post', post(C, 'gerede', `<p>Bei <a href="${B}exkurs/">planetsab</a> …</p>`));
    // A listing names the same source again.
    const listed = draftEntry(item({ url: sourceUrl, title: 'Viel Gerede' }), 'pingback');
    await recordEntry(
      database.db,
      { blogId: null, draft: listed, via: 'listing', relations: { kind: 'pingback', sourceKey: listed.urlKey, sourceUrl, relations: linkbackRelations(`${B}exkurs/`), isRoundup: false }, targetUrl: `${B}exkurs/` },
      '2026-01-02T00:00:00.000Z',
    );

    found = (await conversationOf(target.id))!;
    const nodes = found.entries.filter((e) => e.url?.includes('gerede') || e.authorUrl === sourceUrl);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ id: source.id, kind: 'post', inReplyToId: target.id });
    expect(new Set(nodes[0]!.via)).toEqual(new Set(['feed', 'pingback', 'listing']));
    // The post that pinged is an answer that arrived as a linkback: a reader counts it.
    expect(found.conversation).toMatchObject({ entryCount: 2, postCount: 2, linkbackCount: 1 });
    await expectCountsMatchRecount(database);

    // Records that are gone (their source stopped linking) no longer make the post a linkback.
    const records = await database.db.selectFrom('entries').select('id').where('same_as_id', '=', source.id).execute();
    expect(records.map((r) => r.id)).toContain(pingComment.id);
    for (const r of records) await tombstoneLinkback(database.db, r.id, '2026-01-03T00:00:00.000Z');
    expect((await conversationOf(target.id))!.conversation).toMatchObject({ entryCount: 2, postCount: 2, linkbackCount: 0 });
  });

  it('counts a ping WordPress lists as present once, whether it came as a comment, in the listing, or both', async () => {
    const target = await record(blogs.b, 'post', post(B, 'exkurs', '<p>Text</p>', { commentCount: 3 }));
    await record(blogs.b, 'comment', comment(`${B}exkurs/`, 1187, 'Jens', '<p>Gute Idee!</p>'));
    const missing = async () => (await conversationOf(target.id))!.conversation.missingCount;
    expect(await missing()).toBe(2);

    // The listing names a ping the comment feeds no longer show: it is one of the three.
    const sourceUrl = `${C}gerede/`;
    const listed = draftEntry(item({ url: sourceUrl, title: 'Viel Gerede' }), 'pingback');
    await recordEntry(
      database.db,
      { blogId: null, draft: listed, via: 'listing', relations: { kind: 'pingback', sourceKey: listed.urlKey, sourceUrl, relations: linkbackRelations(`${B}exkurs/`), isRoundup: false }, targetUrl: `${B}exkurs/` },
      '2026-01-02T00:00:00.000Z',
    );
    expect(await missing()).toBe(1);
    expect(await countKnownComments(database.db, target.id)).toBe(2);

    // The same ping shown as a comment is still that one ping.
    await record(blogs.b, 'comment', comment(`${B}exkurs/`, 1191, 'Freitag » Viel Gerede', '[&#8230;] Viel Gerede [&#8230;]', { authorUrl: sourceUrl }));
    expect(await countKnownComments(database.db, target.id)).toBe(2);
    expect(await missing()).toBe(1);
    expect(await listCommentGapsOfBlog(database.db, blogs.b)).toEqual([expect.objectContaining({ postId: target.id, reported: 3, known: 2, missing: 1 })]);
  });

  it('changes nothing when the same entries arrive again', async () => {
    const p = await record(blogs.a, 'post', post(A, 'idee'));
    await record(blogs.a, 'comment', comment(`${A}idee/`, 1, 'Jens', '<p>Ja</p>'));
    const again = await record(blogs.a, 'post', post(A, 'idee'));
    expect(again).toMatchObject({ id: p.id, outcome: 'unchanged', conversationId: p.conversationId });
    const count = await database.db.selectFrom('edges').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await record(blogs.a, 'comment', comment(`${A}idee/`, 1, 'Jens', '<p>Ja</p>'));
    const after = await database.db.selectFrom('edges').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(count.n));
  });
});
