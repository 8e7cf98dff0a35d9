import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBloggerBlog, type BloggerBlog } from '../support/fixture-blogs/blogger.ts';
import { createDebate, debateSlugs, type DebatePost } from '../../src/demo/debate.ts';
import { bloggerPageUrl, isBloggerCommentFeed, readBloggerComments, readTotalResults } from '../../src/reader/blogger-comments.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import type { Fetch } from '../../src/reader/types.ts';

describe('a long page of Blogger comments', () => {
  it('is read off the event loop: timers keep firing meanwhile', async () => {
    const entries = Array.from({ length: 8_000 }, (_, i) => `<entry><id>tag:blogger.com,1999:blog-1.post-${i}</id><published>2008-11-12T10:00:00.000+01:00</published><title type="text">Kommentar ${i}</title><content type="html">${'Gute Idee, aber nicht ganz. '.repeat(10)}</content><link rel="alternate" type="text/html" href="http://blog.blogspot.com/2008/11/idee.html?showComment=${i}#c${i}"/><author><name>Leser ${i}</name></author></entry>`).join('');
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:openSearch="http://a9.com/-/spec/opensearchrss/1.0/"><id>tag:blogger.com,1999:blog-1.post-7.comments</id><title>Kommentare</title><openSearch:totalResults>8000</openSearch:totalResults>${entries}</feed>`);
    const answer = (async (request) => ({ requestedUrl: request.url, url: request.url, status: 200, headers: { 'content-type': 'application/atom+xml; charset=UTF-8' }, body, redirects: [], notModified: false })) as Fetch;
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 5);
    const result = await readBloggerComments(answer, 'http://blog.blogspot.com/feeds/7/comments/default', { maxPages: 1, maxBytes: 1 << 23 });
    clearInterval(interval);
    expect(result).toMatchObject({ kind: 'comments', total: 8000, pagesRead: 1 });
    // A page holds at most Blogger's max-results (500) comments; the rest would be the next page's.
    expect(result.kind === 'comments' && result.items).toHaveLength(500);
    // Read in place, the interval could not have fired while the page was parsed.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});

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
