import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BloggerBlog, startBloggerBlog } from '../support/fixture-blogs/blogger.ts';
import { type DebatePost, createDebate, debateSlugs } from '../../src/demo/debate.ts';
import { discoverBlog } from '../../src/reader/discover.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { createTestFetcher } from '../support/polled-feed.ts';

let blogger: BloggerBlog;
let fetcher: Fetcher;
let posts: DebatePost[];
let debatePost: DebatePost;

async function feedAt(url: string) {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return parseFeed(await res.text(), url);
}

function comment(post: DebatePost, id: number) {
  const found = post.comments.find((c) => c.id === id);
  if (!found) throw new Error(`no comment ${id}`);
  return found;
}

beforeAll(async () => {
  // planetsab's posts: a threaded reply (1188 to 1187) and a pingback Blogger cannot have.
  posts = createDebate()[1]!.posts;
  debatePost = posts.find((p) => p.slug === debateSlugs.planetsab)!;
  blogger = await startBloggerBlog({ posts });
  fetcher = createTestFetcher();
});

afterAll(async () => {
  await fetcher.close();
  await blogger.close();
});

describe('startBloggerBlog', () => {
  it('lets discovery find the Atom post feed first and the RSS variant beside it', async () => {
    const found = await discoverBlog(blogger.homeUrl, { fetch: fetcher.fetch });
    expect(found.homeUrl).toBe(blogger.homeUrl);
    expect(found.title).toBe('Jens bloggt');
    expect(found.feed).toEqual({ url: `${blogger.origin}/feeds/posts/default`, format: 'atom', title: 'Jens bloggt', itemCount: 3 });
    expect(found.otherFeeds.map((f) => f.url)).toEqual([`${blogger.origin}/feeds/posts/default?alt=rss`]);
    expect(found.pingbackEndpoint).toBeNull();
    expect(found.trackbackPingUrl).toBeNull();
    expect(found.hubUrls).toEqual(['http://pubsubhubbub.appspot.com/']);
  });

  it('registers the blog by its home page when a post page is pasted', async () => {
    const found = await discoverBlog(blogger.postUrl(debatePost), { fetch: fetcher.fetch });
    expect(found.homeUrl).toBe(blogger.homeUrl);
    expect(found.feed.url).toBe(`${blogger.origin}/feeds/posts/default`);
  });

  it('serves the post feed with Blogger ids, the comment feed, thr:total and the comment form link', async () => {
    const feed = await feedAt(`${blogger.origin}/feeds/posts/default`);
    expect(feed.items.map((i) => i.guid)).toEqual([213, 205, 198].map((id) => `tag:blogger.com,1999:blog-${blogger.blogId}.post-7${String(id).padStart(18, '0')}`));
    const [post] = feed.items;
    expect(post).toMatchObject({
      guid: blogger.postAtomId(debatePost),
      url: `${blogger.origin}/2008/11/${debateSlugs.planetsab}.html`,
      title: 'Social Media Camp – ein kleiner Exkurs',
      authorName: 'Jens Best',
      authorUrl: 'https://www.blogger.com/profile/08151234567890123456',
      publishedAt: '2008-11-14T21:30:00.000Z',
      updatedAt: '2008-11-15T07:52:00.000Z',
      commentFeeds: [{ url: blogger.commentFeedUrl(debatePost), type: 'application/atom+xml' }],
      commentsPageUrl: `${blogger.postUrl(debatePost)}#comment-form`,
      // Five comments in the debate, one of them a pingback, which Blogger does not have.
      commentCount: 4,
      selfUrl: `https://www.blogger.com/feeds/${blogger.blogId}/posts/default/${blogger.postId(debatePost)}`,
    });
    expect(post!.contentHtml).toContain('<h3>Was ich mir wünschen würde</h3>');
  });

  it('serves the RSS variant with thr:total but without any comment feed', async () => {
    const feed = await feedAt(`${blogger.origin}/feeds/posts/default?alt=rss`);
    expect(feed.format).toBe('rss');
    expect(feed.items[0]).toMatchObject({ guid: blogger.postAtomId(debatePost), url: blogger.postUrl(debatePost), authorName: 'Jens Best', commentCount: 4, commentFeeds: [] });
  });

  it('serves the comment feed newest first, each comment replying to the post', async () => {
    const feed = await feedAt(blogger.commentFeedUrl(debatePost));
    expect(feed.title).toBe('Kommentare zu Jens bloggt: Social Media Camp – ein kleiner Exkurs');
    expect(feed.items.map((i) => i.guid)).toEqual([1194, 1190, 1188, 1187].map((id) => blogger.commentAtomId(comment(debatePost, id))));
    const markus = feed.items[0]!;
    expect(markus).toMatchObject({
      authorName: 'Markus',
      authorUrl: 'http://markus.example.net/blog/',
      url: `${blogger.postUrl(debatePost)}?showComment=${Date.parse('2008-11-17T21:10:00Z')}#c${blogger.commentId(comment(debatePost, 1194))}`,
      publishedAt: '2008-11-17T21:10:00.000Z',
      inReplyTo: [
        {
          ref: blogger.postAtomId(debatePost),
          href: blogger.postUrl(debatePost),
          source: `https://www.blogger.com/feeds/${blogger.blogId}/posts/default/${blogger.postId(debatePost)}`,
        },
      ],
    });
    expect(markus.relatedUrls).toBeUndefined();
  });

  it('names a threaded reply’s parent comment, by related link and by Atom id', async () => {
    const feed = await feedAt(blogger.commentFeedUrl(debatePost));
    const jens = comment(debatePost, 1187);
    const reply = feed.items.find((i) => i.guid === blogger.commentAtomId(comment(debatePost, 1188)))!;
    const parent = feed.items.find((i) => i.guid === blogger.commentAtomId(jens))!;
    expect(parent.selfUrl).toBe(blogger.commentSelfUrl(debatePost, jens));
    expect(reply.relatedUrls).toEqual([parent.selfUrl]);
    expect(reply.inReplyTo.map((r) => r.ref)).toEqual([blogger.postAtomId(debatePost), parent.guid]);
    // Blogger keeps a comment as typed and turns its line breaks into <br>.
    expect(reply.contentHtml).toBe("@Jens: Die Liste gibt's doch quasi schon, bei Sachar in den Kommentaren. ;-)<br><br>Aber im Ernst: Eine Wiki-Seite wäre nicht schlecht, dann muss nicht jeder alle Blogs abklappern.");
  });

  it('shows a comment added while the blog runs in the next comment feed and on the post page', async () => {
    const jens = comment(debatePost, 1187);
    debatePost.comments.push({ id: 1300, type: 'comment', author: 'Anonym', date: '2008-11-18T09:00:00Z', content: 'Ich mache die Liste.', parentId: jens.id });
    const feed = await feedAt(blogger.commentFeedUrl(debatePost));
    expect(feed.items[0]).toMatchObject({ guid: `tag:blogger.com,1999:blog-${blogger.blogId}.post-5${'1300'.padStart(18, '0')}`, authorName: 'Anonym', authorUrl: null });
    expect(feed.items[0]!.inReplyTo[1]?.ref).toBe(blogger.commentAtomId(jens));
    const page = await (await fetch(blogger.postUrl(debatePost))).text();
    // Blogger threads one level: the reply sits in the thread of the comment it answers.
    const thread = page.slice(page.indexOf(`id='c${blogger.commentId(jens)}-rt'`));
    expect(thread).toContain(`id='c${blogger.commentId({ ...jens, id: 1300 })}'`);
    expect(page).toContain('<h4>5 Kommentare:</h4>');
    debatePost.comments.pop();
  });

  it('answers If-None-Match with 304 and unknown feeds with 404', async () => {
    const first = await fetch(`${blogger.origin}/feeds/posts/default`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const again = await fetch(`${blogger.origin}/feeds/posts/default`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${blogger.origin}/feeds/123/comments/default`)).status).toBe(404);
  });
});
