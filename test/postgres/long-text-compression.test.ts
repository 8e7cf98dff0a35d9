// Long posts on PostgreSQL (npm run test:pg only): their markup and text are compressed with lz4
// where the server has it (migration 0020), pglz where it has not. SQLite compresses nothing.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const now = '2026-03-01T12:00:00.000Z';

describe('long posts on PostgreSQL', () => {
  it('are stored with their markup and text compressed by lz4 where the server has it, and read back whole', async () => {
    const created = await createPostgresTestDatabase(adminUrl);
    cleanups.push(created.drop);
    const database = openPostgres(created.url, { poolSize: 1 });
    cleanups.push(() => database.close());
    const db = database.db;
    const blog = await insertBlog(db, { homeUrl: 'http://eins.example/', urlKey: 'eins.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
    const feed = await insertSource(db, { blogId: blog.id, kind: 'feed', url: 'http://eins.example/feed/', nextCheckAt: now }, now);
    // About 8 KB of markup: far past the 2 KB from which PostgreSQL compresses a row's values.
    const paragraphs = Array.from({ length: 60 }, (_, i) => `<p>Absatz ${i} über „Social Media“, Barcamps und die Frage, wer im Netz zuhört.</p>`).join('\n');
    const item: FeedItem = {
      guid: 'http://eins.example/?p=1', url: 'http://eins.example/lang/', title: 'Ein langer Beitrag', authorName: 'Autorin', authorUrl: null,
      contentHtml: paragraphs, summaryHtml: null, publishedAt: now, updatedAt: null, commentsPageUrl: null,
      commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: 'http://eins.example/', lang: 'de',
    };
    await ingestFeedItems(db, feed, { items: [item], title: null }, now);

    const { rows: settings } = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db);
    const expected = settings[0]?.lz4 ? 'lz4' : 'pglz';
    const { rows } = await sql<{ html: string | null; text: string | null; length: number }>`
      select pg_column_compression(content_html) as html, pg_column_compression(content_text) as text, length(content_html) as length from entries`.execute(db);
    expect(rows).toEqual([{ html: expected, text: expected, length: paragraphs.length }]);
    const stored = await db.selectFrom('entries').select('content_html').executeTakeFirstOrThrow();
    expect(stored.content_html).toContain('<p>Absatz 59 über');
  });
});
