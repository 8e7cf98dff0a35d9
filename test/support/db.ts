// A fresh in-memory database migrated from the real migrations/, for store and route tests.
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';

export async function createTestDatabase(): Promise<OpenedDatabase> {
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  return database;
}
