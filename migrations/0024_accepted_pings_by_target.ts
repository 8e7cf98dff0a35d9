// A target's accepted pings read from an index: getPingbacks and the TrackBack `?__mode=rss`
// listing give the newest of them, and without an index on the target they read the whole pings
// table (the only index naming the target key, source then target, cannot serve a target alone).
// The same index on both databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index pings_target_key_idx on pings (target_key, status, created_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists pings_target_key_idx`.execute(db);
}
