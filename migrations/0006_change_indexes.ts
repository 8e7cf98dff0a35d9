// Indexes that let a feed tell cheaply whether anything in it changed: the newest change of
// everything and of one blog.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('entries_changed_at_idx').on('entries').column('changed_at').execute();
  await db.schema.createIndex('entries_blog_changed_at_idx').on('entries').columns(['blog_id', 'changed_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('entries_blog_changed_at_idx').execute();
  await db.schema.dropIndex('entries_changed_at_idx').execute();
}
