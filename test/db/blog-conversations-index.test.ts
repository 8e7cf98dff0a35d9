// Migration 0023: a blog's conversations come from the index of its nodes alone, not from every
// entry the blog has; and they are still the right ones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { listConversationsOfBlog } from '../../src/store/conversations.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;
const now = '2026-01-01T00:00:00.000Z';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0023: a blog’s conversations by the index of its nodes', () => {
  it('finds a blog’s conversations in the covering index of its nodes', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must be there.
      expect(await postgresIndexDefinition(database, 'entries_blog_nodes_idx')).toMatch(/\(blog_id, same_as_id, conversation_id\)/);
      return;
    }
    expect(await sqlitePlanOf(database, 'conversations', () => listConversationsOfBlog(database.db, 1, 30))).toMatch(/SEARCH entries USING COVERING INDEX entries_blog_nodes_idx/);
  });

  it('lists the conversations a blog’s own entries are in, most recently active first, not those of its records alone', async () => {
    const db = database.db;
    const blog = async (n: number) => (await db.insertInto('blogs').values({ home_url: `http://b${n}.example/`, url_key: `b${n}.example`, title: `B${n}`, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    const [a, b] = [await blog(1), await blog(2)];
    const conversation = async (lastActivity: string) => (await db.insertInto('conversations').values({ entry_count: 1, created_at: now, updated_at: now, last_activity_at: lastActivity }).returning('id').executeTakeFirstOrThrow()).id;
    const [older, newer, others, recordOnly] = [await conversation('2026-01-02T00:00:00.000Z'), await conversation('2026-01-05T00:00:00.000Z'), await conversation('2026-01-09T00:00:00.000Z'), await conversation('2026-01-07T00:00:00.000Z')];
    let n = 0;
    const entry = async (blogId: number, conversationId: number, sameAs: number | null = null) =>
      (
        await db
          .insertInto('entries')
          .values({ blog_id: blogId, kind: 'post', identity: `e${++n}`, url: `http://x.example/${n}/`, url_key: `x.example/${n}`, content_html: '<p>x</p>', sort_at: now, content_hash: `h${n}`, first_seen_at: now, changed_at: now, conversation_id: conversationId, same_as_id: sameAs })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    await entry(a, older);
    await entry(a, newer);
    await entry(a, newer);
    const theirs = await entry(b, others);
    // A record of a's merged into b's entry: the conversation is not a's for that.
    await entry(a, recordOnly, theirs);
    expect((await listConversationsOfBlog(db, a, 30)).map((c) => c.id)).toEqual([newer, older]);
    expect((await listConversationsOfBlog(db, a, 1)).map((c) => c.id)).toEqual([newer]);
    expect((await listConversationsOfBlog(db, b, 30)).map((c) => c.id)).toEqual([others]);
  });
});
