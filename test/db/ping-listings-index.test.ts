// Migration 0024: the accepted pings of a target come from an index, newest first, so the public
// listings read as many as they give, not the whole pings table.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { listAcceptedPings } from '../../src/store/pings.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;
const target = 'http://planetsab.example/2008/11/exkurs/';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0024: accepted pings of a target, by index', () => {
  it('reads the newest accepted pings of a target in the index, without sorting them', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must be there.
      expect(await postgresIndexDefinition(database, 'pings_target_key_idx')).toMatch(/\(target_key, status, created_at, id\)/);
      return;
    }
    for (const protocol of [undefined, 'trackback' as const]) {
      const plan = await sqlitePlanOf(database, 'pings', () => listAcceptedPings(database.db, target, protocol));
      expect(plan).toMatch(/SEARCH pings USING INDEX pings_target_key_idx \(target_key=\? AND status=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});
