// Statements the store runs again and again are prepared once per connection under a name
// (src/db/postgres.ts), so the server neither parses nor plans them anew (npm run test:pg only).
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { findBlogById, insertBlog } from '../../src/store/blogs.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('named statements on PostgreSQL', () => {
  it('prepares a repeated store statement once on the connection and runs it by name', async () => {
    const created = await createPostgresTestDatabase(adminUrl);
    cleanups.push(created.drop);
    // One connection, so the session that prepared is the one asked.
    const database = openPostgres(created.url, { poolSize: 1 });
    cleanups.push(() => database.close());
    const now = new Date().toISOString();
    const blog = await insertBlog(database.db, { homeUrl: 'http://a.example/', urlKey: 'a.example', title: 'A', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
    for (let i = 0; i < 4; i++) expect((await findBlogById(database.db, blog.id))?.title).toBe('A');
    const prepared = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where not from_sql`.execute(database.db);
    const blogLookups = prepared.rows.filter((r) => /from "blogs"/.test(r.statement));
    expect(blogLookups).toHaveLength(1);
    expect(blogLookups[0]!.name).toMatch(/^palaver_\d+$/);
    // Multi-command text without parameters (as migrations send) still runs.
    await sql`select 1; select 2`.execute(database.db);
  });
});
