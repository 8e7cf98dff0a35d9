import { describe, expect, it } from 'vitest';
import { mergeConversation, tombstoneLinkback } from '../../src/store/conversation-union.ts';
import {
  countConversations,
  findConversation,
  findConversationIdOfEntry,
  listConversationBlogs,
  listConversationEntries,
  listConversations,
  listConversationsOfBlog,
  listNewestEntryOf,
  readConversationShape,
} from '../../src/store/conversations.ts';
import { addEntryChannel, updateSameAs } from '../../src/store/threads.ts';
import { day, storeDebate, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();

const conversationOf = async (entryId: number) => (await findConversationIdOfEntry(store.db, entryId))!;
const setRank = (id: number, rank: number) => store.db.updateTable('conversations').set({ rank }).where('id', '=', id).execute();

const debate = () => storeDebate(store.graph);

describe('listConversations and countConversations', () => {
  it('lists live conversations best ranked first, ties newest first, paged by offset or by position', async () => {
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c', 'd']) ids.push(await conversationOf(await store.graph.entry({ name, at: day(1) })));
    const [a, b, c, d] = ids as [number, number, number, number];
    await setRank(a, 5);
    await setRank(b, 9);
    await setRank(c, 5);
    await setRank(d, 1);
    expect((await listConversations(store.db, { limit: 10 })).map((x) => x.id)).toEqual([b, c, a, d]);
    expect((await listConversations(store.db, { limit: 2, offset: 1 })).map((x) => x.id)).toEqual([c, a]);
    expect((await listConversations(store.db, { limit: 10, after: { rank: 5, id: c } })).map((x) => x.id)).toEqual([a, d]);
    expect(await countConversations(store.db)).toBe(4);
  });

  it('leaves out a conversation merged away and one without entries', async () => {
    const kept = await conversationOf(await store.graph.entry({ name: 'kept', at: day(1) }));
    const gone = await conversationOf(await store.graph.entry({ name: 'gone', at: day(1) }));
    const empty = await conversationOf(await store.graph.entry({ name: 'empty', at: day(1) }));
    await mergeConversation(store.db, gone, kept, store.graph.now());
    await store.db.updateTable('conversations').set({ entry_count: 0 }).where('id', '=', empty).execute();
    expect((await listConversations(store.db, { limit: 10 })).map((x) => x.id)).toEqual([kept]);
    expect(await countConversations(store.db)).toBe(1);
  });
});

describe('findConversation and findConversationIdOfEntry', () => {
  it('finds a conversation with its figures, and where a merged one went, through merges since', async () => {
    const { post } = await debate();
    const id = await conversationOf(post);
    const found = await findConversation(store.db, id);
    expect(found).toMatchObject({ conversation: { id, rootEntryId: post, title: 'Title post', postCount: 2, commentCount: 2, blogCount: 2, firstActivityAt: day(1), lastActivityAt: day(4) } });

    const first = await conversationOf(await store.graph.entry({ name: 'first', at: day(5) }));
    const second = await conversationOf(await store.graph.entry({ name: 'second', at: day(5) }));
    await mergeConversation(store.db, first, second, store.graph.now());
    await mergeConversation(store.db, second, id, store.graph.now());
    expect(await findConversation(store.db, first)).toEqual({ mergedInto: id });
    // A chain left by an older merge (first → second → the debate) still leads to the survivor.
    await store.db.updateTable('conversations').set({ merged_into_id: second }).where('id', '=', first).execute();
    expect(await findConversation(store.db, first)).toEqual({ mergedInto: id });
    expect(await findConversation(store.db, 999_999)).toBeUndefined();
  });

  it('finds the conversation an entry is in after its own merged away, and none for a held entry', async () => {
    const moved = await store.graph.entry({ name: 'moved', at: day(1) });
    const big = await store.graph.entry({ name: 'big', at: day(1) });
    const from = await conversationOf(moved);
    await mergeConversation(store.db, from, await conversationOf(big), store.graph.now());
    // An entry still naming the conversation that merged away (as a row read before the merge does) leads to the survivor.
    await store.db.updateTable('entries').set({ conversation_id: from }).where('id', '=', moved).execute();
    expect(await findConversationIdOfEntry(store.db, moved)).toBe(await conversationOf(big));
    expect(await findConversationIdOfEntry(store.db, await store.graph.entry({ name: 'held', at: day(1), held: true }))).toBeNull();
    expect(await findConversationIdOfEntry(store.db, 999_999)).toBeNull();
  });
});

describe('readConversationShape and listConversationEntries', () => {
  it('shows each node once in time order, with what it answers: its own reply first, else what its ping record says', async () => {
    const { post, comment, reply, answer } = await debate();
    const { outline } = await readConversationShape(store.db, await conversationOf(post));
    expect(outline).toEqual([
      { id: post, sortAt: day(1), inReplyToId: null, size: '<p>twelve chars</p>'.length },
      { id: comment, sortAt: day(2), inReplyToId: post, size: 0 },
      { id: reply, sortAt: day(3), inReplyToId: comment, size: 0 },
      { id: answer, sortAt: day(4), inReplyToId: post, size: 0 },
    ]);
  });

  it("lets an entry's own statement outrank its ping record's, whichever is read first", async () => {
    const post = await store.graph.entry({ name: 'post', at: day(1) });
    const comment = await store.graph.entry({ name: 'comment', kind: 'comment', at: day(2), answers: [['comment-of', post]] });
    // The record arrives before the post it merges into (a pingback before the feed is read).
    const record = await store.graph.entry({ name: 'record', kind: 'pingback', via: 'pingback', at: day(3), sourceKey: 'graph.example/answer', answers: [['linkback', post]] });
    const answer = await store.graph.entry({ name: 'answer', at: day(3), answers: [['links-to', comment]] });
    await updateSameAs(store.db, record, answer);
    const entries = await listConversationEntries(store.db, await conversationOf(post));
    // The record's linkback ranks above a body link, but the post's own link says what it answers.
    expect(entries.find((e) => e.id === answer)).toMatchObject({ inReplyToId: comment, inReplyToType: 'links-to' });
  });

  it('takes no edge to the entry itself or to an entry outside the conversation as what it answers', async () => {
    const { post, comment, reply } = await debate();
    const outside = await store.graph.entry({ name: 'outside', at: day(1) });
    const edge = (from: number, to: number) => ({ from_entry_id: from, type: 'reply-to' as const, target: `entry:${to}`, to_entry_id: to, to_url: null, created_at: store.graph.now() });
    // Both would outrank the comment-of and reply-to these entries have.
    await store.db.insertInto('edges').values([edge(comment, outside), edge(reply, reply)]).execute();
    await store.db.deleteFrom('edges').where('from_entry_id', '=', reply).where('type', '=', 'reply-to').where('to_entry_id', '=', comment).execute();
    const entries = await listConversationEntries(store.db, await conversationOf(post));
    expect(entries.filter((e) => e.id === comment || e.id === reply).map((e) => [e.id, e.inReplyToId, e.inReplyToType])).toEqual([
      [comment, post, 'comment-of'],
      [reply, post, 'comment-of'],
    ]);
  });

  it("lists entries with their channels, a node's ping records' channels included, in the order first seen", async () => {
    const { post, comment, answer, record } = await debate();
    const id = await conversationOf(post);
    const entries = await listConversationEntries(store.db, id);
    expect(entries.map((e) => [e.id, e.via, e.inReplyToType])).toEqual([
      [post, ['feed'], null],
      [comment, ['comment-feed'], 'comment-of'],
      [entries[2]!.id, ['comment-feed'], 'reply-to'],
      [answer, ['feed', 'pingback'], 'linkback'],
    ]);
    expect(entries[3]).toMatchObject({ title: 'Title answer', blog: { title: 'Blog http://kuhn.example/' } });
    // Channels are listed in the order the entry first came through them, not as stored.
    await addEntryChannel(store.db, post, 'listing', null, '2000-01-01T00:00:00.000Z');
    expect((await listConversationEntries(store.db, id))[0]?.via).toEqual(['listing', 'feed']);

    // A page of the conversation: only the entries asked for, their records' channels still with them.
    const shape = await readConversationShape(store.db, id);
    expect((await listConversationEntries(store.db, id, { ids: [answer, record, 999_999], shape })).map((e) => [e.id, e.via])).toEqual([[answer, ['feed', 'pingback']]]);
    expect(await listConversationEntries(store.db, id, { ids: [] })).toEqual([]);

    // A record of a ping that was taken down no longer lends its channel.
    await tombstoneLinkback(store.db, record, store.graph.now());
    expect((await listConversationEntries(store.db, id)).find((e) => e.id === answer)?.via).toEqual(['feed']);
    expect((await listConversationEntries(store.db, id, { ids: [answer] }))[0]?.via).toEqual(['feed']);
  });
});

describe('listNewestEntryOf, listConversationBlogs and listConversationsOfBlog', () => {
  it('finds the newest shown entry of each conversation, never a ping record', async () => {
    const { post, answer, record } = await debate();
    // The record is newer than anything, but it stands behind its post.
    await store.db.updateTable('entries').set({ sort_at: day(9) }).where('id', '=', record).execute();
    const lone = await store.graph.entry({ name: 'lone', at: day(2) });
    const newest = await listNewestEntryOf(store.db, [await conversationOf(post), await conversationOf(lone)]);
    expect(newest.get(await conversationOf(post))?.id).toBe(answer);
    expect(newest.get(await conversationOf(lone))?.id).toBe(lone);
    expect((await listNewestEntryOf(store.db, [])).size).toBe(0);
  });

  it('names the blogs taking part once each, by id, and not a blog that only has a ping record there', async () => {
    const { post, home, away } = await debate();
    const id = await conversationOf(post);
    expect((await listConversationBlogs(store.db, [id])).get(id)).toEqual([
      { id: home, title: 'Blog http://sachar.example/', homeUrl: 'http://sachar.example/' },
      { id: away, title: 'Blog http://kuhn.example/', homeUrl: 'http://kuhn.example/' },
    ]);
    const third = await store.graph.blog('http://third.example/');
    await store.graph.entry({ name: 'third-record', blogId: third, kind: 'pingback', at: day(5), sourceKey: 'graph.example/x', recordOf: post });
    expect((await listConversationBlogs(store.db, [id])).get(id)?.map((b) => b.id)).toEqual([home, away]);
    expect((await listConversationBlogs(store.db, [])).size).toBe(0);
  });

  it("lists a blog's conversations most recently active first, up to the limit", async () => {
    const blog = await store.graph.blog('http://sachar.example/');
    const old = await store.graph.entry({ name: 'old', blogId: blog, at: day(1) });
    const recent = await store.graph.entry({ name: 'recent', blogId: blog, at: day(5) });
    const middle = await store.graph.entry({ name: 'middle', blogId: blog, at: day(3) });
    await store.graph.entry({ name: 'elsewhere', blogId: await store.graph.blog('http://other.example/'), at: day(9) });
    // Only a record of this blog stands in this one.
    const foreign = await store.graph.entry({ name: 'foreign', at: day(8) });
    await store.graph.entry({ name: 'record', blogId: blog, kind: 'pingback', at: day(8), sourceKey: 'graph.example/r', recordOf: foreign });
    const list = await listConversationsOfBlog(store.db, blog, 10);
    expect(list.map((c) => c.id)).toEqual([await conversationOf(recent), await conversationOf(middle), await conversationOf(old)]);
    expect((await listConversationsOfBlog(store.db, blog, 1)).map((c) => c.id)).toEqual([await conversationOf(recent)]);
  });
});

describe('readConversationShape of a big debate', () => {
  // A post and 1,199 comments on it, stored directly: three parts of 500 ids.
  async function bigDebate(size: number, minuteOf = (i: number) => size - i) {
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const blog = await store.db.insertInto('blogs').values({ home_url: 'http://big.example/', url_key: 'big.example', site: 'big.example', title: 'Big', created_at: at(0), updated_at: at(0) }).returning('id').executeTakeFirstOrThrow();
    const { id: conversationId } = await store.db.insertInto('conversations').values({ entry_count: size, created_at: at(0), updated_at: at(0) }).returning('id').executeTakeFirstOrThrow();
    const ids: number[] = [];
    for (let i = 0; i < size; i++) {
      const row = await store.db
        .insertInto('entries')
        .values({ blog_id: blog.id, kind: i === 0 ? 'post' : 'comment', identity: `e${i}`, url: `http://big.example/${i}`, url_key: `big.example/${i}`, content_html: '<p>x</p>', content_hash: `h${i}`, first_seen_at: at(0), changed_at: at(0), conversation_id: conversationId, sort_at: at(minuteOf(i)) })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
      if (i > 0) await store.db.insertInto('edges').values({ from_entry_id: row.id, type: 'comment-of', target: `url:big.example/0`, to_entry_id: ids[0]!, created_at: at(0) }).execute();
    }
    return { conversationId, ids };
  }

  it('reads the rows and edges in parts with the pause between them, the same as without it', async () => {
    const { conversationId, ids } = await bigDebate(1_200);
    let pauses = 0;
    const paced = await readConversationShape(store.db, conversationId, { pause: async () => void (pauses += 1) });
    // Before each of the three parts, twice while it works out what each entry answers, and once before its outline.
    expect(pauses).toBe(6);
    const plain = await readConversationShape(store.db, conversationId);
    expect(paced.outline).toEqual(plain.outline);
    // Newest stored first, so time order is the reverse of the ids; every comment answers the post.
    expect(paced.outline.map((o) => o.id)).toEqual([...ids].reverse());
    expect(paced.outline.filter((o) => o.inReplyToId === ids[0]).length).toBe(1_199);
    expect(paced.shape.edges.length).toBe(1_199);
  });

  it('reads the ids in steps of the time order, each id once, ties across steps by id', async () => {
    // Three times only, so a step ends among entries of the same time: the next one starts after the last id.
    const { conversationId, ids } = await bigDebate(4_500, (i) => (i === 0 ? 0 : 1 + (i % 3)));
    const steps: number[] = [];
    let pauses = 0;
    const read = await readConversationShape(store.db, conversationId, { pause: async () => void steps.push(++pauses) });
    const expected = [ids[0]!, ...[1, 2, 3].flatMap((m) => ids.filter((_, i) => i > 0 && 1 + (i % 3) === m))];
    expect(read.outline.map((o) => o.id)).toEqual(expected);
    // Two pauses between the three steps of ids, nine before the parts of rows, two after, one
    // within the 4,499 edges (after the first 4,096), and one before the outline.
    expect(pauses).toBe(2 + 9 + 2 + 1 + 1);
  });

  it('keeps an entry once when its time moves later while the ids are read', async () => {
    const { conversationId, ids } = await bigDebate(4_500);
    let pauses = 0;
    const read = await readConversationShape(store.db, conversationId, {
      pause: async () => {
        // After the first step of ids: the oldest comment, read there, becomes the newest.
        if (++pauses === 1) await store.db.updateTable('entries').set({ sort_at: '2027-01-01T00:00:00.000Z' }).where('id', '=', ids.at(-1)!).execute();
      },
    });
    expect(read.outline.length).toBe(4_500);
    expect(new Set(read.outline.map((o) => o.id)).size).toBe(4_500);
    expect(read.outline[0]!.id).toBe(ids.at(-1));
  });

  it('leaves out an entry that moved to another conversation while the debate was read', async () => {
    const { conversationId, ids } = await bigDebate(1_200);
    const { id: other } = await store.db.insertInto('conversations').values({ entry_count: 1, created_at: day(1), updated_at: day(1) }).returning('id').executeTakeFirstOrThrow();
    let pauses = 0;
    const read = await readConversationShape(store.db, conversationId, {
      pause: async () => {
        // After the first part: the post, read last in time order, moves away.
        if (++pauses === 2) await store.db.updateTable('entries').set({ conversation_id: other }).where('id', '=', ids[0]!).execute();
      },
    });
    expect(read.outline.length).toBe(1_199);
    expect(read.outline.some((o) => o.id === ids[0])).toBe(false);
    expect(read.outline.every((o) => o.inReplyToId === null)).toBe(true);
  });
});
