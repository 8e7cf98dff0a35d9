// Migration 0025: whether a site has sent an accepted ping comes from an index of the source
// host, not from reading every accepted ping until one of that host turns up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { hasAcceptedPingFromHost } from '../../src/store/pings.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0025: accepted pings of a source host, by index', () => {
  it('finds whether a host sent an accepted ping in the index of source hosts', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must be there.
      expect(await postgresIndexDefinition(database, 'pings_source_host_idx')).toMatch(/\(source_host, status\)/);
      return;
    }
    const plan = await sqlitePlanOf(database, 'pings', () => hasAcceptedPingFromHost(database.db, 'planetsab.example'));
    expect(plan).toMatch(/SEARCH pings USING (COVERING )?INDEX pings_source_host_idx \(source_host=\? AND status=\?\)/);
  });
});
