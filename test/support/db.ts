// A fresh in-memory database migrated from the real migrations/, for store and route tests.
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';

export async function createTestDatabase(): Promise<OpenedDatabase> {
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  return database;
}

/**
 * Checks that every live conversation's stored counts are what a full recount gives: the
 * incremental updates of ingest must never drift from refreshConversation.
 */
export async function expectCountsMatchRecount(database: OpenedDatabase): Promise<void> {
  const { refreshConversation } = await import('../../src/store/conversation-union.ts');
  const { expect } = await import('vitest');
  const db = database.db;
  const live = await db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).execute();
  for (const stored of live) {
    await refreshConversation(db, stored.id, stored.updated_at);
    const recounted = await db.selectFrom('conversations').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(stored, `conversation ${stored.id}`).toEqual(recounted);
  }
}
