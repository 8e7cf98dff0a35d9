// Ingest at the speed of SQLite: each entry of a blog remembers a hash of the feed item it was
// last read from (before sanitizing), so a poll recognises an unchanged item before any work.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Null for entries that did not come from a feed item (pings) or were stored before this.
  await db.schema.alterTable('entries').addColumn('item_hash', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('entries').dropColumn('item_hash').execute();
}
