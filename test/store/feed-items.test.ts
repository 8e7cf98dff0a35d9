import { describe, expect, it, vi } from 'vitest';
import { mergeConversation, tombstoneLinkback } from '../../src/store/conversation-union.ts';
import { findConversationIdOfEntry } from '../../src/store/conversations.ts';
import { existsFeedScope, findFeedVersion, listEntryScopes, listFeedEntries } from '../../src/store/feed-items.ts';
import { insertSource } from '../../src/store/sources.ts';
import { findGroupBySlug, insertGroup, insertGroupMembers } from '../../src/store/groups.ts';
import { listGroupConversationIds } from '../../src/store/group-conversation-ids.ts';
import { addEntryChannel, updateSameAs } from '../../src/store/threads.ts';
import { day, storeDebate, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();
const all = { kind: 'all' } as const;

const conversationOf = async (entryId: number) => (await findConversationIdOfEntry(store.db, entryId))!;

const debate = () => storeDebate(store.graph);

describe('listFeedEntries', () => {
  it('lists the shown entries of a scope newest first, never a ping record or a held entry, up to the limit', async () => {
    const { home, post, comment, reply, answer } = await debate();
    const lone = await store.graph.entry({ name: 'lone', blogId: home, at: day(4) });
    await store.graph.entry({ name: 'held', blogId: home, at: day(9), held: true });
    const ids = async (scope: Parameters<typeof listFeedEntries>[1], limit = 10) => (await listFeedEntries(store.db, scope, limit)).map((e) => e.id);
    // answer and lone share a date: the later id comes first.
    expect(await ids(all)).toEqual([lone, answer, reply, comment, post]);
    expect(await ids(all, 2)).toEqual([lone, answer]);
    expect(await ids({ kind: 'blog', id: home })).toEqual([lone, reply, comment, post]);
    expect(await ids({ kind: 'conversation', id: await conversationOf(post) })).toEqual([answer, reply, comment, post]);
    expect(await ids({ kind: 'blog', id: 999_999 })).toEqual([]);
  });

  it("lists a group's newest entries over its conversations, answers of other blogs included, however many conversations it has", async () => {
    const member = await store.graph.blog('http://member.example/');
    const other = await store.graph.blog('http://other.example/');
    await store.graph.blog('http://outside.example/');
    await insertGroup(store.db, { slug: 'camp', title: 'Camp', description: null, lang: null, event: null }, day(1));
    const group = (await findGroupBySlug(store.db, 'camp'))!;
    await insertGroupMembers(store.db, group.id, [member], day(1));
    const ids = async (limit: number) => (await listFeedEntries(store.db, { kind: 'group', slug: 'camp' }, limit)).map((e) => e.id);
    // Every entry of the group's conversations, newest first, ties by the later id: what the feed must show.
    const expected = async (limit: number) => {
      const inGroup = new Set(await listGroupConversationIds(store.db, group.id));
      const everything = await listFeedEntries(store.db, all, 100_000);
      return everything.filter((e) => inGroup.has(e.conversationId)).map((e) => e.id).slice(0, limit);
    };
    let n = 0;
    // Posts of the member, each answered by another blog, with dates that interleave and tie across
    // conversations; in every third, a ping record newer than all else, so that its newest shown
    // entry is older than its newest entry.
    const conversations = async (count: number) => {
      for (let i = 0; i < count; i++) {
        n += 1;
        const post = await store.graph.entry({ name: `p${n}`, blogId: member, at: day(1 + (n % 7)) });
        const answer = await store.graph.entry({ name: `a${n}`, blogId: other, kind: 'comment', via: 'comment-feed', at: day(1 + ((n * 3) % 9)), answers: [['comment-of', post]] });
        await store.graph.entry({ name: `o${n}`, blogId: other, at: day(1 + (n % 5)) });
        if (n % 3 === 0) await store.graph.entry({ name: `r${n}`, blogId: other, kind: 'pingback', via: 'pingback', at: day(12), recordOf: answer });
      }
    };
    await conversations(12);
    expect(await ids(20)).toHaveLength(20);
    for (const limit of [1, 2, 7, 20]) expect(await ids(limit)).toEqual(await expected(limit));
    // Fewer entries than asked for: all of them.
    expect(await ids(50)).toHaveLength(24);
    expect(await ids(50)).toEqual(await expected(50));
    await conversations(200);
    expect(await listGroupConversationIds(store.db, group.id)).toHaveLength(212);
    for (const limit of [1, 20, 50, 500]) expect(await ids(limit)).toEqual(await expected(limit));
    expect(await listFeedEntries(store.db, { kind: 'group', slug: 'none' }, 20)).toEqual([]);
  });

  it("reads a group's conversations newest first and stops at the first that no entry of can enter, not one before", async () => {
    const member = await store.graph.blog('http://member.example/');
    const other = await store.graph.blog('http://other.example/');
    await insertGroup(store.db, { slug: 'camp', title: 'Camp', description: null, lang: null, event: null }, day(1));
    await insertGroupMembers(store.db, (await findGroupBySlug(store.db, 'camp'))!.id, [member], day(1));
    const at = (time: string) => `2008-11-20T${time}:00.000Z`;
    const post = (name: string, time: string) => store.graph.entry({ name, blogId: member, at: at(time) });
    const comment = (name: string, time: string, on: number) => store.graph.entry({ name, blogId: other, kind: 'comment', via: 'comment-feed', at: at(time), answers: [['comment-of', on]] });
    // Older conversations, which no short feed reaches.
    const old: number[] = [];
    for (let i = 1; i <= 20; i++) old.unshift(await store.graph.entry({ name: `old${i}`, blogId: member, at: day(i) }));
    const a9 = await post('a9', '09:00');
    const [a8, a7, a6] = [await comment('a8', '08:00', a9), await comment('a7', '07:00', a9), await comment('a6', '06:00', a9)];
    const b = await post('b', '08:30');
    // Dated as a7 and a6, with later ids: each comes before them.
    const c7 = await post('c7', '07:00');
    const c3 = await comment('c3', '03:00', c7);
    const d6 = await post('d6', '06:00');
    // g's newest entry is a ping record; its newest shown entry is older than all the others.
    const g = await post('g', '02:00');
    await store.graph.entry({ name: 'g-record', blogId: other, kind: 'pingback', via: 'pingback', at: at('09:30'), recordOf: g });
    // h's newest entry was taken down, and is shown (marked as gone) as in every feed.
    const h1 = await post('h1', '01:00');
    const h = await comment('h', '08:45', h1);
    await store.db.updateTable('entries').set({ tombstoned_at: at('10:00') }).where('id', '=', h).execute();

    const conversationIds = new Set(await listGroupConversationIds(store.db, { slug: 'camp' }));
    const read = vi.spyOn(store.db, 'executeQuery');
    const feed = async (limit: number) => {
      read.mockClear();
      const items = (await listFeedEntries(store.db, { kind: 'group', slug: 'camp' }, limit)).map((e) => e.id);
      // The conversations whose newest entries were read (the first value of each such statement).
      return { items, conversationsRead: read.mock.calls.filter(([q]) => 'parameters' in q && conversationIds.has(q.parameters[0] as number)).length };
    };
    // a, then h and b: their newest are newer than the third entry held; c's is older than b.
    expect(await feed(3)).toEqual({ items: [a9, h, b], conversationsRead: 3 });
    // a7 is the fifth held when c comes: c's newest has its date and a later id, and takes its place.
    expect(await feed(5)).toEqual({ items: [a9, h, b, a8, c7], conversationsRead: 4 });
    expect(await feed(7)).toEqual({ items: [a9, h, b, a8, c7, a7, d6], conversationsRead: 5 });
    expect((await feed(8)).items).toEqual([a9, h, b, a8, c7, a7, d6, a6]);
    // Fewer entries than asked for: all of them, the ping record not among them.
    expect((await feed(100)).items).toEqual([a9, h, b, a8, c7, a7, d6, a6, c3, g, h1, ...old]);
  });

  it('gives each item its channels (its ping records included), what it answers, its post and its blog with its feed', async () => {
    const { home, post, comment, reply, answer } = await debate();
    await insertSource(store.db, { blogId: home, entryId: null, kind: 'feed', url: 'http://sachar.example/feed/', nextCheckAt: day(1) }, day(1));
    await insertSource(store.db, { blogId: home, entryId: null, kind: 'feed', url: 'http://sachar.example/feed/atom/', nextCheckAt: day(1) }, day(1));
    const items = new Map((await listFeedEntries(store.db, all, 10)).map((e) => [e.id, e]));
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
    const edge = (from: number, type: 'links-to' | 'reply-to', to: number) => ({ from_entry_id: from, type, target: `entry:${to}`, to_entry_id: to, to_url: null, created_at: store.graph.now() });
    // An entry linking to the answering post and to its record counts once toward that post.
    const answerRecord = (await store.db.selectFrom('entries').select('id').where('same_as_id', '=', answer).executeTakeFirstOrThrow()).id;
    const third = await store.graph.entry({ name: 'third', at: day(5), answers: [['links-to', answerRecord]] });
    await store.db.insertInto('edges').values([edge(third, 'links-to', answer), edge(post, 'reply-to', post), edge(answer, 'links-to', post)]).execute();
    const items = new Map((await listFeedEntries(store.db, all, 10)).map((e) => [e.id, e]));
    // comment, reply and answer (by its record's pingback and by its own link: once) answer the post.
    expect(items.get(post)?.replyCount).toBe(3);
    expect(items.get(answer)?.replyCount).toBe(1);
    // A target that is a record stands for the post it merged into; an edge to itself answers nothing.
    expect(items.get(third)?.parent?.id).toBe(answer);
    expect(items.get(post)?.parent).toBeNull();
  });

  it("lets an item's own statements outrank its ping record's, whichever is read first", async () => {
    const first = await store.graph.entry({ name: 'first', at: day(1) });
    const second = await store.graph.entry({ name: 'second', at: day(1) });
    // The record (a trackback that came as a comment on the first post) is stored before its node.
    const record = await store.graph.entry({ name: 'record', kind: 'comment', via: 'comment-feed', at: day(2), sourceKey: 'graph.example/node', answers: [['comment-of', first]] });
    const node = await store.graph.entry({ name: 'node', kind: 'comment', at: day(2), answers: [['comment-of', second]] });
    await updateSameAs(store.db, record, node);
    const item = (await listFeedEntries(store.db, all, 10)).find((e) => e.id === node);
    expect([item?.parent?.id, item?.post?.id]).toEqual([second, second]);
  });

  it("drops a taken-down record's channel and dates an item by its newest change, its records' and channels' included", async () => {
    const { answer, record } = await debate();
    const before = (await listFeedEntries(store.db, all, 10)).find((e) => e.id === answer)!;
    await tombstoneLinkback(store.db, record, store.graph.now());
    const after = (await listFeedEntries(store.db, all, 10)).find((e) => e.id === answer)!;
    expect(after.via).toEqual(['feed']);
    expect(after.lastChangedAt > before.lastChangedAt).toBe(true);

    // A record changing alone (its conversation as it was) still dates the item.
    await store.db.updateTable('entries').set({ changed_at: '2029-01-01T00:00:00.000Z' }).where('id', '=', record).execute();
    expect((await listFeedEntries(store.db, all, 10)).find((e) => e.id === answer)?.lastChangedAt).toBe('2029-01-01T00:00:00.000Z');

    const late = '2030-01-01T00:00:00.000Z';
    await addEntryChannel(store.db, answer, 'webmention', null, late);
    expect((await listFeedEntries(store.db, all, 10)).find((e) => e.id === answer)?.lastChangedAt).toBe(late);
  });
});

describe('findFeedVersion', () => {
  it("changes when a scope's entries change, and only for the scopes they are in", async () => {
    const { home, away, post } = await debate();
    const conversation = { kind: 'conversation', id: await conversationOf(post) } as const;
    const versions = async () => [await findFeedVersion(store.db, all), await findFeedVersion(store.db, { kind: 'blog', id: home }), await findFeedVersion(store.db, { kind: 'blog', id: away }), await findFeedVersion(store.db, conversation)];
    const first = await versions();
    expect(new Set(first).size).toBe(4);

    await store.graph.entry({ name: 'new', blogId: home, at: day(9) });
    const second = await versions();
    expect([second[0] !== first[0], second[1] !== first[1], second[2] !== first[2], second[3] !== first[3]]).toEqual([true, true, false, false]);

    await store.graph.entry({ name: 'joins', blogId: away, at: day(9), answers: [['links-to', post]] });
    const third = await versions();
    expect([third[0] !== second[0], third[1] !== second[1], third[2] !== second[2], third[3] !== second[3]]).toEqual([true, false, true, true]);
    expect(await findFeedVersion(store.db, { kind: 'conversation', id: 999_999 })).toBe('c999999::0');
  });
});

describe('listEntryScopes and existsFeedScope', () => {
  it('names the surviving conversations and the blogs of entries, each once', async () => {
    const { home, away, post, comment, answer } = await debate();
    const small = await store.graph.entry({ name: 'small', at: day(5) });
    const held = await store.graph.entry({ name: 'held', blogId: home, at: day(5), held: true });
    const smallConversation = await conversationOf(small);
    await mergeConversation(store.db, smallConversation, await conversationOf(post), store.graph.now());
    // A row still naming the conversation that merged away (as one read before the merge does).
    await store.db.updateTable('entries').set({ conversation_id: smallConversation }).where('id', '=', small).execute();
    const scopes = await listEntryScopes(store.db, [post, comment, answer, small, held, 999_999]);
    expect(scopes.conversationIds).toEqual([await conversationOf(post)]);
    expect(scopes.blogIds.sort((a, b) => a - b)).toEqual([home, away]);
    expect(await listEntryScopes(store.db, [])).toEqual({ conversationIds: [], blogIds: [] });

    expect(await existsFeedScope(store.db, 'blog', home)).toBe(true);
    expect(await existsFeedScope(store.db, 'blog', 999_999)).toBe(false);
    expect(await existsFeedScope(store.db, 'conversation', await conversationOf(post))).toBe(true);
    expect(await existsFeedScope(store.db, 'conversation', smallConversation)).toBe(false);
    expect(await existsFeedScope(store.db, 'conversation', 999_999)).toBe(false);
  });
});
