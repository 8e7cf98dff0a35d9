// What several processes on one PostgreSQL share besides the queues: the requests in flight to
// each host (a slot per request, leased so a crashed process's slots free themselves) and the
// recent events each rate limit counts. A single process on SQLite keeps both in memory and
// leaves these tables empty.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('host_slots')
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('leased_until', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('host_slots_pk', ['host', 'slot'])
    .execute();

  await db.schema
    .createTable('rate_limit_hits')
    // The limit (e.g. "pings-per-client") and what it counts (an address, a host).
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_hits_key_idx').on('rate_limit_hits').columns(['scope', 'key', 'at']).execute();
  await db.schema.createIndex('rate_limit_hits_at_idx').on('rate_limit_hits').columns(['scope', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_hits').execute();
  await db.schema.dropTable('host_slots').execute();
}
