import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { mergeConversation, tombstoneLinkback } from '../../src/store/conversation-union.ts';
import { findConversationIdOfEntry } from '../../src/store/conversations.ts';
import { existsFeedScope, findFeedVersion, listEntryScopes, listFeedEntries } from '../../src/store/feed-items.ts';
import { insertSource } from '../../src/store/sources.ts';
import { addEntryChannel, updateSameAs } from '../../src/store/threads.ts';
import { createTestDatabase } from '../support/db.ts';
import { storeGraph } from '../support/store-graph.ts';

let database: OpenedDatabase;
let graph: ReturnType<typeof storeGraph>;
const day = (n: number) => `2008-11-${String(n).padStart(2, '0')}T00:00:00.000Z`;
const all = { kind: 'all' } as const;

beforeEach(async () => {
  database = await createTestDatabase();
  graph = storeGraph(database.db);
});
afterEach(async () => {
  await database.close();
});

const conversationOf = async (entryId: number) => (await findConversationIdOfEntry(database.db, entryId))!;

/**
 * A debate across two blogs: a post, a comment on it, a reply to the comment, and a post on
 * another blog that answers by pingback (its ping record merged into it).
 */
async function debate() {
  const home = await graph.blog('http://sachar.example/');
  const away = await graph.blog('http://kuhn.example/');
  const post = await graph.entry({ name: 'post', blogId: home, at: day(1) });
  const comment = await graph.entry({ name: 'comment', blogId: home, kind: 'comment', via: 'comment-feed', at: day(2), answers: [['comment-of', post]] });
  const reply = await graph.entry({ name: 'reply', blogId: home, kind: 'comment', via: 'comment-feed', at: day(3), answers: [['comment-of', post], ['reply-to', comment]] });
  const answer = await graph.entry({ name: 'answer', blogId: away, at: day(4) });
  const record = await graph.entry({ name: 'record', blogId: away, kind: 'pingback', via: 'pingback', at: day(4), sourceKey: 'graph.example/answer', recordOf: answer, answers: [['linkback', post]] });
  return { home, away, post, comment, reply, answer, record };
}

describe('listFeedEntries', () => {
  it('lists the shown entries of a scope newest first, never a ping record or a held entry, up to the limit', async () => {
    const { home, post, comment, reply, answer } = await debate();
    const lone = await graph.entry({ name: 'lone', blogId: home, at: day(4) });
    await graph.entry({ name: 'held', blogId: home, at: day(9), held: true });
    const ids = async (scope: Parameters<typeof listFeedEntries>[1], limit = 10) => (await listFeedEntries(database.db, scope, limit)).map((e) => e.id);
    // answer and lone share a date: the later id comes first.
    expect(await ids(all)).toEqual([lone, answer, reply, comment, post]);
    expect(await ids(all, 2)).toEqual([lone, answer]);
    expect(await ids({ kind: 'blog', id: home })).toEqual([lone, reply, comment, post]);
    expect(await ids({ kind: 'conversation', id: await conversationOf(post) })).toEqual([answer, reply, comment, post]);
    expect(await ids({ kind: 'blog', id: 999_999 })).toEqual([]);
  });

  it('gives each item its channels (its ping records included), what it answers, its post and its blog with its feed', async () => {
    const { home, post, comment, reply, answer } = await debate();
    await insertSource(database.db, { blogId: home, entryId: null, kind: 'feed', url: 'http://sachar.example/feed/', nextCheckAt: day(1) }, day(1));
    await insertSource(database.db, { blogId: home, entryId: null, kind: 'feed', url: 'http://sachar.example/feed/atom/', nextCheckAt: day(1) }, day(1));
    const items = new Map((await listFeedEntries(database.db, all, 10)).map((e) => [e.id, e]));
    const ref = (id: number, name: string, kind = 'post') => ({ id, kind, title: `Title ${name}`, url: `http://graph.example/${name}/`, authorName: null });

    expect(items.get(post)).toMatchObject({
      kind: 'post', conversationId: await conversationOf(post), via: ['feed'], parent: null, post: null,
      blog: { id: home, title: 'Blog http://sachar.example/', homeUrl: 'http://sachar.example/', feedUrl: 'http://sachar.example/feed/' },
    });
    expect(items.get(comment)).toMatchObject({ via: ['comment-feed'], parent: ref(post, 'post'), post: ref(post, 'post'), replyCount: 0 });
    // An explicit reply outranks the post it is on; the post stays its post.
    expect(items.get(reply)).toMatchObject({ parent: ref(comment, 'comment', 'comment'), post: ref(post, 'post') });
    // The answering post carries its record's pingback channel and its linkback.
    expect(items.get(answer)).toMatchObject({ via: ['feed', 'pingback'], parent: ref(post, 'post'), post: null, blog: { feedUrl: null } });
  });

  it('counts the distinct entries answering a post, through its ping records, and not the post itself', async () => {
    const { post, answer } = await debate();
    const edge = (from: number, type: 'links-to' | 'reply-to', to: number) => ({ from_entry_id: from, type, target: `entry:${to}`, to_entry_id: to, to_url: null, created_at: graph.now() });
    // An entry linking to the answering post and to its record counts once toward that post.
    const answerRecord = (await database.db.selectFrom('entries').select('id').where('same_as_id', '=', answer).executeTakeFirstOrThrow()).id;
    const third = await graph.entry({ name: 'third', at: day(5), answers: [['links-to', answerRecord]] });
    await database.db.insertInto('edges').values([edge(third, 'links-to', answer), edge(post, 'reply-to', post), edge(answer, 'links-to', post)]).execute();
    const items = new Map((await listFeedEntries(database.db, all, 10)).map((e) => [e.id, e]));
    // comment, reply and answer (by its record's pingback and by its own link: once) answer the post.
    expect(items.get(post)?.replyCount).toBe(3);
    expect(items.get(answer)?.replyCount).toBe(1);
    // A target that is a record stands for the post it merged into; an edge to itself answers nothing.
    expect(items.get(third)?.parent?.id).toBe(answer);
    expect(items.get(post)?.parent).toBeNull();
  });

  it("lets an item's own statements outrank its ping record's, whichever is read first", async () => {
    const first = await graph.entry({ name: 'first', at: day(1) });
    const second = await graph.entry({ name: 'second', at: day(1) });
    // The record (a trackback that came as a comment on the first post) is stored before its node.
    const record = await graph.entry({ name: 'record', kind: 'comment', via: 'comment-feed', at: day(2), sourceKey: 'graph.example/node', answers: [['comment-of', first]] });
    const node = await graph.entry({ name: 'node', kind: 'comment', at: day(2), answers: [['comment-of', second]] });
    await updateSameAs(database.db, record, node);
    const item = (await listFeedEntries(database.db, all, 10)).find((e) => e.id === node);
    expect([item?.parent?.id, item?.post?.id]).toEqual([second, second]);
  });

  it("drops a taken-down record's channel and dates an item by its newest change, its records' and channels' included", async () => {
    const { answer, record } = await debate();
    const before = (await listFeedEntries(database.db, all, 10)).find((e) => e.id === answer)!;
    await tombstoneLinkback(database.db, record, graph.now());
    const after = (await listFeedEntries(database.db, all, 10)).find((e) => e.id === answer)!;
    expect(after.via).toEqual(['feed']);
    expect(after.lastChangedAt > before.lastChangedAt).toBe(true);

    // A record changing alone (its conversation as it was) still dates the item.
    await database.db.updateTable('entries').set({ changed_at: '2029-01-01T00:00:00.000Z' }).where('id', '=', record).execute();
    expect((await listFeedEntries(database.db, all, 10)).find((e) => e.id === answer)?.lastChangedAt).toBe('2029-01-01T00:00:00.000Z');

    const late = '2030-01-01T00:00:00.000Z';
    await addEntryChannel(database.db, answer, 'webmention', null, late);
    expect((await listFeedEntries(database.db, all, 10)).find((e) => e.id === answer)?.lastChangedAt).toBe(late);
  });
});

describe('findFeedVersion', () => {
  it("changes when a scope's entries change, and only for the scopes they are in", async () => {
    const { home, away, post } = await debate();
    const conversation = { kind: 'conversation', id: await conversationOf(post) } as const;
    const versions = async () => [await findFeedVersion(database.db, all), await findFeedVersion(database.db, { kind: 'blog', id: home }), await findFeedVersion(database.db, { kind: 'blog', id: away }), await findFeedVersion(database.db, conversation)];
    const first = await versions();
    expect(new Set(first).size).toBe(4);

    await graph.entry({ name: 'new', blogId: home, at: day(9) });
    const second = await versions();
    expect([second[0] !== first[0], second[1] !== first[1], second[2] !== first[2], second[3] !== first[3]]).toEqual([true, true, false, false]);

    await graph.entry({ name: 'joins', blogId: away, at: day(9), answers: [['links-to', post]] });
    const third = await versions();
    expect([third[0] !== second[0], third[1] !== second[1], third[2] !== second[2], third[3] !== second[3]]).toEqual([true, false, true, true]);
    expect(await findFeedVersion(database.db, { kind: 'conversation', id: 999_999 })).toBe('c999999::0');
  });
});

describe('listEntryScopes and existsFeedScope', () => {
  it('names the surviving conversations and the blogs of entries, each once', async () => {
    const { home, away, post, comment, answer } = await debate();
    const small = await graph.entry({ name: 'small', at: day(5) });
    const held = await graph.entry({ name: 'held', blogId: home, at: day(5), held: true });
    const smallConversation = await conversationOf(small);
    await mergeConversation(database.db, smallConversation, await conversationOf(post), graph.now());
    // A row still naming the conversation that merged away (as one read before the merge does).
    await database.db.updateTable('entries').set({ conversation_id: smallConversation }).where('id', '=', small).execute();
    const scopes = await listEntryScopes(database.db, [post, comment, answer, small, held, 999_999]);
    expect(scopes.conversationIds).toEqual([await conversationOf(post)]);
    expect(scopes.blogIds.sort((a, b) => a - b)).toEqual([home, away]);
    expect(await listEntryScopes(database.db, [])).toEqual({ conversationIds: [], blogIds: [] });

    expect(await existsFeedScope(database.db, 'blog', home)).toBe(true);
    expect(await existsFeedScope(database.db, 'blog', 999_999)).toBe(false);
    expect(await existsFeedScope(database.db, 'conversation', await conversationOf(post))).toBe(true);
    expect(await existsFeedScope(database.db, 'conversation', smallConversation)).toBe(false);
    expect(await existsFeedScope(database.db, 'conversation', 999_999)).toBe(false);
  });
});
