// Random blogospheres for tests of a conversation's counts: blogs whose posts link earlier posts of
// any blog and whose comments answer their own posts, their feeds stored in a random order and in
// parts, so that debates start apart and merge inside parts of feeds and across them.
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';

export const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();

/** A small deterministic random source, so that a failing debate can be made again. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function feedItem(url: string, fields: Partial<FeedItem>): FeedItem {
  return {
    guid: url, url, title: null, authorName: null, authorUrl: null, contentHtml: '<p>Text</p>', summaryHtml: null,
    publishedAt: null, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
    ...fields,
  };
}

export interface Blog {
  name: string;
  posts: FeedItem[];
  comments: FeedItem[];
}

/**
 * Blogs whose posts link earlier posts of any blog and whose comments answer their own posts,
 * sometimes linking another blog's post; authors from a small pool, so that debates share some.
 * With `pingbacks`, each link of a post to another blog's post shows in that blog's comment feed
 * as WordPress shows the pingback it received: a comment from the linking post.
 */
export function blogosphere(seed: number, blogs: number, postsEach: number, options: { pingbacks?: boolean } = {}): Blog[] {
  const next = random(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const names = Array.from({ length: blogs }, (_, b) => `blog${b}`);
  const postUrl = (b: string, p: number) => `http://${b}.example/${p}/`;
  const people = ['Anna', 'Ben', 'Cem', 'Dora', 'Emil', 'Fritz'];
  let minute = 0;
  const result = names.map((name) => {
    const posts = Array.from({ length: postsEach }, (_, p) => {
      const links = Array.from({ length: Math.floor(next() * 3) }, () => postUrl(pick(names), Math.floor(next() * postsEach)));
      return feedItem(postUrl(name, p), {
        title: `${name} ${p}`, authorName: pick(people), publishedAt: at((minute += 1)), commentCount: next() < 0.5 ? Math.floor(next() * 6) : null,
        contentHtml: `<p>${links.map((l) => `<a href="${l}">dort</a>`).join(' ')}</p>`,
      });
    }).reverse();
    const comments = Array.from({ length: postsEach * 2 }, (_, c) => {
      const post = postUrl(name, Math.floor(next() * postsEach));
      const link = next() < 0.3 ? ` <a href="${postUrl(pick(names), Math.floor(next() * postsEach))}">siehe</a>` : '';
      return feedItem(`${post}#comment-${c}`, { authorName: pick(people), publishedAt: at((minute += 1)), contentHtml: `<p>Stimmt.${link}</p>`, inReplyTo: [{ ref: post, href: post }] });
    }).reverse();
    return { name, posts, comments };
  });
  if (options.pingbacks) {
    for (const blog of result) {
      for (const post of blog.posts) {
        for (const [, target] of (post.contentHtml ?? '').matchAll(/href="([^"]+)"/g)) {
          const to = result.find((b) => target!.startsWith(`http://${b.name}.example/`));
          if (!to || to === blog) continue;
          to.comments.push(
            feedItem(`${target}#comment-pingback-${blog.name}-${post.url!.split('/').at(-2)}`, {
              title: `Von: ${blog.name} » ${post.title}`, authorName: `${blog.name} » ${post.title}`, authorUrl: post.url, publishedAt: post.publishedAt,
              contentHtml: '<p>[&#8230;] dort [&#8230;]</p>', inReplyTo: [{ ref: target!, href: target! }],
            }),
          );
        }
      }
    }
  }
  return result;
}

/**
 * Registers the blogs (a feed and a comment feed each) and stores their feeds in a random order,
 * in parts of `partSize` items; returns each blog's two sources by name.
 */
export async function ingest(database: OpenedDatabase, blogs: Blog[], seed: number, partSize: number): Promise<Map<string, { feed: Source; comments: Source }>> {
  const next = random(seed + 1);
  const steps: { source: Source; items: FeedItem[] }[] = [];
  const sources = new Map<string, { feed: Source; comments: Source }>();
  for (const b of blogs) {
    const blog = await insertBlog(database.db, { homeUrl: `http://${b.name}.example/`, urlKey: `${b.name}.example`, title: b.name, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at(0));
    const feed = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: `http://${b.name}.example/feed/`, nextCheckAt: at(0) }, at(0));
    const comments = await insertSource(database.db, { blogId: blog.id, kind: 'site-comments', url: `http://${b.name}.example/comments/feed/`, nextCheckAt: at(0) }, at(0));
    sources.set(b.name, { feed, comments });
    for (let i = 0; i < b.posts.length; i += partSize) steps.push({ source: feed, items: b.posts.slice(i, i + partSize) });
    for (let i = 0; i < b.comments.length; i += partSize) steps.push({ source: comments, items: b.comments.slice(i, i + partSize) });
  }
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  for (const [k, step] of steps.entries()) await ingestFeedItems(database.db, step.source, { items: step.items, title: null }, at(1000 + k));
  return sources;
}
