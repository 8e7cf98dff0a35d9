// Migration 0017: a claim reads the first due sources in their order and stops, however many are
// due (after an OPML import, thousands of comment feeds fall due at once). Checked on the plan
// each database makes for the claim's selection, with a backlog of due sources and the planner's
// statistics taken (PostgreSQL plans a near-empty table as a scan).
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
  const now = '2026-03-01T12:00:00.000Z';
  const blog = await insertBlog(database.db, { homeUrl: 'http://blog.example/', urlKey: 'blog.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
  // 3,000 due sources: a post feed for every ten comment feeds, a few stopped.
  for (let first = 0; first < 3000; first += 500) {
    const rows = Array.from({ length: 500 }, (_, i) => {
      const n = first + i;
      const at = new Date(Date.UTC(2026, 1, 1) + n * 1000).toISOString();
      return { blog_id: blog.id, kind: n % 11 === 0 ? ('feed' as const) : ('post-comments' as const), url: `http://blog.example/${n}/feed/`, host: 'blog.example', next_check_at: at, created_at: now, updated_at: now, disabled_at: n % 97 === 0 ? now : null };
    });
    await database.db.insertInto('sources').values(rows).execute();
  }
  await sql`analyze`.execute(database.db);
});
afterEach(async () => {
  await database.close();
});

// The selection claimDueSources locks (store/sources.ts): the first due sources of some kinds.
const claimOf = (kinds: string[], limit: number) =>
  `select "sources"."id" from "sources" inner join "blogs" on "blogs"."id" = "sources"."blog_id" where "sources"."disabled_at" is null and "sources"."next_check_at" <= '2026-03-01T00:00:00.000Z' and "sources"."kind" in (${kinds.map((k) => `'${k}'`).join(', ')}) and "blogs"."disabled_at" is null order by "sources"."next_check_at", "sources"."id" limit ${limit}`;
const allKinds = ['feed', 'site-comments', 'post-comments', 'pingback-listing', 'trackback-listing'];

async function planOf(query: string): Promise<string> {
  if (onPostgres) return (await sql.raw<{ 'QUERY PLAN': string }>(`explain ${query}`).execute(database.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
  const sqlite = (database as OpenedDatabase & { sqlite: { prepare(s: string): { all(): { detail: string }[] } } }).sqlite;
  return sqlite.prepare(`explain query plan ${query}`).all().map((r) => r.detail).join('\n');
}

describe('migration 0017: sources in due order', () => {
  it("walks one kind's due sources in due order, without reading and sorting every due source", async () => {
    const plan = await planOf(claimOf(['feed'], 8));
    expect(plan).toMatch(/sources_open_kind_due_idx/);
    expect(plan).not.toMatch(onPostgres ? /Sort|Bitmap/ : /TEMP B-TREE/);
  });

  it('walks every due source in due order for a claim of all kinds (the service’s)', async () => {
    const plan = await planOf(claimOf(allKinds, 8));
    expect(plan).toMatch(/sources_open_due_idx/);
    expect(plan).not.toMatch(onPostgres ? /Sort|Bitmap/ : /TEMP B-TREE/);
  });
});
