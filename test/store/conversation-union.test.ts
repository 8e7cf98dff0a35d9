import { describe, expect, it } from 'vitest';
import { isSameConversation, joinConversations, refreshConversation, tombstoneLinkback } from '../../src/store/conversation-union.ts';
import { findConversation, findConversationIdOfEntry } from '../../src/store/conversations.ts';
import { day, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();

const conversationOf = async (entryId: number) => (await findConversationIdOfEntry(store.db, entryId))!;

/** A conversation's figures, without the times it was written at. */
async function figures(id: number) {
  const found = await findConversation(store.db, id);
  if (!found || !('conversation' in found)) throw new Error(`conversation ${id} is not live`);
  const { updatedAt: _updatedAt, ...rest } = found.conversation;
  return rest;
}

/** Checks that the figures kept entry by entry equal a recount from all the entries. */
async function expectRecountAgrees(id: number) {
  const kept = await figures(id);
  await refreshConversation(store.db, id, store.graph.now());
  expect(kept).toEqual(await figures(id));
  return kept;
}

describe('joinConversations', () => {
  it('keeps the figures entry by entry as a recount would: root, title, counts, blogs, authors, gap, activity', async () => {
    const home = await store.graph.blog('http://sachar.example/');
    const away = await store.graph.blog('http://kuhn.example/');
    const early = await store.graph.entry({ name: 'early', blogId: away, at: day(3), authorName: 'Kuhn' });
    const id = await conversationOf(early);
    const post = await store.graph.entry({ name: 'post', blogId: home, at: day(5), authorName: 'sachar', commentCount: 2, answers: [['links-to', early]] });
    await expectRecountAgrees(id);

    // The post's author again (names compare without case), a new one, and a comment past the count the post reports.
    await store.graph.entry({ name: 'c1', blogId: home, kind: 'comment', via: 'comment-feed', at: day(6), authorName: 'Sachar', answers: [['comment-of', post]] });
    await store.graph.entry({ name: 'c2', blogId: home, kind: 'comment', via: 'comment-feed', at: day(7), authorName: 'Popper', answers: [['comment-of', post]] });
    await expectRecountAgrees(id);
    await store.graph.entry({ name: 'c3', blogId: home, kind: 'comment', via: 'comment-feed', at: day(7), authorName: 'Popper', answers: [['comment-of', post]] });
    // A trackback the comment feed carries is a linkback by its kind alone.
    await store.graph.entry({ name: 'ping', kind: 'trackback', via: 'comment-feed', at: day(8), sourceKey: 'graph.example/elsewhere', answers: [['linkback', post]] });
    const kept = await expectRecountAgrees(id);
    expect(kept).toMatchObject({
      rootEntryId: early, title: 'Title early', entryCount: 6, postCount: 2, commentCount: 3, linkbackCount: 1,
      blogCount: 2, authorCount: 3, missingCount: 0, firstActivityAt: day(3), lastActivityAt: day(8),
    });
  });

  it('makes the earliest post the root, whatever came before it', async () => {
    const comment = await store.graph.entry({ name: 'comment', kind: 'comment', at: day(3) });
    const id = await conversationOf(comment);
    await store.graph.entry({ name: 'later-post', at: day(4), answers: [['links-to', comment]] });
    const post = await store.graph.entry({ name: 'post', at: day(2), answers: [['links-to', comment]] });
    expect(await expectRecountAgrees(id)).toMatchObject({ rootEntryId: post, firstActivityAt: day(2), lastActivityAt: day(4) });
  });

  it('counts a post that also pinged as a linkback, through its record, and stops when the record is taken down', async () => {
    const target = await store.graph.entry({ name: 'target', at: day(1) });
    const id = await conversationOf(target);
    const answer = await store.graph.entry({ name: 'answer', at: day(2), answers: [['links-to', target]] });
    const record = await store.graph.entry({ name: 'record', kind: 'pingback', via: 'pingback', at: day(2), sourceKey: 'graph.example/answer', recordOf: answer, answers: [['linkback', target]] });
    expect(await figures(id)).toMatchObject({ entryCount: 2, postCount: 2, linkbackCount: 1 });
    await tombstoneLinkback(store.db, record, store.graph.now());
    expect(await figures(id)).toMatchObject({ entryCount: 2, linkbackCount: 0 });
    // A record shown on its own becomes a tombstone, counted no more.
    const lone = await store.graph.entry({ name: 'lone', kind: 'webmention', via: 'webmention', at: day(3), sourceKey: 'graph.example/lone', answers: [['linkback', target]] });
    expect(await figures(id)).toMatchObject({ entryCount: 3, linkbackCount: 1 });
    await tombstoneLinkback(store.db, lone, store.graph.now());
    expect(await figures(id)).toMatchObject({ entryCount: 2, linkbackCount: 0, lastActivityAt: day(2) });
    // A post from a feed is not a ping's to take down.
    await tombstoneLinkback(store.db, answer, store.graph.now());
    expect((await store.db.selectFrom('entries').select('tombstoned_at').where('id', '=', answer).executeTakeFirstOrThrow()).tombstoned_at).toBeNull();
  });

  it('joins two conversations into the larger, records of a ping travelling with their node', async () => {
    const a1 = await store.graph.entry({ name: 'a1', at: day(1) });
    await store.graph.entry({ name: 'a2', at: day(2), answers: [['links-to', a1]] });
    const b1 = await store.graph.entry({ name: 'b1', at: day(3) });
    const large = await conversationOf(a1);
    const small = await conversationOf(b1);
    expect(await isSameConversation(store.db, a1, b1)).toBe(false);

    const bridge = await store.graph.entry({ name: 'bridge', at: day(4), answers: [['links-to', b1], ['links-to', a1]] });
    expect(await conversationOf(b1)).toBe(large);
    expect(await conversationOf(bridge)).toBe(large);
    expect(await findConversation(store.db, small)).toEqual({ mergedInto: large });
    expect(await isSameConversation(store.db, small, large)).toBe(true);
    expect((await expectRecountAgrees(large)).entryCount).toBe(4);

    // An unthreaded node joins with the records that stand behind it.
    const held = await store.graph.entry({ name: 'held', at: day(5), held: true });
    const record = await store.graph.entry({ name: 'held-record', kind: 'pingback', at: day(5), sourceKey: 'graph.example/held', held: true });
    await store.db.updateTable('entries').set({ same_as_id: held }).where('id', '=', record).execute();
    await joinConversations(store.db, held, [a1], store.graph.now(), false);
    const rows = await store.db.selectFrom('entries').select(['id', 'conversation_id']).where('id', 'in', [held, record]).orderBy('id').execute();
    expect(rows.map((r) => r.conversation_id)).toEqual([large, large]);
    expect((await expectRecountAgrees(large)).entryCount).toBe(5);
  });
});

describe('refreshConversation', () => {
  it('reads a conversation in one statement and writes it in one, however many of its posts report comments', async () => {
    const home = await store.graph.blog('http://sachar.example/');
    const first = await store.graph.entry({ name: 'p0', blogId: home, at: day(2), authorName: 'Sachar', commentCount: 3 });
    const id = await conversationOf(first);
    const posts = [first];
    for (let i = 1; i < 6; i++) posts.push(await store.graph.entry({ name: `p${i}`, blogId: home, at: day(2 + i), authorName: 'Sachar', commentCount: i, answers: [['links-to', posts[i - 1]!]] }));
    // Comments on the first post (one of its three) and on the third (both of its two), and a listed ping of the fourth.
    await store.graph.entry({ name: 'c1', blogId: home, kind: 'comment', via: 'comment-feed', at: day(9), authorName: 'Popper', answers: [['comment-of', first]] });
    for (const n of [1, 2]) await store.graph.entry({ name: `c2-${n}`, blogId: home, kind: 'comment', via: 'comment-feed', at: day(9), authorName: 'Popper', answers: [['comment-of', posts[2]!]] });
    await store.graph.entry({ name: 'listed', kind: 'trackback', via: 'listing', at: day(10), sourceKey: 'graph.example/elsewhere', answers: [['linkback', posts[3]!]] });

    let statements = 0;
    const counted = store.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => (statements++, args.result) });
    await refreshConversation(counted, id, store.graph.now());
    // Before: three reads, one more per post that reports comments (six here), and the write.
    expect(statements).toBe(2);
    // Missing: 3 − 1, 1 − 0, 2 − 2, 3 − 1, 4 − 0, 5 − 0.
    expect(await figures(id)).toMatchObject({
      rootEntryId: first, title: 'Title p0', entryCount: 10, postCount: 6, commentCount: 3, linkbackCount: 1, blogCount: 1, authorCount: 2,
      missingCount: 2 + 1 + 0 + 2 + 4 + 5, firstActivityAt: day(2), lastActivityAt: day(10),
    });
  });
});
