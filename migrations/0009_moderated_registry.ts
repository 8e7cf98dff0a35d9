// Registrations that wait for a moderator, and what a poll skipped: a blog's approval (every
// blog registered before this migration stays approved), the hash of the body a feed answered
// last (an unchanged body is not parsed again), and how many old items the last poll left out.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // 'approved', 'pending' (registered by a stranger, polled but not shown) or 'rejected'.
  await db.schema.alterTable('blogs').addColumn('approval', 'text', (c) => c.notNull().defaultTo('approved')).execute();
  await db.schema.alterTable('blogs').addColumn('moderated_at', 'text').execute();
  await db.schema.createIndex('blogs_approval_idx').on('blogs').columns(['approval', 'id']).execute();
  await db.schema.alterTable('sources').addColumn('body_hash', 'text').execute();
  await db.schema.alterTable('sources').addColumn('items_skipped', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('items_skipped').execute();
  await db.schema.alterTable('sources').dropColumn('body_hash').execute();
  await db.schema.dropIndex('blogs_approval_idx').execute();
  await db.schema.alterTable('blogs').dropColumn('moderated_at').execute();
  await db.schema.alterTable('blogs').dropColumn('approval').execute();
}
