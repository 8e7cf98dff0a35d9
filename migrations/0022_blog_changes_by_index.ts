// When any blog last changed (its name, its endpoints), read from an index: conversation pages
// and their maps ask it at every request, cached or not, to know whether the blog names they
// show are still current. Without an index it read every blog: 25 ms a request with 100,000
// blogs registered. The same index on both databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index blogs_updated_at_idx on blogs (updated_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists blogs_updated_at_idx`.execute(db);
}
