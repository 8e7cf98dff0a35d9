// Migration 0022: when any blog last changed comes from an index, not from every blog registered.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { findBlogsChangedAt } from '../../src/store/blogs.ts';
import { createTestDatabase, onPostgres } from '../support/db.ts';
import { postgresIndexDefinition, sqlitePlanOf } from '../support/query-plans.ts';

let database: OpenedDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('migration 0022: when blogs last changed, by index', () => {
  it('finds the newest change of any blog in the index of changes', async () => {
    if (onPostgres) {
      // PostgreSQL plans by its statistics (a near-empty table is scanned); the index must be there.
      expect(await postgresIndexDefinition(database, 'blogs_updated_at_idx')).toMatch(/\(updated_at\)/);
      return;
    }
    expect(await sqlitePlanOf(database, 'blogs', () => findBlogsChangedAt(database.db))).toMatch(/SEARCH blogs USING COVERING INDEX blogs_updated_at_idx/);
  });

  it('is the newest change, and null with no blogs', async () => {
    const db = database.db;
    expect(await findBlogsChangedAt(db)).toBeNull();
    const blog = (n: number, at: string) => ({ home_url: `http://b${n}.example/`, url_key: `b${n}.example`, title: `B${n}`, created_at: at, updated_at: at });
    await db.insertInto('blogs').values([blog(1, '2026-01-02T00:00:00.000Z'), blog(2, '2026-03-01T00:00:00.000Z'), blog(3, '2026-02-01T00:00:00.000Z')]).execute();
    expect(await findBlogsChangedAt(db)).toBe('2026-03-01T00:00:00.000Z');
  });
});
