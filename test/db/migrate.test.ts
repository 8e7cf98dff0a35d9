import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createTestDatabase } from '../support/db.ts';

describe('migrateToLatest', () => {
  it('applies a migration numbered before ones a database already has (issues land in any order)', async () => {
    const database = await createTestDatabase();
    try {
      const db = database.db;
      // A database made before 0012 landed, with 0014 already applied.
      await db.schema.dropTable('rate_limit_hits').execute();
      await db.schema.dropTable('host_slots').execute();
      await sql`delete from kysely_migration where name = '0012_shared_limits'`.execute(db);

      expect(await migrateToLatest(db)).toEqual(['0012_shared_limits']);
      expect(await db.selectFrom('host_slots').selectAll().execute()).toEqual([]);
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
