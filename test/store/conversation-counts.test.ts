// A conversation's counts when a new entry merges debates into a large one: combined from both
// rows and the smaller debate's entries (combineMergedCounts), never by reading every entry of the
// merged debate, and the same as a recount. Blogs registered in a random order make their posts'
// and comments' debates start apart and merge, inside parts of feeds and across them.
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { mergeCounting } from '../../src/store/conversation-union.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

const combineFrom = mergeCounting.combineFromEntries;
afterEach(() => {
  mergeCounting.combineFromEntries = combineFrom;
});

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();

/** A small deterministic random source, so that a failing debate can be made again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function feedItem(url: string, fields: Partial<FeedItem>): FeedItem {
  return {
    guid: url, url, title: null, authorName: null, authorUrl: null, contentHtml: '<p>Text</p>', summaryHtml: null,
    publishedAt: null, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
    ...fields,
  };
}

interface Blog {
  name: string;
  posts: FeedItem[];
  comments: FeedItem[];
}

/**
 * Blogs whose posts link earlier posts of any blog and whose comments answer their own posts,
 * sometimes linking another blog's post; authors from a small pool, so that debates share some.
 */
function blogosphere(seed: number, blogs: number, postsEach: number): Blog[] {
  const next = random(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const names = Array.from({ length: blogs }, (_, b) => `blog${b}`);
  const postUrl = (b: string, p: number) => `http://${b}.example/${p}/`;
  const people = ['Anna', 'Ben', 'Cem', 'Dora', 'Emil', 'Fritz'];
  let minute = 0;
  return names.map((name) => {
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
}

/** Registers the blogs (a feed and a comment feed each) and stores their feeds in a random order, in parts of `partSize` items. */
async function ingest(database: OpenedDatabase, blogs: Blog[], seed: number, partSize: number): Promise<void> {
  const next = random(seed + 1);
  const steps: { source: Source; items: FeedItem[] }[] = [];
  for (const b of blogs) {
    const blog = await insertBlog(database.db, { homeUrl: `http://${b.name}.example/`, urlKey: `${b.name}.example`, title: b.name, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at(0));
    const feed = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: `http://${b.name}.example/feed/`, nextCheckAt: at(0) }, at(0));
    const comments = await insertSource(database.db, { blogId: blog.id, kind: 'site-comments', url: `http://${b.name}.example/comments/feed/`, nextCheckAt: at(0) }, at(0));
    for (let i = 0; i < b.posts.length; i += partSize) steps.push({ source: feed, items: b.posts.slice(i, i + partSize) });
    for (let i = 0; i < b.comments.length; i += partSize) steps.push({ source: comments, items: b.comments.slice(i, i + partSize) });
  }
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  for (const [k, step] of steps.entries()) await ingestFeedItems(database.db, step.source, { items: step.items, title: null }, at(1000 + k));
}

async function rowsOf(database: OpenedDatabase) {
  const db = database.db;
  return {
    conversations: await db.selectFrom('conversations').selectAll().orderBy('id').execute(),
    entries: await db.selectFrom('entries').select(['id', 'conversation_id']).orderBy('id').execute(),
  };
}

describe('combineMergedCounts', () => {
  it('gives a merged debate the counts a recount gives, and the same rows as recounting it, in random blogospheres', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const blogs = blogosphere(seed, 6, 6);
      const partSize = 1 + (seed % 4);
      const [combining, recounting] = [await createTestDatabase(), await createTestDatabase()];
      try {
        mergeCounting.combineFromEntries = 0;
        await ingest(combining, blogs, seed, partSize);
        mergeCounting.combineFromEntries = Number.POSITIVE_INFINITY;
        await ingest(recounting, blogs, seed, partSize);
        const merged = (await combining.db.selectFrom('conversations').select('id').where('merged_into_id', 'is not', null).execute()).length;
        expect(merged, `seed ${seed}: debates merged`).toBeGreaterThan(3);
        await expectCountsMatchRecount(combining);
        expect(await rowsOf(combining), `seed ${seed}`).toEqual(await rowsOf(recounting));
      } finally {
        await combining.close();
        await recounting.close();
      }
    }
  });

  it('merges into a large debate without reading all of its entries', async () => {
    const database = await createTestDatabase();
    try {
      // One blog's long debate: each post links the one before.
      const big = await insertBlog(database.db, { homeUrl: 'http://gross.example/', urlKey: 'gross.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at(0));
      const bigFeed = await insertSource(database.db, { blogId: big.id, kind: 'feed', url: 'http://gross.example/feed/', nextCheckAt: at(0) }, at(0));
      const bigPost = (p: number) => feedItem(`http://gross.example/${p}/`, { title: `Gross ${p}`, authorName: `Autor ${p % 7}`, publishedAt: at(p), contentHtml: p > 0 ? `<p><a href="http://gross.example/${p - 1}/">davor</a></p>` : '<p>Anfang</p>' });
      for (let p = 0; p < 60; p += 20) await ingestFeedItems(database.db, bigFeed, { items: Array.from({ length: 20 }, (_, i) => bigPost(p + 19 - i)), title: null }, at(100 + p));
      // A small debate of another blog, apart.
      const small = await insertBlog(database.db, { homeUrl: 'http://klein.example/', urlKey: 'klein.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at(0));
      const smallFeed = await insertSource(database.db, { blogId: small.id, kind: 'feed', url: 'http://klein.example/feed/', nextCheckAt: at(0) }, at(0));
      await ingestFeedItems(database.db, smallFeed, { items: [feedItem('http://klein.example/1/', { title: 'Klein', authorName: 'Autor 3', publishedAt: at(200) })], title: null }, at(200));

      mergeCounting.combineFromEntries = 50;
      // A post answering both merges them.
      const bridge = feedItem('http://klein.example/2/', { title: 'Brücke', authorName: 'Neu', publishedAt: at(300), contentHtml: '<p><a href="http://gross.example/30/">groß</a> <a href="http://klein.example/1/">klein</a></p>' });
      const { sql } = await recordStatements(() => ingestFeedItems(database.db, smallFeed, { items: [bridge], title: null }, at(300)));
      // A recount counts the distinct blogs of every entry of the debate; the combination only
      // those of the smaller that the larger lacks.
      expect(sql.filter((s) => /count\(distinct "e"\./i.test(s))).toEqual([]);
      expect(sql.filter((s) => /count\(distinct "f"\."blog_id"\)/i.test(s))).toHaveLength(1);
      const live = await database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
      expect(live).toHaveLength(1);
      expect(live[0]).toMatchObject({ entry_count: 62, post_count: 62, blog_count: 2, author_count: 8 });
      await expectCountsMatchRecount(database);
    } finally {
      await database.close();
    }
  });
});
