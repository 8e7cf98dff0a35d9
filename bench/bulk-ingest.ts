// The bulk ingest's workload (bench/bulk-worker.ts): entries recorded as polls record them,
// through feed parts, and the same recorded one by one as before feed parts.
import type { OpenedDatabase } from '../src/db/open.ts';
import { ingestFeedItems } from '../src/ingest/feed-items.ts';
import { recordEntry } from '../src/ingest/record-entry.ts';
import { draftEntry } from '../src/reader/entry-draft.ts';
import type { FeedItem } from '../src/reader/types.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { insertSource } from '../src/store/sources.ts';
import { relationsOf } from '../src/threading/relations.ts';
import { item } from './feed-item.ts';

export const bulkEntries = 5000;

/** Bulk ingest's entry i: every tenth a post linking to the post before it, the rest comments on it. */
function bulkItem(i: number): FeedItem {
  const postUrl = `http://bulk.example/p/${Math.floor(i / 10)}/`;
  return i % 10 === 0 ? item(postUrl, { contentHtml: `<p><a href="http://bulk.example/p/${Math.floor(i / 10) - 1}/">vorher</a></p>` }) : item(`${postUrl}#comment-${i}`, { title: null });
}

/**
 * Records `n` entries as polls do: through ingestFeedItems, the posts of each hundred as the
 * blog's post feed and their comments as its site comment feed. Returns entries/s.
 */
export async function bulkIngest(database: OpenedDatabase, n: number): Promise<number> {
  const at = '2026-01-01T00:00:00.000Z';
  const blog = await insertBlog(
    database.db,
    { homeUrl: 'http://bulk.example/', urlKey: 'bulk.example', title: 'Bulk', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] },
    at,
  );
  const posts = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: 'http://bulk.example/feed/', nextCheckAt: at }, at);
  const comments = await insertSource(database.db, { blogId: blog.id, kind: 'site-comments', url: 'http://bulk.example/comments/feed/', nextCheckAt: at }, at);
  const started = process.hrtime.bigint();
  let stored = 0;
  for (let first = 0; first < n; first += 100) {
    const items = Array.from({ length: Math.min(100, n - first) }, (_, k) => bulkItem(first + k));
    stored += (await ingestFeedItems(database.db, posts, { items: items.filter((_, k) => (first + k) % 10 === 0), title: null }, at)).inserted;
    stored += (await ingestFeedItems(database.db, comments, { items: items.filter((_, k) => (first + k) % 10 !== 0), title: null }, at)).inserted;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (stored !== n) throw new Error(`bulk ingest stored ${stored} of ${n} entries`);
  return n / seconds;
}

/**
 * The same entries recorded one by one (recordEntry per entry, 100 per transaction), as bulk
 * ingest did before it went through feed parts: the bulk ingest's same-run baseline. Entries/s.
 */
export async function bulkOneByOne(database: OpenedDatabase): Promise<number> {
  const started = process.hrtime.bigint();
  for (let batch = 0; batch < bulkEntries / 100; batch++) {
    await database.db.transaction().execute(async (trx) => {
      for (let k = 0; k < 100; k++) {
        const i = batch * 100 + k;
        const it = bulkItem(i);
        const draft = draftEntry(it, i % 10 === 0 ? 'post' : 'comment');
        const relations = relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] });
        await recordEntry(trx, { blogId: null, draft, via: 'feed', relations }, '2026-01-01T00:00:00.000Z');
      }
    });
  }
  return bulkEntries / (Number(process.hrtime.bigint() - started) / 1e9);
}
