import { beforeEach, describe, expect, it } from 'vitest';
import {
  countKnownComments,
  findCommentedPost,
  findCountedPost,
  findCommentGapsVersion,
  findFirstSeenAt,
  listCommentGapsOfBlog,
  listStoredIdentities,
  raisePostCommentCount,
  wakeCommentSourcesOfComments,
} from '../../src/store/comment-gaps.ts';
import { findConversationIdOfEntry } from '../../src/store/conversations.ts';
import { findSourceById, insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
import { addEntryChannel } from '../../src/store/threads.ts';
import { onPostgres } from '../support/db.ts';
import { sqlitePlanOf } from '../support/query-plans.ts';
import { day, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();
let blogId: number;

beforeEach(async () => {
  blogId = await store.graph.blog('http://sachar.example/');
});

/** A post with `comments` comments on it; returns the ids. */
async function postWithComments(name: string, comments: number, commentCount: number | null): Promise<{ post: number; comments: number[] }> {
  const post = await store.graph.entry({ name, blogId, at: day(1), commentCount });
  const ids: number[] = [];
  for (let i = 1; i <= comments; i++) ids.push(await store.graph.entry({ name: `${name}-c${i}`, blogId, kind: 'comment', via: 'comment-feed', at: day(2), answers: [['comment-of', post]] }));
  return { post, comments: ids };
}

describe('countKnownComments', () => {
  it('counts the comments on a post, each once whatever channels brought it', async () => {
    const { post, comments } = await postWithComments('post', 2, 5);
    await addEntryChannel(store.db, comments[0]!, 'listing', null, store.graph.now());
    expect(await countKnownComments(store.db, post)).toBe(2);
    expect(await countKnownComments(store.db, comments[0]!)).toBe(0);
  });

  it('counts a ping once however many records of it arrived, and only when the listing named it', async () => {
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 5 });
    // One ping from page-a, received as a pingback and read again from the blog's own listing.
    const pingback = await store.graph.entry({ name: 'a-pingback', kind: 'pingback', via: 'pingback', at: day(2), sourceKey: 'graph.example/page-a', answers: [['linkback', post]] });
    await store.graph.entry({ name: 'a-listed', kind: 'pingback', via: 'listing', at: day(2), sourceKey: 'graph.example/page-a', answers: [['linkback', post]], recordOf: pingback });
    await addEntryChannel(store.db, pingback, 'listing', null, store.graph.now());
    // A ping from page-b that only came as a pingback: not in WordPress's count, so not counted.
    await store.graph.entry({ name: 'b-pingback', kind: 'pingback', via: 'pingback', at: day(3), sourceKey: 'graph.example/page-b', answers: [['linkback', post]] });
    expect(await countKnownComments(store.db, post)).toBe(1);
  });

  it('counts two comment records of one ping (a trackback the comment feed also carries) once', async () => {
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 3 });
    for (const name of ['as-comment', 'as-trackback']) {
      await store.graph.entry({ name, blogId, kind: 'comment', via: 'comment-feed', at: day(2), sourceKey: 'graph.example/pinging', answers: [['comment-of', post]] });
    }
    await store.graph.entry({ name: 'plain', blogId, kind: 'comment', via: 'comment-feed', at: day(3), answers: [['comment-of', post]] });
    expect(await countKnownComments(store.db, post)).toBe(2);
  });
});

describe('findCountedPost', () => {
  it('finds the post a comment is on, with what the post reports', async () => {
    const { post, comments } = await postWithComments('post', 1, 7);
    expect(await findCountedPost(store.db, comments[0]!)).toEqual({ id: post, commentCount: 7, conversationId: await findConversationIdOfEntry(store.db, post) });
  });

  it('counts a ping toward its post only when the listing named it', async () => {
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 2 });
    const unlisted = await store.graph.entry({ name: 'unlisted', kind: 'pingback', via: 'pingback', at: day(2), sourceKey: 'graph.example/u', answers: [['linkback', post]] });
    const listed = await store.graph.entry({ name: 'listed', kind: 'pingback', via: 'listing', at: day(2), sourceKey: 'graph.example/l', answers: [['linkback', post]] });
    expect(await findCountedPost(store.db, unlisted)).toBeUndefined();
    expect((await findCountedPost(store.db, listed))?.id).toBe(post);
  });

  it('prefers the post commented on to a post pinged, and counts nothing toward a comment', async () => {
    const pinged = await store.graph.entry({ name: 'pinged', blogId, at: day(1) });
    const commented = await store.graph.entry({ name: 'commented', blogId, at: day(1) });
    const parent = await store.graph.entry({ name: 'parent', blogId, kind: 'comment', at: day(2), answers: [['comment-of', commented]] });
    const both = await store.graph.entry({ name: 'both', blogId, kind: 'comment', via: 'listing', at: day(3), answers: [['linkback', pinged], ['comment-of', commented]] });
    const onComment = await store.graph.entry({ name: 'on-comment', blogId, kind: 'comment', at: day(3), answers: [['comment-of', parent]] });
    expect((await findCountedPost(store.db, both))?.id).toBe(commented);
    expect(await findCountedPost(store.db, onComment)).toBeUndefined();
  });
});

describe('findCommentedPost and raisePostCommentCount', () => {
  it('finds a post with its reported count, and nothing for an unknown id', async () => {
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 4 });
    expect(await findCommentedPost(store.db, post)).toEqual({
      id: post, blogId, guid: 'urn:graph:post', url: 'http://graph.example/post/', commentCount: 4, conversationId: await findConversationIdOfEntry(store.db, post),
    });
    expect(await findCommentedPost(store.db, 999_999)).toBeUndefined();
  });

  it('raises a count that is unknown or lower, never lowers one, and says which conversation moved and from what count', async () => {
    const unknown = await store.graph.entry({ name: 'unknown', blogId, at: day(1) });
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 4 });
    const conversationId = await findConversationIdOfEntry(store.db, post);
    expect(await raisePostCommentCount(store.db, unknown, 2)).toEqual({ conversationId: await findConversationIdOfEntry(store.db, unknown), before: null });
    expect(await raisePostCommentCount(store.db, post, 4)).toBeNull();
    expect(await raisePostCommentCount(store.db, post, 3)).toBeNull();
    expect((await findCommentedPost(store.db, post))?.commentCount).toBe(4);
    expect(await raisePostCommentCount(store.db, post, 9)).toEqual({ conversationId, before: 4 });
    expect((await findCommentedPost(store.db, post))?.commentCount).toBe(9);
    expect(await raisePostCommentCount(store.db, 999_999, 9)).toBeNull();
  });
});

describe('listStoredIdentities and findFirstSeenAt', () => {
  it('finds the identities a blog has across chunks of 500, and none of another blog', async () => {
    const other = await store.graph.blog('http://other.example/');
    await store.graph.entry({ name: 'first', blogId, at: day(1) });
    await store.graph.entry({ name: 'last', blogId, at: day(1) });
    await store.graph.entry({ name: 'theirs', blogId: other, at: day(1) });
    const asked = Array.from({ length: 1200 }, (_, i) => `id:unknown-${i}`);
    // One stored identity at each side of the chunk boundary (499 and 500), one past the second.
    asked[499] = 'id:first';
    asked[500] = 'id:last';
    asked[1100] = 'id:theirs';
    expect([...(await listStoredIdentities(store.db, blogId, asked))].sort()).toEqual(['id:first', 'id:last']);
    expect((await listStoredIdentities(store.db, blogId, [])).size).toBe(0);
  });

  it('finds when an entry was first seen, by blog and identity', async () => {
    const before = store.graph.now();
    await store.graph.entry({ name: 'post', blogId, at: day(1) });
    const seen = await findFirstSeenAt(store.db, blogId, 'id:post');
    expect(seen! > before).toBe(true);
    expect(await findFirstSeenAt(store.db, blogId, 'id:other')).toBeUndefined();
    expect(await findFirstSeenAt(store.db, await store.graph.blog('http://other.example/'), 'id:post')).toBeUndefined();
  });
});

describe('wakeCommentSourcesOfComments', () => {
  it('makes due the comment sources of the posts these comments are on, and of no post they only link to', async () => {
    const later = '2030-01-01T00:00:00.000Z';
    const now = '2026-06-01T00:00:00.000Z';
    const { post, comments } = await postWithComments('post', 1, null);
    const quiet = await store.graph.entry({ name: 'quiet', blogId, at: day(1) });
    // A comment that only links to the quiet post says nothing about the quiet post's thread.
    const linking = await store.graph.entry({ name: 'linking', blogId, kind: 'comment', at: day(2), answers: [['links-to', quiet]] });
    const source = (entryId: number, url: string, nextCheckAt = later) => insertSource(store.db, { blogId, entryId, kind: 'post-comments', url, nextCheckAt }, now);
    const woken = await source(post, 'http://sachar.example/post/feed/');
    const disabled = await source(post, 'http://sachar.example/post/feed/?disabled');
    await store.db.updateTable('sources').set({ disabled_at: now }).where('id', '=', disabled.id).execute();
    const alreadyDue = await source(post, 'http://sachar.example/post/feed/?due', '2020-01-01T00:00:00.000Z');
    const untouched = await source(quiet, 'http://sachar.example/quiet/feed/');

    expect(await wakeCommentSourcesOfComments(store.db, [...comments, linking], now)).toBe(1);
    expect((await findSourceById(store.db, woken.id))?.nextCheckAt).toBe(now);
    expect((await findSourceById(store.db, disabled.id))?.nextCheckAt).toBe(later);
    expect((await findSourceById(store.db, alreadyDue.id))?.nextCheckAt).toBe('2020-01-01T00:00:00.000Z');
    expect((await findSourceById(store.db, untouched.id))?.nextCheckAt).toBe(later);
    expect(await wakeCommentSourcesOfComments(store.db, [], now)).toBe(0);
  });
});

describe('listCommentGapsOfBlog', () => {
  it('lists the posts reporting more comments than Palaver has, most missing first, up to the limit', async () => {
    const other = await store.graph.blog('http://other.example/');
    const small = await postWithComments('small', 1, 2);
    const big = await postWithComments('big', 1, 5);
    const tie = await postWithComments('tie', 0, 1);
    await postWithComments('complete', 2, 2);
    await postWithComments('unknown', 0, null);
    await store.graph.entry({ name: 'theirs', blogId: other, at: day(1), commentCount: 9 });
    const source = await insertSource(store.db, { blogId, entryId: big.post, kind: 'post-comments', url: 'http://sachar.example/big/feed/', nextCheckAt: day(1) }, day(1));
    await store.db.updateTable('sources').set({ gap_note: 'the comment feed shows the newest ten' }).where('id', '=', source.id).execute();

    const gaps = await listCommentGapsOfBlog(store.db, blogId);
    expect(gaps.map((g) => [g.postId, g.reported, g.known, g.missing])).toEqual([
      [big.post, 5, 1, 4],
      [small.post, 2, 1, 1],
      [tie.post, 1, 0, 1],
    ]);
    expect(gaps[0]).toEqual({
      postId: big.post, title: 'Title big', url: 'http://graph.example/big/', conversationId: await findConversationIdOfEntry(store.db, big.post),
      reported: 5, known: 1, missing: 4, note: 'the comment feed shows the newest ten', sourceId: source.id,
    });
    expect(gaps[1]).toMatchObject({ note: null, sourceId: null });
    expect((await listCommentGapsOfBlog(store.db, blogId, 2)).map((g) => g.postId)).toEqual([big.post, small.post]);
  });

  it('lists a post with two comment sources once', async () => {
    const { post } = await postWithComments('post', 0, 3);
    for (const url of ['http://sachar.example/post/feed/', 'http://sachar.example/post/feed/atom/']) {
      await insertSource(store.db, { blogId, entryId: post, kind: 'post-comments', url, nextCheckAt: day(1) }, day(1));
    }
    expect((await listCommentGapsOfBlog(store.db, blogId)).map((g) => g.postId)).toEqual([post]);
  });
});

describe('findCommentGapsVersion', () => {
  it("reads indexes of the blog, not its entries", async () => {
    if (onPostgres) return;
    const plan = await sqlitePlanOf(store.database, 'entries', () => findCommentGapsVersion(store.db, blogId));
    expect(plan).toMatch(/SEARCH entries USING COVERING INDEX entries_blog_changed_at_idx \(blog_id=\?\)/);
    expect(plan).toMatch(/SEARCH sources USING COVERING INDEX sources_blog_kind_idx \(blog_id=\? AND kind=\?\)/);
    expect(plan).toMatch(/SEARCH sources USING INDEX sources_blog_kind_idx \(blog_id=\? AND kind=\?\)/);
    expect(plan).not.toMatch(/SCAN (entries|sources)/);
  });

  it("changes with a new entry or comment source of the blog and a read of its feeds, not with another blog's", async () => {
    const other = await store.graph.blog('http://other.example/');
    const feed = await insertSource(store.db, { blogId, kind: 'feed', url: 'http://sachar.example/feed/', nextCheckAt: day(1) }, day(1));
    const { post } = await postWithComments('post', 1, 3);
    const versions = [await findCommentGapsVersion(store.db, blogId)];
    await store.graph.entry({ name: 'post-c2', blogId, kind: 'comment', via: 'comment-feed', at: day(3), answers: [['comment-of', post]] });
    versions.push(await findCommentGapsVersion(store.db, blogId));
    await insertSource(store.db, { blogId, entryId: post, kind: 'post-comments', url: 'http://sachar.example/post/feed/', nextCheckAt: day(1) }, day(1));
    versions.push(await findCommentGapsVersion(store.db, blogId));
    await updateSourceAfterPoll(store.db, feed.id, { checkedAt: day(5), nextCheckAt: day(6), lastStatus: 304, lastError: null, consecutiveFailures: 0, succeeded: true });
    versions.push(await findCommentGapsVersion(store.db, blogId));
    await store.graph.entry({ name: 'theirs', blogId: other, at: day(4), commentCount: 2 });
    await insertSource(store.db, { blogId: other, kind: 'feed', url: 'http://other.example/feed/', nextCheckAt: day(7) }, day(7));
    versions.push(await findCommentGapsVersion(store.db, blogId));
    expect(new Set(versions).size).toBe(4);
    expect(versions[4]).toBe(versions[3]);
  });
});
