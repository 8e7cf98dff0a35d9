import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBloggerBlog, type BloggerBlog } from '../support/fixture-blogs/blogger.ts';
import { createDebate, debateSlugs, type DebatePost } from '../../src/demo/debate.ts';
import { bloggerPageUrl, isBloggerCommentFeed, readBloggerComments, readTotalResults } from '../../src/reader/blogger-comments.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';

describe('isBloggerCommentFeed', () => {
  it('knows a per-post comment feed on the blog and on www.blogger.com', () => {
    expect(isBloggerCommentFeed('http://jens.blogspot.com/feeds/7000000000000000213/comments/default')).toBe(true);
    expect(isBloggerCommentFeed('https://www.blogger.com/feeds/123/456/comments/default')).toBe(true);
    expect(isBloggerCommentFeed('http://x.example/2008/11/p/feed/atom/')).toBe(false);
    expect(isBloggerCommentFeed('http://jens.blogspot.com/feeds/posts/default')).toBe(false);
  });
});

describe('readTotalResults', () => {
  it('reads openSearch:totalResults under any prefix', () => {
    expect(readTotalResults("<feed xmlns:openSearch='x'><openSearch:totalResults>40</openSearch:totalResults>")).toBe(40);
    expect(readTotalResults('<feed><os:totalResults> 7 </os:totalResults>')).toBe(7);
    expect(readTotalResults('<feed><title>x</title></feed>')).toBeNull();
  });
});

describe('readBloggerComments', () => {
  let blogger: BloggerBlog;
  let fetcher: Fetcher;
  let post: DebatePost;

  beforeAll(async () => {
    const posts = createDebate()[1]!.posts;
    post = posts.find((p) => p.slug === debateSlugs.planetsab)!;
    for (let n = 0; n < 60; n++) post.comments.push({ id: 6000 + n, type: 'comment', author: `Leser ${n}`, date: new Date(Date.UTC(2008, 10, 16, 8, n)).toISOString(), content: `Nummer ${n}`, parentId: 0 });
    blogger = await startBloggerBlog({ posts });
    fetcher = createFetcher({ userAgent: 'Palaver-test', timeoutMs: 3000, connectTimeoutMs: 1000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 22, maxRedirects: 5, perHostConcurrency: 2, allowPrivateNetworks: true });
  });
  afterAll(async () => {
    await fetcher.close();
    await blogger.close();
  });

  it('pages with start-index and max-results until totalResults', async () => {
    const r = await readBloggerComments(fetcher.fetch, blogger.commentFeedUrl(post), { maxPages: 10, maxBytes: 1 << 22, pageSize: 25 });
    // Four comments of the debate (the pingback is not Blogger's) and sixty more.
    expect(r).toMatchObject({ kind: 'comments', total: 64, pagesRead: 3, complete: true });
    expect(r.kind === 'comments' && new Set(r.items.map((i) => i.guid)).size).toBe(64);
    const paths = blogger.server.hits.map((h) => h.path).filter((p) => p.includes('start-index'));
    expect(paths).toEqual([1, 26, 51].map((n) => new URL(bloggerPageUrl(blogger.commentFeedUrl(post), n, 25)).pathname + new URL(bloggerPageUrl(blogger.commentFeedUrl(post), n, 25)).search));
  });

  it('stops at maxPages', async () => {
    const r = await readBloggerComments(fetcher.fetch, blogger.commentFeedUrl(post), { maxPages: 1, maxBytes: 1 << 22, pageSize: 25 });
    expect(r).toMatchObject({ kind: 'comments', pagesRead: 1, complete: false });
  });

  it('says why when the feed does not answer', async () => {
    const r = await readBloggerComments(fetcher.fetch, `${blogger.origin}/feeds/1/comments/default`, { maxPages: 1, maxBytes: 1 << 22 });
    expect(r).toEqual({ kind: 'failed', status: 404, reason: 'the comment feed answered 404 to start-index paging' });
  });
});
