// Migration 0018: the index of records by their node holds records only, so that statements that
// ask for nodes (same_as_id is null) read by the index their order or their names give, never
// every node through it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { listRecentEntries } from '../../src/store/entries.ts';
import { listFeedEntries } from '../../src/store/feed-items.ts';
import { listSameAsCandidates } from '../../src/store/threads.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlan, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0018: the index of records by their node', () => {
  it('leaves nodes to the indexes of dates and names, and finds the records of a node', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must hold records only.
      expect(await postgresIndexDefinition(database, 'entries_same_as_idx')).toMatch(/WHERE \(same_as_id IS NOT NULL\)/);
      return;
    }
    const planOf = (work: () => Promise<unknown>) => sqlitePlanOf(database, 'entries', work);
    // The merged feed of everything and the timeline: the newest nodes by date, read in that order.
    for (const plan of [await planOf(() => listFeedEntries(database.db, { kind: 'all' }, 50)), await planOf(() => listRecentEntries(database.db, { limit: 50 }))]) {
      expect(plan).toMatch(/SCAN \w+ USING INDEX entries_sort_at_idx/);
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
    // A ping's record looks for its page and its other records by their names.
    const candidates = await planOf(() => listSameAsCandidates(database.db, 1, 'c.example/gerede'));
    expect(candidates).toMatch(/entries_url_key_idx/);
    expect(candidates).toMatch(/entries_source_key_idx/);
    // The records of a node, by the index.
    expect(sqlitePlan(database, 'select id from entries where same_as_id = ?')).toMatch(/entries_same_as_idx/);
  });
});
