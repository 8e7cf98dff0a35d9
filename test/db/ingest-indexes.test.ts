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

describe('migration 0015: indexes of ingest', () => {
  it('answers whether a blog or author takes part in a conversation from an index alone', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the indexes must exist.
      const { rows } = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'entries'`.execute(database.db);
      const names = rows.map((r) => r.indexname);
      expect(names).toEqual(expect.arrayContaining(['entries_conversation_visible_blog_idx', 'entries_conversation_visible_author_idx']));
      expect(names).not.toContain('entries_conversation_blog_idx');
      return;
    }
    const sqlite = (database as OpenedDatabase & { sqlite: { prepare(s: string): { all(...a: unknown[]): { detail: string }[] } } }).sqlite;
    const plan = (query: string) => sqlite.prepare(`explain query plan ${query}`).all(1, 2, 'x').map((r) => r.detail).join('\n');
    expect(plan(lookups.blog)).toMatch(/COVERING INDEX entries_conversation_visible_blog_idx/);
    expect(plan(lookups.author)).toMatch(/COVERING INDEX entries_conversation_visible_author_idx/);
  });
});
