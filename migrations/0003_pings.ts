// Pings: every trackback, pingback and webmention Palaver receives or finds in a blog's
// listing, with its verification state. The table is the durable queue: a restart loses none.
import type { Kysely } from 'kysely';
import { addIdColumn } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await addIdColumn(db, db.schema.createTable('pings'))
    .addColumn('protocol', 'text', (c) => c.notNull())
    // 'endpoint' (sent to Palaver) or 'listing' (found in a blog's listing of pings).
    .addColumn('received_via', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('source_host', 'text', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('target_entry_id', 'integer', (c) => c.references('entries.id').onDelete('set null'))
    .addColumn('title', 'text')
    .addColumn('excerpt', 'text')
    .addColumn('blog_name', 'text')
    .addColumn('client_address', 'text')
    // queued → accepted | rejected | held (first-seen host, waits for moderation) | gone
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('entry_id', 'integer', (c) => c.references('entries.id').onDelete('set null'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addUniqueConstraint('pings_source_target_unique', ['source_key', 'target_key'])
    .execute();
  await db.schema.createIndex('pings_status_idx').on('pings').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('pings_target_idx').on('pings').columns(['target_entry_id', 'status']).execute();

  // Hosts whose pings are refused outright, or let through without moderation.
  await db.schema
    .createTable('ping_hosts')
    .addColumn('host', 'text', (c) => c.primaryKey())
    // 'blocked' or 'trusted'
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ping_hosts').execute();
  await db.schema.dropTable('pings').execute();
}
