// Migration 0021: a blog's own sources, a page of its posts' comment feeds and the count of its
// entries come from indexes of that blog alone, never from every source or entry it has.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { countEntries, countEntriesOfBlogs, listEntriesByBlog } from '../../src/store/entries.ts';
import { listFeedEntries } from '../../src/store/feed-items.ts';
import { listBlogSources, listSourcesByBlog } from '../../src/store/sources.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlan, sqlitePlanOf } from '../support/query-plans.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0021: a blog’s sources and entries by the blog', () => {
  it('reads a blog’s own sources and a page of its comment feeds by kind, and counts its entries from the index', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the indexes must be there.
      expect(await postgresIndexDefinition(database, 'sources_blog_kind_idx')).toMatch(/\(blog_id, kind, id\)/);
      // Migration 0023 adds the conversation to it (blog-conversations-index.test.ts).
      expect(await postgresIndexDefinition(database, 'entries_blog_nodes_idx')).toMatch(/\(blog_id, same_as_id, conversation_id\)/);
      expect(await postgresIndexDefinition(database, 'sources_blog_idx')).toBeUndefined();
      return;
    }
    const own = await sqlitePlanOf(database, 'sources', () => listBlogSources(database.db, [1, 2]));
    expect(own).toMatch(/SEARCH sources USING INDEX sources_blog_kind_idx \(blog_id=\? AND kind=\?\)/);
    // The page of comment feeds is the second statement: the first reads the blog's own sources.
    const { sql: sent } = await recordStatements(() => listSourcesByBlog(database.db, 1, { limit: 100, offset: 300 }));
    const page = sent.find((s) => s.includes(`"kind" = ?`));
    expect(page).toBeDefined();
    const pagePlan = sqlitePlan(database, page!);
    expect(pagePlan).toMatch(/SEARCH sources USING INDEX sources_blog_kind_idx \(blog_id=\? AND kind=\?\)/);
    expect(pagePlan).not.toMatch(/TEMP B-TREE/);
    for (const count of [await sqlitePlanOf(database, 'entries', () => countEntriesOfBlogs(database.db, [1, 2])), await sqlitePlanOf(database, 'entries', () => countEntries(database.db, 1))]) {
      expect(count).toMatch(/USING COVERING INDEX entries_blog_nodes_idx/);
    }
    // A blog's newest entries still walk its index by date, not the new one and a sort.
    for (const plan of [await sqlitePlanOf(database, 'entries', () => listFeedEntries(database.db, { kind: 'blog', id: 1 }, 50)), await sqlitePlanOf(database, 'entries', () => listEntriesByBlog(database.db, 1, 20))]) {
      expect(plan).toMatch(/entries_blog_sort_idx/);
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });
});
