import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

// The lookups of store/conversation-union.ts (addToConversation) that tell whether a new entry's
// blog or author already takes part in its conversation.
const lookups = {
  blog: `select "id" from "entries" where "conversation_id" = ? and "id" != ? and "same_as_id" is null and "tombstoned_at" is null and "blog_id" = ? limit 1`,
  author: `select "id" from "entries" where "conversation_id" = ? and "id" != ? and "same_as_id" is null and "tombstoned_at" is null and lower(coalesce(author_url, author_name)) = ? limit 1`,
};

const claimOf = (kinds: number) =>
  `select "sources"."id" from "sources" inner join "blogs" on "blogs"."id" = "sources"."blog_id" where "sources"."disabled_at" is null and "blogs"."disabled_at" is null and "sources"."kind" in (${Array(kinds).fill('?').join(', ')}) order by "sources"."next_check_at", "sources"."id" limit 256`;

describe('migration 0015: indexes of ingest', () => {
  it('answers whether a blog or author takes part in a conversation from an index alone', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the indexes must exist.
      const { rows } = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'entries'`.execute(database.db);
      const names = rows.map((r) => r.indexname);
      expect(names).toEqual(expect.arrayContaining(['entries_conversation_visible_blog_idx', 'entries_conversation_visible_author_idx']));
      expect(names).not.toContain('entries_conversation_blog_idx');
      expect((await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'sources'`.execute(database.db)).rows.map((r) => r.indexname)).toContain('sources_kind_due_idx');
      return;
    }
    const sqlite = (database as OpenedDatabase & { sqlite: { prepare(s: string): { all(...a: unknown[]): { detail: string }[] } } }).sqlite;
    const plan = (query: string) => sqlite.prepare(`explain query plan ${query}`).all(1, 2, 'x').map((r) => r.detail).join('\n');
    expect(plan(lookups.blog)).toMatch(/COVERING INDEX entries_conversation_visible_blog_idx/);
    expect(plan(lookups.author)).toMatch(/COVERING INDEX entries_conversation_visible_author_idx/);
  });

  it("walks one kind's due sources in due order for a claim of that kind, and the due index for several kinds", async () => {
    if (onPostgres) return; // the index's presence is checked above; PostgreSQL plans by statistics
    const sqlite = (database as OpenedDatabase & { sqlite: { prepare(s: string): { all(...a: unknown[]): { detail: string }[] } } }).sqlite;
    const plan = (query: string, ...args: unknown[]) => sqlite.prepare(`explain query plan ${query}`).all(...args).map((r) => r.detail).join('\n');
    const one = plan(claimOf(1), 'feed');
    expect(one).toMatch(/INDEX sources_kind_due_idx \(kind=\? AND disabled_at=\?\)/);
    expect(one).not.toMatch(/TEMP B-TREE/);
    expect(plan(claimOf(5), 'feed', 'site-comments', 'post-comments', 'pingback-listing', 'trackback-listing')).toMatch(/INDEX sources_due_idx/);
  });
});
