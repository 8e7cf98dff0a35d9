// Whether a site has sent an accepted ping before (the verifier's test of a first-time source,
// whose pings wait for a moderator when moderation asks for it) read from an index of the source
// host: without it, every check read the accepted pings of all sites until it found one of this
// host, and all of them for a host never seen. The same index on both databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index pings_source_host_idx on pings (source_host, status)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists pings_source_host_idx`.execute(db);
}
