// A blog's comment gaps kept between views: counted once for views of an unchanged blog, again
// when a comment or a comment source arrives or its post feed is read, again after a minute for
// what the version does not see (a count the completion step raised), once for requests that
// come together, again after a count that failed, and for the 200 blogs viewed last.
import { describe, expect, it } from 'vitest';
import { listCommentGapsOfBlog, raisePostCommentCount } from '../../src/store/comment-gaps.ts';
import { updateEntryCommentCount } from '../../src/store/entries.ts';
import { insertSource, updateSourceAfterPoll } from '../../src/store/sources.ts';
import { createCommentGaps } from '../../src/web/comment-gaps.ts';
import { day, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();

/** Tallies that count on the test database and remember which blogs they were asked for. */
function countingTallies() {
  const asked: number[] = [];
  let failNext = false;
  return {
    asked,
    failOnce: () => (failNext = true),
    tallies: {
      commentGaps: async (blogId: number) => {
        asked.push(blogId);
        if (failNext) {
          failNext = false;
          throw new Error('the tally thread is busy');
        }
        return listCommentGapsOfBlog(store.db, blogId);
      },
    },
  };
}

describe('createCommentGaps', () => {
  it('counts an unchanged blog once, and again when a comment, a comment source, a read of its feed or a minute comes', async () => {
    let clock = Date.parse('2026-03-01T12:00:00.000Z');
    const { asked, tallies } = countingTallies();
    const gaps = createCommentGaps(store.db, tallies, () => new Date(clock));
    const blogId = await store.graph.blog('http://sachar.example/');
    const feed = await insertSource(store.db, { blogId, kind: 'feed', url: 'http://sachar.example/feed/', nextCheckAt: day(1) }, day(1));
    const post = await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 3 });
    const missing = async () => (await gaps(blogId)).map((g) => g.missing);

    expect(await missing()).toEqual([3]);
    clock += 30_000;
    expect(await missing()).toEqual([3]);
    expect(await missing()).toEqual([3]);
    expect(asked).toHaveLength(1);

    // A comment of the blog's comment feed: a new entry of the blog.
    await store.graph.entry({ name: 'post-c1', blogId, kind: 'comment', via: 'comment-feed', at: day(2), answers: [['comment-of', post]] });
    expect(await missing()).toEqual([2]);
    expect(asked).toHaveLength(2);

    // A comment source for the post (its id and note are on the list).
    await insertSource(store.db, { blogId, entryId: post, kind: 'post-comments', url: 'http://sachar.example/post/feed/', nextCheckAt: day(3) }, day(3));
    expect((await gaps(blogId))[0]?.sourceId).not.toBeNull();
    expect(asked).toHaveLength(3);

    // The post feed reports another count for an unchanged post: the count is stored as the poll
    // goes, the feed's check when it ends.
    await updateEntryCommentCount(store.db, post, 5);
    expect(await missing()).toEqual([2]);
    await updateSourceAfterPoll(store.db, feed.id, { checkedAt: day(4), nextCheckAt: day(5), lastStatus: 200, lastError: null, consecutiveFailures: 0, succeeded: true });
    expect(await missing()).toEqual([4]);
    expect(asked).toHaveLength(4);

    // A count the completion step raised is not in the version: it shows within the minute.
    await raisePostCommentCount(store.db, post, 7);
    clock += 59_999;
    expect(await missing()).toEqual([4]);
    clock += 1;
    expect(await missing()).toEqual([6]);
    expect(asked).toHaveLength(5);
  });

  it('counts once for requests that come together, and again after a count that failed', async () => {
    const { asked, tallies, failOnce } = countingTallies();
    const gaps = createCommentGaps(store.db, tallies, () => new Date('2026-03-01T12:00:00.000Z'));
    const blogId = await store.graph.blog('http://sachar.example/');
    await store.graph.entry({ name: 'post', blogId, at: day(1), commentCount: 2 });

    failOnce();
    await expect(gaps(blogId)).rejects.toThrow('busy');
    const together = await Promise.all([gaps(blogId), gaps(blogId), gaps(blogId)]);
    expect(together.map((g) => g.map((p) => p.missing))).toEqual([[2], [2], [2]]);
    expect(asked).toEqual([blogId, blogId]);
  });

  it('keeps the 200 blogs viewed last', async () => {
    const { asked, tallies } = countingTallies();
    const gaps = createCommentGaps(store.db, tallies, () => new Date('2026-03-01T12:00:00.000Z'));
    // Blogs without rows count the same as blogs with: the ids alone.
    for (let id = 1; id <= 200; id++) await gaps(id);
    await gaps(1);
    expect(asked).toHaveLength(200);
    // The 201st pushes out the blog viewed longest ago (2), not the one viewed again (1).
    await gaps(201);
    await gaps(1);
    expect(asked).toHaveLength(201);
    await gaps(2);
    expect(asked).toHaveLength(202);
    expect(asked.at(-1)).toBe(2);
  });
});
