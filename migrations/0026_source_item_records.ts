// What the reads of a post feed or a site's comment feed found of each item, by the digest of
// the item's text (src/reader/read-items.ts), so a poll parses only the items whose text is new.
// A cache: a source without its record is read whole once, and has one again.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('source_item_records')
    .addColumn('source_id', 'integer', (c) => c.primaryKey().references('sources.id').onDelete('cascade'))
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('source_item_records').execute();
}
