// Migration 0019: the index of conversations by rank holds the live ones only, so that the home
// page reads them in rank order and a blog's or a group's few conversations are found by id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { listConversations, listConversationsOfBlog } from '../../src/store/conversations.ts';
import { readGroupConversations } from '../../src/store/group-conversations.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0019: the index of live conversations by rank', () => {
  it('reads the home page in rank order and finds a blog’s and a group’s conversations by id', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must hold live conversations only.
      expect(await postgresIndexDefinition(database, 'conversations_rank_idx')).toMatch(/\(rank, id\) WHERE \(merged_into_id IS NULL\)/);
      return;
    }
    const planOf = (work: () => Promise<unknown>) => sqlitePlanOf(database, 'conversations', work);
    const home = await planOf(() => listConversations(database.db, { limit: 20 }));
    expect(home).toMatch(/SCAN conversations USING INDEX conversations_rank_idx/);
    expect(home).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    for (const plan of [await planOf(() => listConversationsOfBlog(database.db, 1, 20)), await planOf(() => readGroupConversations(database.db, 1, { limit: 20 }))]) {
      expect(plan).toMatch(/SEARCH conversations USING INTEGER PRIMARY KEY/);
      expect(plan).not.toMatch(/conversations_rank_idx/);
    }
  });
});
