// A conversation's counts when a new entry merges debates into a large one: combined from both
// rows and the smaller debate's entries (combineMergedCounts), never by reading every entry of the
// merged debate, and the same as a recount. Blogs registered in a random order make their posts'
// and comments' debates start apart and merge, inside parts of feeds and across them, with the
// pingbacks their posts' links send shown among the comments.
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { mergeCounting } from '../../src/store/conversation-union.ts';
import { insertSource } from '../../src/store/sources.ts';
import { at, blogosphere, feedItem, ingest } from '../support/blogosphere.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

const combineFrom = mergeCounting.combineFromEntries;
afterEach(() => {
  mergeCounting.combineFromEntries = combineFrom;
});

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
      const blogs = blogosphere(seed, 6, 6, { pingbacks: true });
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
