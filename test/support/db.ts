// A fresh in-memory database migrated from the real migrations/, for store and route tests; under
// `npm run test:pg` a fresh PostgreSQL database copied from the migrated template instead.
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type Db, type OpenedDatabase } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Blog } from '../../src/domain/models.ts';
import { createPostgresTestDatabase, testPostgresUrl } from './postgres.ts';

export async function createTestDatabase(): Promise<OpenedDatabase> {
  const adminUrl = testPostgresUrl();
  if (adminUrl) {
    const created = await createPostgresTestDatabase(adminUrl);
    const database = openPostgres(created.url, { poolSize: 4 });
    return {
      ...database,
      close: async () => {
        await database.close();
        await created.drop();
      },
    };
  }
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  return database;
}

/** Registers a blog known only by its home page (its key the URL as given), as store tests need one. */
export async function insertHomeOnlyBlog(db: Db, homeUrl: string, at: string): Promise<Blog> {
  const { insertBlog } = await import('../../src/store/blogs.ts');
  return insertBlog(db, { homeUrl, urlKey: homeUrl, title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
}

/** Whether this run's tests use PostgreSQL (npm run test:pg). */
export const onPostgres = testPostgresUrl() !== null;

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
