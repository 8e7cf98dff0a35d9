// Storing a feed's part gives the event loop turns while its transaction is open (better-sqlite3
// answers synchronously), and what the read connection sees meanwhile is the last commit: no
// feed, or whole parts of it, never an item of a part that has not committed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedSqlite } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import { ingestFeedItems, itemsPerTransaction } from '../../src/ingest/feed-items.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';

const checkedAt = '2026-03-01T12:00:00.000Z';
let dir: string;
let database: OpenedSqlite;
let source: Source;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-part-reads-'));
  database = openDatabase(path.join(dir, 'p.db'));
  await migrateToLatest(database.db);
  const blog = await insertBlog(database.db, { homeUrl: 'https://blog.example/', urlKey: 'blog.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, checkedAt);
  source = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: 'https://blog.example/feed/', nextCheckAt: checkedAt }, checkedAt);
});

afterEach(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Posts that each link the three before them and another blog: threading work in every item.
function posts(count: number): FeedItem[] {
  const urlOf = (n: number) => `https://blog.example/2026/03/p${n}/`;
  return Array.from({ length: count }, (_, i) => {
    const links = [i - 1, i - 2, i - 3].filter((n) => n >= 0).map((n) => `<a href="${urlOf(n)}">vorher</a>`);
    return {
      guid: urlOf(i), url: urlOf(i), title: `Beitrag ${i}`, authorName: 'Sab', authorUrl: null,
      contentHtml: `<p>Absatz ${i} mit etwas Text. ${links.join(' ')} <a href="https://other.example/${i}/">anderswo</a></p>`.repeat(3), summaryHtml: null,
      publishedAt: new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString(), updatedAt: null, commentsPageUrl: null, commentFeeds: [],
      commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: urlOf(i), lang: 'de',
    };
  });
}

describe('ingestFeedItems beside readers (SQLite file)', () => {
  it('turns the event loop while a part is open, and readers see whole parts only', async () => {
    const items = posts(2 * itemsPerTransaction + 20);
    const samples: { count: number; open: boolean }[] = [];
    let ingesting = true;
    // A reader that asks in every turn of the event loop it gets, as pages would.
    const reader = (async () => {
      while (ingesting) {
        const { rows } = await sql<{ n: number }>`select count(*) as n from entries`.execute(database.read);
        samples.push({ count: Number(rows[0]!.n), open: database.sqlite.inTransaction });
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const done = await ingestFeedItems(database.db, source, { items, title: null }, checkedAt);
      expect(done.inserted).toBe(items.length);
    } finally {
      ingesting = false;
      await reader;
    }
    const wholeParts = new Set([0, itemsPerTransaction, 2 * itemsPerTransaction, items.length]);
    expect(samples.filter((s) => !wholeParts.has(s.count))).toEqual([]);
    // Read while a part's transaction was open: the loop was not held until its commit.
    expect(samples.filter((s) => s.open).length).toBeGreaterThan(0);
  });
});
