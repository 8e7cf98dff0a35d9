// Lets a new entry tell at once whether its blog already takes part in its conversation,
// instead of walking all of that blog's entries.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('entries_conversation_blog_idx').on('entries').columns(['conversation_id', 'blog_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('entries_conversation_blog_idx').execute();
}
